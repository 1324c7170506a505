"""risk: decision traces as jsonb on PostgreSQL (the database backtest reads ~31 paths a row)

Revision ID: rskg01
Revises: crde01
Create Date: 2026-12-07 17:00:00.000000

``risk_decision.trace`` was ``json`` on PostgreSQL, which keeps the text and parses the whole trace again for every
path a query extracts (the database backtest extracts each input the candidate reads and each live typology's band:
about 770 decisions/s). ``jsonb`` is parsed once, on write. A trace's numbers are decimal strings (inputs, rule
values, bands) or integers (weights, scores), so jsonb's normalisation of numbers and key order changes nothing a
replay reads. SQLite is unchanged (its JSON is text and ``json_extract`` reads it). The downgrade turns the column
back into ``json`` (the key order of a stored trace is then jsonb's, which nothing depends on).
"""

from __future__ import annotations

from alembic import op

revision = "rskg01"
down_revision = "crde01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE risk_decision ALTER COLUMN trace TYPE jsonb USING trace::jsonb")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE risk_decision ALTER COLUMN trace TYPE json USING trace::json")
