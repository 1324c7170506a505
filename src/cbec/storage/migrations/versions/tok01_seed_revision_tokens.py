"""performance: every revision token exists from the start, so its caches work before the first write

Revision ID: tok01
Revises: sup01
Create Date: 2026-12-07 00:05:00.000000

A revision token (``data_revision``) is created by the triggers of perf01/perf02/facts01/sup01 on the first write
to its tables. Until then nothing under it is cached: on a platform where no delegation or account was ever
written, every message read the sender's delegations again. Seeding each token once (a value no trigger makes)
keeps every cache honest: the first write replaces the token as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tok01"
down_revision = "sup01"
branch_labels = None
depends_on = None

TOKENS = ("filing", "reference", "product", "account", "export_rate", "supervision")


def upgrade() -> None:
    bind = op.get_bind()
    present = {row[0] for row in bind.execute(sa.text("SELECT name FROM data_revision"))}
    for name in TOKENS:
        if name not in present:
            bind.execute(sa.text("INSERT INTO data_revision (name, token) VALUES (:name, 'tok01')"), {"name": name})


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM data_revision WHERE token = 'tok01'"))
