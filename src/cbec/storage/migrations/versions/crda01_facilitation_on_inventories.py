"""clearance: facilitation and guarantee on import inventories (优先办理, 免除担保 / 全额担保)

Revision ID: crda01
Revises: credit05
Create Date: 2026-12-07 14:00:00.000000

``import_inventory.priority``: the release decision found a priority measure (and no "no facilitation"): the
inventory goes first in the officers' review and inspection queue. ``import_inventory.guarantee``: the guarantee its
measures ask (``exempt`` or ``full``; empty: the ordinary one). Inventories decided before this revision have
neither.
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


def downgrade() -> None:
    with op.batch_alter_table("import_inventory") as batch:
        batch.drop_column("guarantee")
        batch.drop_column("priority")
