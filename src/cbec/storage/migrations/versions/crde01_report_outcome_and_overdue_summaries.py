"""credit facts from the platform's events: consumer reports' outcome; overdue export summaries found

Revision ID: crde01
Revises: crdf01
Create Date: 2026-12-07 17:00:00.000000

* ``consumer_report.outcome``: what the zone office found on review — ``confirmed`` (the consumer did not make the
  purchase: ID misuse) or ``not_confirmed``. Reports reviewed before this revision keep NULL (no outcome recorded).
* ``export_summary_overdue``: an enterprise's export month found not summarised after its due day, once per
  (enterprise, month): the daily job records it with its outbox event only the first time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crde01"
down_revision = "crdf01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consumer_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
    op.create_table(
        "export_summary_overdue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("inventories", sa.Integer(), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_summary_overdue")),
        sa.UniqueConstraint("ecommerce_code", "month", name="uq_export_summary_overdue_key"),
    )


def downgrade() -> None:
    op.drop_table("export_summary_overdue")
    with op.batch_alter_table("consumer_report", schema=None) as batch_op:
        batch_op.drop_column("outcome")
