"""Bulk rows by COPY (批量写入) on PostgreSQL, in the session's transaction.

Many rows of one table written by an INSERT go through the ORM's or Core's parameter processing and one
Bind/Execute per row; ``COPY … FROM STDIN`` sends them as one stream the server loads in one pass. Values are
first converted by each column's own type (the same bind processing an INSERT does: UTC timestamps, JSON
text, decimals), so what is stored is what the INSERT would have stored. The statement is reported to the
engine's ``before_cursor_execute`` listeners like any other, so statement counts stay honest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


class Values(SimpleNamespace):
    """A row to be written by a bulk statement: its column values by attribute name, later its id.

    Not an ORM object: such rows (journal records, receipts) are written once and never change in the
    transaction, so they need none of the ORM's per-object bookkeeping and never enter the session.
    """


def copy_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write the rows (every one with the same columns, by column name) with one COPY; PostgreSQL only."""
    if not rows:
        return
    names = list(rows[0])
    connection = session.connection()
    processors = bind_processors(table, names, connection.dialect)
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    connection.dispatch.before_cursor_execute(connection, None, statement, (), None, False)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([bound(process, row[name]) for process, name in zip(processors, names, strict=True)])


def bind_processors(table: Table, names: Sequence[str], dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    """Return each named column's bind processing (what an INSERT does to a value before sending it)."""
    return [table.c[name].type._cached_bind_processor(dialect) for name in names]


def bound(process: Callable[[Any], Any] | None, value: Any) -> Any:
    """Return a value as the database driver should receive it (None stays None)."""
    return value if process is None or value is None else process(value)


def columns_of(model: type[Any]) -> list[tuple[str, str]]:
    """Return (attribute, column) names of a model's columns, its generated id left out."""
    return [(attr.key, attr.columns[0].key) for attr in inspect(model).column_attrs if not attr.columns[0].primary_key]
