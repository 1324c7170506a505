"""credit: alerts of every declaration's parties (export documents, payments, waybills)

Revision ID: crdf01
Revises: crdb01
Create Date: 2026-12-07 17:00:00.000000

``credit_screen_alert.origin`` held ``filing``, ``inventory`` or ``order`` (10 characters); the credit consumer now
screens the parties of every declaration's data event, whose document kinds run to ``export_payment_receipt`` (22):
the column is widened to 24 characters. No row changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crdf01"
down_revision = "crdb01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_screen_alert") as batch:
        batch.alter_column(
            "origin",
            existing_type=sa.String(10),
            type_=sa.String(24),
            existing_nullable=False,
            existing_server_default="filing",
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_screen_alert") as batch:
        batch.alter_column(
            "origin",
            existing_type=sa.String(24),
            type_=sa.String(10),
            existing_nullable=False,
            existing_server_default="filing",
        )
