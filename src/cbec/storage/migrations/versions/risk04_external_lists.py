"""risk: external lists (IPR recordations, recalls, prohibited goods, agency watch-lists) as effective-dated data

Revision ID: risk04
Revises: credit04
Create Date: 2026-12-07 08:10:00.000000

* ``risk_list_load``: one row per accepted load of a list file (kind, source, provenance, SHA-256, entries, who, when).
* ``risk_list_entry``: an entry in force from ``valid_from`` to ``valid_to`` (inclusive), its fields as JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "risk04"
down_revision = "credit04"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "risk_list_load",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("loaded_by", sa.String(length=120), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_list_load")),
    )
    op.create_index(op.f("ix_risk_list_load_kind"), "risk_list_load", ["kind"], unique=False)
    op.create_table(
        "risk_list_entry",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("load_id", _id(), nullable=False),
        sa.Column("entry_key", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_list_entry")),
    )
    op.create_index("ix_risk_list_entry_kind_from", "risk_list_entry", ["kind", "valid_from"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_risk_list_entry_kind_from", table_name="risk_list_entry")
    op.drop_table("risk_list_entry")
    op.drop_index(op.f("ix_risk_list_load_kind"), table_name="risk_list_load")
    op.drop_table("risk_list_load")
