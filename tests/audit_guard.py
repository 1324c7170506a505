"""The audit tables' append-only triggers, lifted for one transaction the way a table owner or superuser can.

PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER USER`` (and ENABLE again) inside the transaction; SQLite: the
triggers are dropped and made again from their own definitions. Used by the test cleaner, which empties every
table between tests, and by the tamper tests, which play an attacker holding the database's superuser.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, text

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
