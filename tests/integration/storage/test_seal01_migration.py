"""Migration seal01: records sealed one by one before it still verify; older code can no longer append after it.

Runs on SQLite, and on PostgreSQL (a database of its own) when CBEC_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from tests.integration.storage.test_trust02_migration import scratch_url, triggers

from cbec.audit import record_audit
from cbec.audit.keys import key_for
from cbec.audit.rules import CHAIN_KEYED, CHAIN_UNKEYED, GENESIS_HASH, seal_hash
from cbec.audit.service import verify_audit_chain
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
REFUSED = "INSERT on audit_record refused: audit records are sealed per transaction"
INSERT = text(
    'INSERT INTO audit_record (at, actor, action, entity_type, entity_key, "before", "after", reason, seq, prev_hash,'
    " hash, chain_version) VALUES (:at, 'officer', 'x.y.done', 't', :key, NULL, NULL, NULL, :seq, :prev, :hash,"
    " :version)"
)


def append_one_by_one(engine: Engine, seq: int, previous: str, version: int, key_engine: Engine) -> str:
    """Append a record sealed on its own, as the code before seal01 did (and move the head onto it)."""
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
        "chain_version": version,
    }
    digest = seal_hash(fields, key_for(key_engine))
    with engine.begin() as conn:
        params = {"at": AT, "key": f"old-{seq}", "seq": seq, "prev": previous, "hash": digest, "version": version}
        conn.execute(INSERT, params)
        last_id = conn.scalar(text("SELECT max(id) FROM audit_record"))
        conn.execute(
            text(
                "INSERT INTO journal_head (name, last_seq, last_hash, last_row_id) VALUES ('audit', :s, :h, :i) "
                "ON CONFLICT (name) DO UPDATE SET last_seq = :s, last_hash = :h, last_row_id = :i"
            ),
            {"s": seq, "h": digest, "i": last_id},
        )
    return digest


def test_upgrade_keeps_per_record_seals_verifiable_and_refuses_older_code_downgrade_undoes_it(
    scratch_url: str, tmp_path: Path
) -> None:
    upgrade(scratch_url, "risk01")
    ctx = build_context(
        Settings(data_dir=tmp_path, database_url=scratch_url, data_key=base64.b64encode(b"k" * 32).decode())
    )
    engine = make_engine(scratch_url)
    try:
        previous = append_one_by_one(engine, 1, GENESIS_HASH, CHAIN_UNKEYED, ctx.engine)
        previous = append_one_by_one(engine, 2, previous, CHAIN_KEYED, ctx.engine)

        upgrade(scratch_url, "seal01")
        assert "audit_record_per_transaction" in triggers(engine)
        with pytest.raises(DBAPIError, match=REFUSED):  # what a process of the older code would append now
            append_one_by_one(engine, 3, previous, CHAIN_KEYED, ctx.engine)
        with ctx.uow() as uow:
            for key in ("new-3", "new-4"):
                record_audit(uow.session, at=AT, actor="officer", action="x.y.done", entity_type="t", entity_key=key)
            uow.commit()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT seq, chain_version, hash IS NULL FROM audit_record ORDER BY seq")).all()
        assert [tuple(r) for r in rows] == [(1, 1, False), (2, 2, False), (3, 3, True), (4, 3, False)]
        report = verify_audit_chain(ctx)
        assert (report.ok, report.checked, report.unkeyed, report.keyed_from) == (True, 4, 1, 2)

        command.downgrade(alembic_config(scratch_url), "risk01")
        assert "audit_record_per_transaction" not in triggers(engine)
        with engine.connect() as conn:
            functions = conn.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'cbec_audit_sealed_per_transaction'")
                if engine.dialect.name == "postgresql"
                else text("SELECT 0")
            ).scalar_one()
        assert functions == 0
        upgrade(scratch_url, "seal01")
        assert "audit_record_per_transaction" in triggers(engine)
        assert verify_audit_chain(ctx).ok
    finally:
        ctx.engine.dispose()
        engine.dispose()
