"""web portal: zone targets and consumer reports

Revision ID: web01
Revises: 0001
Create Date: 2026-11-21 14:33:30.695648
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "web01"
down_revision = "trust01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consumer_report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("reference_no", sa.String(length=20), nullable=True),
        sa.Column("buyer_key", sa.String(length=64), nullable=False),
        sa.Column("inventory_ref", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reported_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumer_report")),
        sa.UniqueConstraint("reference_no", name=op.f("uq_consumer_report_reference_no")),
    )
    with op.batch_alter_table("consumer_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consumer_report_buyer_key"), ["buyer_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_consumer_report_inventory_ref"), ["inventory_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_consumer_report_status"), ["status"], unique=False)

    op.create_table(
        "zone_target",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("target", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zone_target")),
        sa.UniqueConstraint("year", "indicator", name=op.f("uq_zone_target_year_indicator")),
    )


def downgrade() -> None:
    op.drop_table("zone_target")
    with op.batch_alter_table("consumer_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consumer_report_status"))
        batch_op.drop_index(batch_op.f("ix_consumer_report_inventory_ref"))
        batch_op.drop_index(batch_op.f("ix_consumer_report_buyer_key"))
    op.drop_table("consumer_report")
