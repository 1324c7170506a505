"""Race-safe insert-if-absent (插入或忽略) on SQLite and PostgreSQL; the dialect branch lives here only."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, TextClause, insert, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.storage.bulk import bind_processors, bound


def insert_ignore(
    session: Session, table: Table | type[Any], values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> bool:
    """Insert a row unless one with the same conflict columns exists; tell whether a row was inserted.

    On PostgreSQL and SQLite this is INSERT … ON CONFLICT (…) DO NOTHING: a concurrent inserter of the same
    key waits for the first transaction and then does nothing, so neither fails. Other dialects fall back to a
    savepoint that swallows the unique violation. Runs in the caller's transaction and never commits.
    """
    target: Table = table if isinstance(table, Table) else table.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_stmt = pg_insert(target).values(dict(values)).on_conflict_do_nothing(index_elements=list(conflict_columns))
        return _inserted(session.execute(pg_stmt))
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite_stmt = (
            sqlite_insert(target).values(dict(values)).on_conflict_do_nothing(index_elements=list(conflict_columns))
        )
        return _inserted(session.execute(lite_stmt))
    try:
        with session.begin_nested():
            session.execute(insert(target).values(dict(values)))
    except IntegrityError:
        return False
    return True


def insert_ignore_returning_id(
    session: Session, table: type[Any], values: Mapping[str, Any], conflict_columns: Sequence[str]
) -> int | None:
    """Insert a row unless one with the same conflict columns exists; return the new row's id, or None.

    One statement on PostgreSQL and SQLite (INSERT … ON CONFLICT DO NOTHING RETURNING id): a concurrent inserter of
    the same key waits for the first transaction, then gets None and may read the committed row. Other dialects
    use a savepoint that swallows the unique violation. Runs in the caller's transaction and never commits.
    """
    target: Table = table.__table__
    dialect = session.get_bind().dialect.name
    if dialect in {"postgresql", "sqlite"}:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
        stmt = (
            dialect_insert(target)
            .values(dict(values))
            .on_conflict_do_nothing(index_elements=list(conflict_columns))
            .returning(target.c.id)
        )
        found = session.execute(stmt).scalar_one_or_none()
        return int(found) if found is not None else None
    try:
        with session.begin_nested():
            inserted = session.execute(insert(target).values(dict(values)).returning(target.c.id)).scalar_one()
    except IntegrityError:
        return None
    return int(inserted)


def insert_ignore_many(
    session: Session, table: Table | type[Any], rows: Sequence[Mapping[str, Any]], conflict_columns: Sequence[str]
) -> None:
    """Insert the rows that are absent, in one statement on PostgreSQL and SQLite (see ``insert_ignore``).

    Rows are inserted in the order given; callers that may race pass them sorted by key, so that two
    transactions wait on each other's keys in one order.
    """
    if not rows:
        return
    target: Table = table if isinstance(table, Table) else table.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        names = list(rows[0])
        pg = session.get_bind().dialect
        processors = bind_processors(target, names, pg)
        arrays = {
            name: [bound(process, row[name]) for row in rows] for name, process in zip(names, processors, strict=True)
        }
        session.execute(_unnest_insert(target, tuple(names), tuple(conflict_columns), pg), arrays)
        return
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite_stmt = sqlite_insert(target).values([dict(r) for r in rows])
        session.execute(lite_stmt.on_conflict_do_nothing(index_elements=list(conflict_columns)))
        return
    for row in rows:
        insert_ignore(session, target, row, conflict_columns)


def _inserted(result: Any) -> bool:
    return bool(result.rowcount == 1)


@functools.lru_cache(maxsize=64)
def _unnest_insert(table: Table, names: tuple[str, ...], conflict: tuple[str, ...], dialect: Dialect) -> TextClause:
    """Return INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING: one SQL text whatever the row count.

    A multi-row VALUES statement is new SQL for every row count (compiled and parsed again each time); this one
    takes one array per column and keeps the rows' order, so it is prepared once per process. For columns of
    scalar types (text, numbers, dates), as the callers' are.
    """
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in names)
    return text(
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    )


def upsert_many(
    session: Session,
    table: Table | type[Any],
    rows: Sequence[Mapping[str, Any]],
    conflict_columns: Sequence[str],
    changes: Any,
) -> None:
    """Insert the rows, or update the existing row of the same conflict columns (INSERT … ON CONFLICT (…) DO UPDATE
    SET …): one statement, compiled once, executed for every row, on PostgreSQL and SQLite.

    ``changes(target, excluded)`` returns the SET mapping, e.g. ``{"value": target.c.value + excluded.value}`` to add
    to a counter. Callers pass rows sorted by key, so two transactions wait on each other's keys in one order. Other
    dialects are not supported (ValueError)."""
    if not rows:
        return
    target: Table = table if isinstance(table, Table) else table.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    else:
        raise ValueError(f"upsert_many supports PostgreSQL and SQLite, not {dialect}")
    stmt = dialect_insert(target)
    upsert = stmt.on_conflict_do_update(index_elements=list(conflict_columns), set_=changes(target, stmt.excluded))
    session.execute(upsert, [dict(r) for r in rows])  # executemany of one compiled statement (cached)
