"""risk: unit-value bands by HS6, origin and brand (six-systems R4.1: "P10(HS6, origin, brand)")

Revision ID: rskb01
Revises: fctw01
Create Date: 2026-12-08 00:00:00.000000

``risk_band`` was keyed by HS6. It is now keyed by a band key (``HS6``, ``HS6|origin`` or ``HS6|origin|brand``,
``cbec.risk.valuation.band_keys``) with the HS6 in an indexed column. Bands are derived data (``cbec risk bands``
recomputes them all); the upgrade keeps each stored HS6 band under its HS6 as key, the downgrade keeps the HS6
bands and drops the finer ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "rskb01"
down_revision = "fctw01"
branch_labels = None
depends_on = None

_COPIED = "lines, median, mad, computed_at"


def _band(name: str, *, keyed: bool) -> None:
    key = [sa.Column("key", sa.String(120), nullable=False)] if keyed else []
    op.create_table(
        name,
        *key,
        sa.Column("hs6", sa.String(6), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("median", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("mad", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("computed_at", cbec.storage.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key" if keyed else "hs6", name=f"pk_{name}"),
    )


def upgrade() -> None:
    op.rename_table("risk_band", "risk_band_hs6")
    if _postgres():  # the old key's index keeps its name through a table rename
        op.execute("ALTER INDEX pk_risk_band RENAME TO pk_risk_band_hs6")
    _band("risk_band", keyed=True)
    op.create_index("ix_risk_band_hs6", "risk_band", ["hs6"])
    op.execute(f"INSERT INTO risk_band (key, hs6, {_COPIED}) SELECT hs6, hs6, {_COPIED} FROM risk_band_hs6")
    op.drop_table("risk_band_hs6")


def downgrade() -> None:
    op.drop_index("ix_risk_band_hs6", table_name="risk_band")
    op.rename_table("risk_band", "risk_band_keyed")
    if _postgres():
        op.execute("ALTER INDEX pk_risk_band RENAME TO pk_risk_band_keyed")
    _band("risk_band", keyed=False)
    op.execute(f"INSERT INTO risk_band (hs6, {_COPIED}) SELECT hs6, {_COPIED} FROM risk_band_keyed WHERE key = hs6")
    op.drop_table("risk_band_keyed")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
