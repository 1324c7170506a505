"""risk: entity conditions (blocks, non-overridable blocks, overrides) and the lanes the consumer decides

Revision ID: rskc01
Revises: crda01
Create Date: 2026-12-07 14:00:00.000000

* ``risk_condition``: one entity condition on a buyer, an enterprise or an inventory, with validity and lifting.
* ``risk_export``: a 9610/9710 export's declared value and receipt of payment, from the event catalogue.
* ``risk_ml_model``: a fitted ML model (optional term) by its digest, with the ruleset version it serves.
* ``risk_lane``: the lane of one assessed inventory, whether it was decided before release (applied as a
  supervision measure) or after (recorded for post-release audit).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "rskc01"
down_revision = "crda01"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _amount() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(precision=19, scale=5).with_variant(sa.String(length=32), "sqlite")


def upgrade() -> None:
    op.create_table(
        "risk_condition",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=60), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_condition")),
    )
    op.create_index("ix_risk_condition_subject", "risk_condition", ["subject_kind", "subject_key"], unique=False)
    op.create_table(
        "risk_lane",
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("decision_id", _id(), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("lane", sa.String(length=6), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("priority", _amount(), nullable=False),
        sa.Column("multiplier", _amount(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("eport_no", name=op.f("pk_risk_lane")),
    )
    op.create_index("ix_risk_lane_day_lane", "risk_lane", ["business_day", "lane"], unique=False)
    op.create_table(
        "risk_export",
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=True),
        sa.Column("inventory_no", sa.String(length=20), nullable=True),
        sa.Column("mode", sa.String(length=4), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("declared", _amount(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("received", _amount(), nullable=True),
        sa.Column("received_currency", sa.String(length=3), nullable=True),
        sa.Column("position", _id(), nullable=False),
        sa.PrimaryKeyConstraint("ecommerce_code", "order_no", name=op.f("pk_risk_export")),
    )
    op.create_index("ix_risk_export_released", "risk_export", ["released_on"], unique=False)
    op.create_table(
        "risk_ml_model",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ruleset_version", sa.String(length=40), nullable=False),
        sa.Column("ruleset_sha256", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("cap", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("centres", sa.JSON(), nullable=False),
        sa.Column("spreads", sa.JSON(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_risk_ml_model")),
    )
    op.create_index(op.f("ix_risk_ml_model_ruleset_sha256"), "risk_ml_model", ["ruleset_sha256"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_ml_model_ruleset_sha256"), table_name="risk_ml_model")
    op.drop_table("risk_ml_model")
    op.drop_index("ix_risk_export_released", table_name="risk_export")
    op.drop_table("risk_export")
    op.drop_index("ix_risk_lane_day_lane", table_name="risk_lane")
    op.drop_table("risk_lane")
    op.drop_index("ix_risk_condition_subject", table_name="risk_condition")
    op.drop_table("risk_condition")
