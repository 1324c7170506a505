"""risk: a parcel's delivery decision beside its entry decision (R2.4), and the delivery sweep's days

Revision ID: rskd01
Revises: entk01
Create Date: 2026-12-08 01:00:00.000000

``risk_decision.stage`` (``entry`` for every decision made so far; ``delivery`` for the assessment of a released
parcel from its signing, CEB513, or from its absence unsigned_days after release) and the unique key becomes
(eport_no, stage): an inventory is decided once per stage. ``risk_signing`` keeps the first signing of each
parcel (whichever ruleset is live). ``risk_sweep`` records each release day the delivery
sweep went through, so that its parcels are counted once. The downgrade removes the delivery decisions and their
alerts first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "rskd01"
down_revision = "entk01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_decision") as batch:
        batch.add_column(sa.Column("stage", sa.String(8), nullable=False, server_default="entry"))
        batch.drop_constraint("uq_risk_decision_eport_no", type_="unique")
        batch.create_unique_constraint("uq_risk_decision_eport_no_stage", ["eport_no", "stage"])
    op.create_table(
        "risk_sweep",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("parcels", sa.Integer(), nullable=False),
        sa.Column("unsigned", sa.Integer(), nullable=False),
        sa.Column("swept_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", name=op.f("pk_risk_sweep")),
    )
    op.create_table(
        "risk_signing",
        sa.Column("eport_no", sa.String(18), nullable=False),
        sa.Column("signed_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recorded_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("eport_no", name=op.f("pk_risk_signing")),
    )


def downgrade() -> None:
    op.drop_table("risk_signing")
    op.drop_table("risk_sweep")
    op.execute("DELETE FROM risk_case_alert WHERE decision_id IN (SELECT id FROM risk_decision WHERE stage <> 'entry')")
    op.execute("DELETE FROM risk_decision WHERE stage <> 'entry'")
    with op.batch_alter_table("risk_decision") as batch:
        batch.drop_constraint("uq_risk_decision_eport_no_stage", type_="unique")
        batch.create_unique_constraint("uq_risk_decision_eport_no", ["eport_no"])
        batch.drop_column("stage")
