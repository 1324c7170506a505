"""statistics: daily rollups (inventories; goods by country and HS chapter), their pending set and sources,
and targets per tenant, indicator and period

Revision ID: stats01
Revises: tok01
Create Date: 2026-12-06 23:32:32.415278
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "stats01"
down_revision = "tok01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stat_rollup",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("platform_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("declared", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("released_lines", sa.Integer(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.Column("unconverted_lines", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_rollup")),
        sa.UniqueConstraint(
            "day", "tenant", "direction", "mode", "platform_code", "ecommerce_code", name="uq_stat_rollup_key"
        ),
    )
    op.create_table(
        "stat_rollup_goods",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("hs_chapter", sa.String(length=2), nullable=False),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("released_lines", sa.Integer(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_rollup_goods")),
        sa.UniqueConstraint(
            "day", "tenant", "direction", "mode", "country", "hs_chapter", name="uq_stat_rollup_goods_key"
        ),
    )
    op.create_table(
        "stat_rollup_pending",
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.PrimaryKeyConstraint("direction", "eport_no", name=op.f("pk_stat_rollup_pending")),
    )
    op.create_table(
        "stat_rollup_source",
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("direction", "eport_no", name=op.f("pk_stat_rollup_source")),
    )
    op.create_table(
        "stat_target",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("target", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_target")),
        sa.UniqueConstraint("tenant", "indicator", "period", name=op.f("uq_stat_target_tenant_indicator_period")),
    )


def downgrade() -> None:
    op.drop_table("stat_target")
    op.drop_table("stat_rollup_source")
    op.drop_table("stat_rollup_pending")
    op.drop_table("stat_rollup_goods")
    op.drop_table("stat_rollup")
