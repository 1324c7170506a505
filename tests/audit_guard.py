"""The audit tables' append-only triggers, lifted for one transaction the way a table owner or superuser can.

PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER USER`` (and ENABLE again) inside the transaction; SQLite: the
triggers are dropped and made again from their own definitions. Used by the test cleaner, which empties every
table between tests, and by the tamper tests, which play an attacker holding the database's superuser
(``reseal``: records changed and their transactions sealed again by the per-transaction rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, text, update

from cbec.audit.models import AuditRecord
from cbec.audit.rules import GENESIS_HASH, ChainKey, transaction_seal

PROTECTED = ("audit_record", "journal_head")


@contextmanager
def triggers_lifted(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction where audit records and the chain head can be changed at will."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in PROTECTED:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield conn
            for table in PROTECTED:
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        saved = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN :tables").bindparams(
                bindparam("tables", PROTECTED, expanding=True)
            )
        ).all()
        for name, _sql in saved:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield conn
        for _name, sql in saved:
            conn.exec_driver_sql(sql)


def reseal(engine: Engine, key: ChainKey, *, start: int, changes: dict[int, dict[str, Any]] | None = None) -> None:
    """Play an attacker who changes records and re-seals, by the per-transaction rule and a key, from a position on.

    ``changes`` maps positions to new field values. Every transaction (records up to the next one holding a seal)
    from the one holding ``start`` on gets a new seal under ``key``, chained from the seal before it; the head
    follows. With the triggers lifted, as a superuser can.
    """
    changes = changes or {}
    with triggers_lifted(engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(AuditRecord.__table__).order_by(AuditRecord.seq))]
        previous, group = GENESIS_HASH, []
        for row in rows:
            row.update(changes.get(row["seq"], {}))
            group.append(row)
            if row["hash"] is None:
                continue
            last = group[-1]
            if last["seq"] >= start:
                last["prev_hash"], last["hash"] = previous, transaction_seal(previous, group, key)
            for r in group:
                conn.execute(
                    update(AuditRecord.__table__).where(AuditRecord.__table__.c.id == r["id"]),
                    {k: v for k, v in r.items() if k != "id"},
                )
            previous, group = last["hash"], []
        conn.execute(text("UPDATE journal_head SET last_hash = :h WHERE name = 'audit'"), {"h": previous})
