"""Migration trust02: records chained before it stay version 1 and verify; the triggers come and go with it.

Runs on SQLite, and on PostgreSQL (a database of its own) when CBEC_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from tests.conftest import _fresh_postgres, _pg

from cbec.audit import record_audit
from cbec.audit.rules import GENESIS_HASH, record_hash
from cbec.audit.service import verify_audit_chain
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
INSERT = text(
    'INSERT INTO audit_record (at, actor, action, entity_type, entity_key, "before", "after", reason, seq, prev_hash,'
    " hash) VALUES (:at, 'officer', 'x.y.done', 't', :key, NULL, NULL, NULL, :seq, :prev, :hash)"
)


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: SQLite, or a fresh PostgreSQL database in a PostgreSQL run."""
    base = os.environ.get("CBEC_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    url, name = _fresh_postgres(base)
    try:
        yield url
    finally:
        admin = create_engine(_pg(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def triggers(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = (
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relname IN ('audit_record', 'journal_head') ORDER BY 1"
            )
        else:
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_record', 'journal_head') ORDER BY 1"
            )
        return list(conn.scalars(text(query)))


def test_upgrade_keeps_old_records_verifiable_and_protects_the_table_downgrade_undoes_it(
    scratch_url: str, tmp_path: Path
) -> None:
    upgrade(scratch_url, "perf02")
    engine = make_engine(scratch_url)
    previous = GENESIS_HASH
    with engine.begin() as conn:  # records sealed as trust01 sealed them (unkeyed)
        for seq in (1, 2):
            fields = {
                "seq": seq,
                "at": AT,
                "actor": "officer",
                "action": "x.y.done",
                "entity_type": "t",
                "entity_key": f"old-{seq}",
                "before": None,
                "after": None,
                "reason": None,
                "prev_hash": previous,
            }
            digest = record_hash(fields)
            conn.execute(INSERT, {"at": AT, "key": f"old-{seq}", "seq": seq, "prev": previous, "hash": digest})
            previous = digest
        last_id = conn.scalar(text("SELECT max(id) FROM audit_record"))
        conn.execute(
            text("INSERT INTO journal_head (name, last_seq, last_hash, last_row_id) VALUES ('audit', 2, :h, :i)"),
            {"h": previous, "i": last_id},
        )

    upgrade(scratch_url, "trust02")
    postgres = engine.dialect.name == "postgresql"
    expected = (
        [
            "audit_record_append_only",
            "audit_record_no_truncate",
            "journal_head_audit_forward",
            "journal_head_no_truncate",
        ]
        if postgres
        else [
            "audit_record_no_delete",
            "audit_record_no_update",
            "journal_head_audit_no_delete",
            "journal_head_audit_no_rewind",
        ]
    )
    assert triggers(engine) == expected
    with engine.connect() as conn:
        assert list(conn.scalars(text("SELECT chain_version FROM audit_record ORDER BY seq"))) == [1, 1]
    with pytest.raises(DBAPIError, match="the audit trail is append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_record SET reason = 'changed'"))

    ctx = build_context(
        Settings(data_dir=tmp_path, database_url=scratch_url, data_key=base64.b64encode(b"k" * 32).decode())
    )
    try:
        with ctx.uow() as uow:
            record_audit(uow.session, at=AT, actor="officer", action="x.y.done", entity_type="t", entity_key="new-3")
            uow.commit()
        report = verify_audit_chain(ctx)
        assert (report.ok, report.checked, report.unkeyed, report.keyed_from) == (True, 3, 2, 3)
    finally:
        ctx.engine.dispose()

    command.downgrade(alembic_config(scratch_url), "perf02")
    assert triggers(engine) == []
    assert "chain_version" not in {c["name"] for c in inspect(engine).get_columns("audit_record")}
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_record SET reason = 'allowed again' WHERE seq = 1"))
    upgrade(scratch_url, "trust02")
    assert triggers(engine) == expected
    engine.dispose()
