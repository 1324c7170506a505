"""facts: a line's item number, the inventory's waybill number and gross weight, the consignee's prefecture

Revision ID: fctw01
Revises: rskl01
Create Date: 2026-12-07 23:45:00.000000

Four nullable columns on ``trade_fact`` that risk reads (R1.2 same SKU, R2.3 weight off the filing, R2.4 release to
signing over a distance): ``item_no`` (the line's 企业商品货号), ``logistics_no`` (运单号), ``gross_weight`` (the
inventory's declared kg, the same on each of its lines) and ``consignee_region`` (the prefecture of the order's
district code, never the address). Facts written before stay null until ``cbec facts backfill`` rebuilds them from
the stored documents. An index on (logistics_code, logistics_no) finds an inventory's facts from its waybill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "fctw01"
down_revision = "rskl01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trade_fact") as batch:
        batch.add_column(sa.Column("item_no", sa.String(50), nullable=True))
        batch.add_column(sa.Column("logistics_no", sa.String(60), nullable=True))
        batch.add_column(sa.Column("gross_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=True))
        batch.add_column(sa.Column("consignee_region", sa.String(6), nullable=True))
    op.create_index("ix_trade_fact_waybill", "trade_fact", ["logistics_code", "logistics_no"])


def downgrade() -> None:
    op.drop_index("ix_trade_fact_waybill", table_name="trade_fact")
    with op.batch_alter_table("trade_fact") as batch:
        batch.drop_column("consignee_region")
        batch.drop_column("gross_weight")
        batch.drop_column("logistics_no")
        batch.drop_column("item_no")
