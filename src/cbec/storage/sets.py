"""Set membership whose SQL text does not depend on the set's size (集合条件).

``column IN (:v1, :v2, …)`` is a new SQL text for every list length: SQLAlchemy expands it on each execution,
psycopg converts the new text again, and PostgreSQL parses and plans it again, never preparing it. On
PostgreSQL ``column = ANY(:values)`` sends the whole set as one array parameter: one text whatever the count,
compiled once, converted once and, after a few executions, prepared by the server. Elsewhere (SQLite) the
plain ``IN`` stays. The hot intake reads (the working set of a message, its quota accounts, the measures in
force) ask their sets this way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import any_, bindparam
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
