"""Readiness of the database (就绪检查): reachable, and its schema at the migrations' head."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether the database serves requests; ``reason`` says why not."""

    ready: bool
    reason: str
    revision: tuple[str, ...] = ()
    head: tuple[str, ...] = ()


@cache
def migration_heads() -> tuple[str, ...]:
    """Return the head revisions of the migration scripts (read once per process)."""
    from alembic.script import ScriptDirectory

    from cbec.storage.migrate import alembic_config

    return tuple(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


def check_database(engine: Engine) -> Readiness:
    """Ask the database for its schema revision on a plain DBAPI connection (no write lock, no transaction kept)."""
    head = migration_heads()
    try:
        connection = engine.raw_connection()
    except Exception as exc:  # any driver's connection failure: the database is not there
        return Readiness(False, f"database unreachable: {_first_line(exc)}", (), head)
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT version_num FROM alembic_version")
            revision = tuple(sorted(str(row[0]) for row in cursor.fetchall()))
        finally:
            cursor.close()
    except Exception as exc:  # no alembic_version table, or the connection broke mid-query
        return Readiness(False, f"schema revision unknown: {_first_line(exc)}", (), head)
    finally:
        try:
            connection.rollback()
        finally:
            connection.close()
    if revision != head:
        reason = "database schema is not at the migrations' head (run `cbec db upgrade`)"
        return Readiness(False, reason, revision, head)
    return Readiness(True, "ok", revision, head)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
