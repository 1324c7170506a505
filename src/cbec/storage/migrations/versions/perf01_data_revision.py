"""performance: data revision tokens, changed by triggers on every write to the filing and reference tables

Revision ID: perf01
Revises: web01
Create Date: 2026-11-21 23:30:00.000000

In-process caches of filings and signing certificates (cbec.storage.revisions) are keyed by the ``filing``
token. The triggers give it a new random value in every transaction that inserts, updates or deletes rows of
``enterprise``, ``enterprise_role`` or ``enterprise_certificate``, by whatever means (TRUNCATE included).
On PostgreSQL they are deferred constraint triggers: the token row is locked only at commit, after every
other lock the transaction takes, so two filing transactions never deadlock on it. SQLite writers are
serialised anyway; its triggers are plain. A later migration that rebuilds one of these tables on SQLite
(batch mode) must create them again.

The ``reference`` token (code tables, positive list, tariff, tax parameters) replaces the table
``reference_revision``, which the reference service had to remember to change. Reference data is written in
large loads by one operator at a time: its PostgreSQL triggers run once per statement, not per row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "perf01"
down_revision = "web01"
branch_labels = None
depends_on = None

# (token, table, per row): filings per row, deferred to the commit; reference data once per statement.
WATCHED: tuple[tuple[str, str, bool], ...] = (
    ("filing", "enterprise", True),
    ("filing", "enterprise_role", True),
    ("filing", "enterprise_certificate", True),
    ("reference", "code_entry", False),
    ("reference", "positive_list_entry", False),
    ("reference", "tariff_rate", False),
    ("reference", "tax_parameter", False),
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION cbec_bump_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_revision (name, token) VALUES (TG_ARGV[0], replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "data_revision",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_revision")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(PG_FUNCTION)
    for name, table, per_row in WATCHED:
        if postgres:
            _postgres_triggers(name, table, per_row)
        else:
            _sqlite_triggers(name, table)
    op.drop_table("reference_revision")


def _postgres_triggers(name: str, table: str, per_row: bool) -> None:
    bump = f"EXECUTE FUNCTION cbec_bump_data_revision('{name}')"
    if not per_row:
        op.execute(
            f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT {bump}"
        )
        return
    op.execute(
        f"CREATE CONSTRAINT TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {bump}"
    )
    op.execute(f"CREATE TRIGGER {table}_revision_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT {bump}")


def _sqlite_triggers(name: str, table: str) -> None:
    for action in ("INSERT", "UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_revision_{action.lower()} AFTER {action} ON {table} BEGIN "
            "INSERT OR REPLACE INTO data_revision (name, token) "
            f"VALUES ('{name}', lower(hex(randomblob(16)))); END"
        )


def downgrade() -> None:
    op.create_table(
        "reference_revision",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_revision")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for _name, table, _per_row in WATCHED:
        if postgres:
            for trigger in ("revision", "revision_truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
        else:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{action}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS cbec_bump_data_revision()")
    op.drop_table("data_revision")
