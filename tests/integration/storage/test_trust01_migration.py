"""Migration trust01 seals the audit records written before the chain existed, by its own frozen copy of the rule.

Runs on SQLite, and on PostgreSQL (a database of its own) when CBEC_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.audit.rules import GENESIS_HASH, record_hash
from cbec.storage.base import UtcDateTime
from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]

RECORDS = sa.table(
    "audit_record",
    sa.column("id", sa.BigInteger()),
    sa.column("at", UtcDateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_key", sa.String()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("reason", sa.Text()),
)
OLD = [
    {
        "at": datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        "actor": "officer",
        "action": "clearance.inventory.released",
        "entity_type": "inventory",
        "entity_key": "I-1",
        "before": {"status": "800"},
        "after": {"status": "899", "金额": "12.30"},
        "reason": None,
    },
    {
        "at": datetime(2026, 3, 2, 2, 0, 0, 500, tzinfo=UTC),
        "actor": "system",
        "action": "quota.consumed",
        "entity_type": "quota_account",
        "entity_key": "2026:k",
        "before": None,
        "after": {"used": "12.30"},
        "reason": "I-1",
    },
]


def test_upgrade_chains_old_records_as_the_audit_rule_does_and_downgrade_removes_the_chain(scratch_url: str) -> None:
    upgrade(scratch_url, "export01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(RECORDS.insert(), OLD)
    upgrade(scratch_url, "trust01")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, prev_hash, hash FROM audit_record ORDER BY id")).all()
        head = conn.execute(sa.text("SELECT name, last_seq, last_hash FROM journal_head")).all()
    first = record_hash({**OLD[0], "seq": 1, "prev_hash": GENESIS_HASH})
    second = record_hash({**OLD[1], "seq": 2, "prev_hash": first})
    assert [tuple(row) for row in rows] == [(1, GENESIS_HASH, first), (2, first, second)]
    assert [tuple(row) for row in head] == [("audit", 2, second)]

    command.downgrade(alembic_config(scratch_url), "export01")
    columns = {column["name"] for column in inspect(engine).get_columns("audit_record")}
    assert {"seq", "prev_hash", "hash"} & columns == set()
    upgrade(scratch_url, "head")
    engine.dispose()
