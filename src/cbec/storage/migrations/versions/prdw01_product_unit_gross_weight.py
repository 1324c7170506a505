"""products: a filed unit gross weight (kg per transaction unit, optional)

Revision ID: prdw01
Revises: rskd01
Create Date: 2026-12-08 12:00:00.000000

``product.unit_gross_weight``: the packed weight of one transaction unit in kg, optional (filings made before it
have none). Risk compares an import inventory's declared gross weight with Σ quantity × this weight over its lines
(R2.3, 空包). The downgrade drops the column and the weights with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "prdw01"
down_revision = "rskd01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.add_column(sa.Column("unit_gross_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product") as batch:
        batch.drop_column("unit_gross_weight")
