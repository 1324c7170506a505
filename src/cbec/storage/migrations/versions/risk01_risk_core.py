"""risk: day-bucket counters, distinct links, HS6 unit-value bands, decisions with their trace, holds

Revision ID: risk01
Revises: credit01
Create Date: 2026-12-14 09:00:00.000000

* ``risk_counter``: (subject kind, subject key, feature, business day) -> value (counts, or fen for money).
* ``risk_link``: the last day two subject keys were seen together (exact distinct counts over windows).
* ``risk_band``: median and MAD of the unit value per HS6, from the trade facts.
* ``risk_decision``: one per assessed inventory with its full trace; ``risk_hold``: holds as data.

The ruleset ships with the package (``cbec/risk/data/ruleset.json``); no domain code is imported here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "risk01"
down_revision = "credit01"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _amount() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(precision=19, scale=5).with_variant(sa.String(length=32), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_counter",
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("feature", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", _id(), nullable=False),
        sa.PrimaryKeyConstraint("subject_kind", "subject_key", "feature", "day", name=op.f("pk_risk_counter")),
    )
    op.create_table(
        "risk_link",
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("other_kind", sa.String(length=12), nullable=False),
        sa.Column("other_key", sa.String(length=64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("subject_kind", "subject_key", "other_kind", "other_key", name=op.f("pk_risk_link")),
    )
    op.create_table(
        "risk_band",
        sa.Column("hs6", sa.String(length=6), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("median", _amount(), nullable=False),
        sa.Column("mad", _amount(), nullable=False),
        sa.Column("computed_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("hs6", name=op.f("pk_risk_band")),
    )
    op.create_table(
        "risk_decision",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("ruleset_version", sa.String(length=40), nullable=False),
        sa.Column("ruleset_sha256", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("typology", sa.String(length=20), nullable=True),
        sa.Column("expected_revenue", _amount(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("event_position", _id(), nullable=False),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_decision")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_risk_decision_eport_no")),
    )
    op.create_index("ix_risk_decision_band_decided", "risk_decision", ["band", "decided_at"], unique=False)
    op.create_table(
        "risk_hold",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("typology", sa.String(length=20), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("decision_id", _id(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_hold")),
    )
    op.create_index(op.f("ix_risk_hold_eport_no"), "risk_hold", ["eport_no"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_hold_eport_no"), table_name="risk_hold")
    op.drop_table("risk_hold")
    op.drop_index("ix_risk_decision_band_decided", table_name="risk_decision")
    op.drop_table("risk_decision")
    op.drop_table("risk_band")
    op.drop_table("risk_link")
    op.drop_table("risk_counter")
