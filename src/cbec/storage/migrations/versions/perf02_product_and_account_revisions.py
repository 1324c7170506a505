"""performance: revision tokens of product filings and of accounts, keys, delegations and tenants

Revision ID: perf02
Revises: perf01
Create Date: 2026-11-22 02:20:00.000000

Two more kinds of data get a token in ``data_revision`` (see perf01 and cbec.storage.revisions):

* ``product``: the product (SKU) filings, read by every inventory line. Their own token, so that the
  thousands of product filings a day do not empty the enterprise caches.
* ``account``: what an API key stands for (the key, its account, the delegations to the account's
  enterprise, the tenant tree), read by every ``POST /ceb``. Writing a key's last use (once a minute per key)
  and an account's last sign-in are not changes of who the caller is: those columns are left out of the
  triggers, so they do not empty the cache of every other caller's identity.

Both are per-row triggers deferred to the commit on PostgreSQL (no deadlock on the token row, as for
filings), plain triggers on SQLite. A later migration that rebuilds one of these tables on SQLite (batch
mode) must create them again.
"""

from __future__ import annotations

from alembic import op

revision = "perf02"
down_revision = "perf01"
branch_labels = None
depends_on = None

# (token, table, the columns whose update counts; None: every column)
WATCHED: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("product", "product", None),
    ("account", "api_key", ("account_id", "key_hash", "prefix", "scopes", "expires_at", "revoked_at")),
    ("account", "account", ("username", "role", "agency", "enterprise_code", "tenant", "active")),
    ("account", "delegation", None),
    ("account", "tenant", None),
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, columns in WATCHED:
        if postgres:
            _postgres_triggers(name, table, columns)
        else:
            _sqlite_triggers(name, table, columns)


def _postgres_triggers(name: str, table: str, columns: tuple[str, ...] | None) -> None:
    bump = f"EXECUTE FUNCTION cbec_bump_data_revision('{name}')"
    update = "UPDATE" if columns is None else f"UPDATE OF {', '.join(columns)}"
    op.execute(
        f"CREATE CONSTRAINT TRIGGER {table}_revision AFTER INSERT OR {update} OR DELETE ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {bump}"
    )
    op.execute(f"CREATE TRIGGER {table}_revision_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT {bump}")


def _sqlite_triggers(name: str, table: str, columns: tuple[str, ...] | None) -> None:
    for action in ("INSERT", "UPDATE", "DELETE"):
        event = f"UPDATE OF {', '.join(columns)}" if action == "UPDATE" and columns is not None else action
        op.execute(
            f"CREATE TRIGGER {table}_revision_{action.lower()} AFTER {event} ON {table} BEGIN "
            "INSERT OR REPLACE INTO data_revision (name, token) "
            f"VALUES ('{name}', lower(hex(randomblob(16)))); END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, table, _columns in WATCHED:
        if postgres:
            for trigger in ("revision", "revision_truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger} ON {table}")
        else:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{action}")
        op.execute(f"DELETE FROM data_revision WHERE name = '{name}'")
