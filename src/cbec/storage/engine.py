"""Engine and session factory; every dialect difference lives in this package."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from cbec.storage.commit import rolled_back
from cbec.storage.revisions import note_writes

# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out again.
IDLE_PING_SECONDS = 5.0
_IDLE_SINCE = "cbec.idle_since"


def make_engine(url: str, *, idle_ping_seconds: float = IDLE_PING_SECONDS, **kwargs: Any) -> Engine:
    """Create an engine with the settings cbec needs on SQLite and PostgreSQL.

    On PostgreSQL a connection that waited in the pool for more than ``idle_ping_seconds`` is pinged before it is
    handed out (a server restart or an idle timeout may have closed it meanwhile); one in constant use is not.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # isolation_level=None hands transaction control to the BEGIN events below.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue instead of
            # failing later with "database is locked" on upgrade from a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, idle_ping_seconds)
    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Ping a pooled connection before its use only when it has been idle for a while (pessimistic, but cheap).

    ``pool_pre_ping`` pings on every checkout: one more round trip for every transaction, which a server process
    answering hundreds of one-document messages a second pays hundreds of times a second on connections it used a
    millisecond before. A connection that fails the ping is reported as disconnected, and the pool replaces it
    with a new one (SQLAlchemy's documented checkout recipe) before the caller sees it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < seconds:
            return  # just connected, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's own transaction: the caller begins its own
        except Exception as exc:  # whatever the driver raises for a dead connection
            raise DisconnectionError(f"pooled connection idle for {time.monotonic() - since:.0f} s is gone") from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Create the session factory used by units of work.

    Its sessions' flushes mark the revisions they write, and a rolled-back savepoint takes back the commit-time
    writes asked for inside it (``cbec.storage.commit``). Both only note or forget; nothing is written from a hook.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    event.listen(factory, "before_flush", note_writes)
    event.listen(factory, "after_soft_rollback", rolled_back)
    return factory


def is_postgres(engine: Engine) -> bool:
    """Tell whether the engine talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


# PostgreSQL settings that work against cbec, with why (read by `cbec serve` at start-up).
_SERVER_RISKS = (
    (
        "autovacuum",
        "off",
        "PostgreSQL autovacuum is off: planner statistics go stale as tables grow, and intake look-ups turn into "
        "scans of whole tables (turn it on, or run ANALYZE regularly; docs/scaling.md)",
    ),
    (
        "track_counts",
        "off",
        "PostgreSQL track_counts is off: autovacuum cannot tell which tables need ANALYZE (turn it on)",
    ),
    (
        "fsync",
        "off",
        "PostgreSQL fsync is off: a crash of the server can lose messages and receipts already answered",
    ),
    (
        "synchronous_commit",
        "off",
        "PostgreSQL synchronous_commit is off: the last commits before a crash can be lost after their receipts "
        "were answered",
    ),
)


def server_warnings(engine: Engine) -> list[str]:
    """Return what in the database server's settings works against cbec (none on SQLite)."""
    if not is_postgres(engine):
        return []
    names = [name for name, _bad, _why in _SERVER_RISKS]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, setting FROM pg_settings WHERE name = ANY(:names)"), {"names": names})
        settings = {str(name): str(setting) for name, setting in rows}
    return [why for name, bad, why in _SERVER_RISKS if settings.get(name) == bad]
