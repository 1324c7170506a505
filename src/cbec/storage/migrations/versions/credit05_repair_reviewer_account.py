"""credit: the account of the officer who proposed a repair, so maker-checker compares accounts

Revision ID: credit05
Revises: stats05
Create Date: 2026-12-07 09:50:00.000000

``credit_repair.reviewed_by_account``: one officer signed in with two API keys is one account; the recorded name
(``alice:key1`` / ``alice:key2``) differs. Applications proposed before this revision keep no account and are
compared by name, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit05"
down_revision = "stats05"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "credit_repair",
        sa.Column("reviewed_by_account", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("credit_repair") as batch:
        batch.drop_column("reviewed_by_account")
