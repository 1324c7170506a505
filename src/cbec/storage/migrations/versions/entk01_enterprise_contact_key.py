"""enterprises: the contact phone's subject key (risk R5.1, a party's own phone as consignee)

Revision ID: entk01
Revises: rskb01
Create Date: 2026-12-08 00:10:00.000000

``enterprise.contact_phone_key`` holds the platform's blind index of the normalised contact phone (the trade facts'
phone key), so risk can tell an order shipped to a party's own phone without decrypting anything. Filing and
changes write it; enterprises filed before get it from ``cbec enterprises fill-contact-keys`` (the key needs the
platform's secret, which a migration does not hold).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "entk01"
down_revision = "rskb01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("contact_phone_key", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("contact_phone_key")
