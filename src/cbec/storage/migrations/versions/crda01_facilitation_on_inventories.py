"""clearance: facilitation and guarantee on import inventories; credit: alerts of declarations and recorded matches

Revision ID: crda01
Revises: credit05
Create Date: 2026-12-07 14:00:00.000000

``import_inventory.priority``: the release decision found a priority measure (and no "no facilitation"): the
inventory goes first in the officers' review and inspection queue. ``import_inventory.guarantee``: the guarantee its
measures ask (``exempt`` or ``full``; empty: the ordinary one). Inventories decided before this revision have
neither.

``credit_screen_alert``: ``origin`` (filing, inventory or order), ``origin_ref`` (the declaration's order number) and
``role`` (platform, ecommerce, agent, logistics) of a party screened as its declaration arrived; the confirming
officer's account (``reviewer_account``), and the ``list_entry`` fact a second officer recorded about the screened
enterprise (``recorded_fact_id``, ``recorded_by``, ``recorded_at``). Alerts stored before are filings' (the default).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crda01"
down_revision = "credit05"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_inventory", sa.Column("priority", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("import_inventory", sa.Column("guarantee", sa.String(8), nullable=True))
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    for column in (
        sa.Column("origin", sa.String(10), nullable=False, server_default="filing"),
        sa.Column("origin_ref", sa.String(60), nullable=True),
        sa.Column("role", sa.String(12), nullable=True),
        sa.Column("reviewer_account", big, nullable=True),
        sa.Column("recorded_fact_id", big, nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("credit_screen_alert", column)


def downgrade() -> None:
    with op.batch_alter_table("credit_screen_alert") as batch:
        for name in ("recorded_at", "recorded_by", "recorded_fact_id", "reviewer_account", "role", "origin_ref"):
            batch.drop_column(name)
        batch.drop_column("origin")
    with op.batch_alter_table("import_inventory") as batch:
        batch.drop_column("guarantee")
        batch.drop_column("priority")
