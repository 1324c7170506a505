"""risk: list entries from cases (a confirmed ``propose_list_entry`` lands in the watch list)

Revision ID: rskl01
Revises: rskg01
Create Date: 2026-12-07 20:00:00.000000

``risk_list_entry.load_id`` becomes nullable and ``case_id`` is added: an entry comes from a list file's load or
from a case whose list-entry proposal a second officer confirmed. A load replaces the loaded entries of its kind
only. The downgrade removes the cases' entries first (they have no load).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rskl01"
down_revision = "rskg01"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("risk_list_entry") as batch:
        batch.alter_column("load_id", existing_type=_id(), nullable=True)
        batch.add_column(sa.Column("case_id", _id(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM risk_list_entry WHERE load_id IS NULL")
    with op.batch_alter_table("risk_list_entry") as batch:
        batch.drop_column("case_id")
        batch.alter_column("load_id", existing_type=_id(), nullable=False)
