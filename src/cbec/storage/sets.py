"""Set membership whose SQL text does not depend on the set's size (集合条件).

``column IN (:v1, :v2, …)`` is a new SQL text for every list length: SQLAlchemy expands it on each execution,
psycopg converts the new text again, and PostgreSQL parses and plans it again, never preparing it. On
PostgreSQL ``column = ANY(:values)`` sends the whole set as one array parameter: one text whatever the count,
compiled once, converted once and, after a few executions, prepared by the server. Elsewhere (SQLite) the
plain ``IN`` stays. The hot intake reads (the working set of a message, its quota accounts, the measures in
force) ask their sets this way. A key of several columns is asked as one set per column (``any_key``, a
superset), and the rows are sorted back to the keys asked for (``group_by``) and kept with what the message adds
(``add_once``): what the import and export working sets share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def postgres(session: Session) -> bool:
    """Tell whether the session's database is PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def one_of(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """Return "column is one of these values", one SQL text for any number of values on PostgreSQL."""
    wanted = list(values)
    if postgres(session):
        return column == any_(bindparam(None, wanted, type_=ARRAY(column.type)))
    return column.in_(wanted)


def any_key(session: Session, columns: Sequence[Any], keys: Sequence[tuple[Any, ...]]) -> list[ColumnElement[bool]]:
    """Return "each column is one of the keys' values in its place", or no condition for no keys.

    A superset of the keys themselves (the pairs are not matched as pairs): the caller keeps the rows whose key it
    asked for.
    """
    if not keys:
        return []
    return [and_(*(one_of(session, column, sorted({key[i] for key in keys})) for i, column in enumerate(columns)))]


Row = TypeVar("Row")
K = TypeVar("K")


def group_by(rows: Iterable[Row], key: Callable[[Row], K], wanted: Iterable[K]) -> dict[K, list[Row]]:
    """Return the rows of each wanted key (an empty list for a key without rows); rows of other keys are dropped."""
    found: dict[K, list[Row]] = {k: [] for k in wanted}
    for row in rows:
        bucket = found.get(key(row))
        if bucket is not None:
            bucket.append(row)
    return found


def add_once(bucket: list[Row] | None, row: Row) -> None:
    """Add a row to a key's list unless the list is not held (None) or holds this very row already."""
    if bucket is not None and not any(existing is row for existing in bucket):
        bucket.append(row)
