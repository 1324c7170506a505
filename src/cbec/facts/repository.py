"""All SQL of trade facts (贸易事实): writes in the caller's transaction, reads for the backfill; never commits.

Changes to an inventory's facts are one statement for the whole inventory (``WHERE direction AND eport_no``), never
one per line; new rows are plain column values written in one statement (COPY on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy import insert as insert_
from sqlalchemy.orm import Session

from cbec.facts.models import TradeFact
from cbec.facts.rules import FactStatus
from cbec.storage.bulk import copy_rows

# Columns a comparison of facts leaves out: the row's own id and when it was last written.
_BOOKKEEPING = frozenset({"id", "updated_at"})
TABLE: Table = TradeFact.__table__  # type: ignore[assignment]  # written by Core: one statement per inventory
COMPARED = tuple(c.key for c in TABLE.columns if c.key not in _BOOKKEEPING)


def insert(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write new fact rows in one statement: COPY on PostgreSQL, a multi-row INSERT elsewhere (ids by the table)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        copy_rows(session, TABLE, rows)
    else:
        session.execute(insert_(TABLE), list(rows))


def remove(session: Session, direction: str, eport_no: str) -> None:
    """Delete every fact row of an inventory (one statement)."""
    table = TABLE
    session.execute(delete(table).where(table.c.direction == direction, table.c.eport_no == eport_no))


def change(session: Session, direction: str, eport_no: str, values: Mapping[str, Any]) -> None:
    """Write changed columns to every fact row of an inventory (one UPDATE).

    A line whose goods came back stays ``returned`` when its inventory later closes: only a cancel overrides it.
    """
    table = TABLE
    stmt = update(table).where(table.c.direction == direction, table.c.eport_no == eport_no).values(**values)
    if values.get("status") not in (None, FactStatus.CANCELLED.value):
        stmt = stmt.where(table.c.status != FactStatus.RETURNED.value)
    session.execute(stmt)


def change_many(session: Session, changes: Mapping[tuple[str, str], Mapping[str, Any]], *, at: datetime) -> None:
    """Write the changes of many inventories: one batched UPDATE (executemany) per set of changed columns."""
    groups: dict[tuple[tuple[str, ...], bool], list[dict[str, Any]]] = {}
    for (direction, eport_no), values in changes.items():
        keep_returned = values.get("status") not in (None, FactStatus.CANCELLED.value)
        batch = groups.setdefault((tuple(sorted(values)), keep_returned), [])
        batch.append(
            {"key_direction": direction, "key_eport_no": eport_no, **{f"new_{k}": v for k, v in values.items()}}
        )
    table = TABLE
    for (names, keep_returned), batch in groups.items():
        stmt = (
            update(table)
            .where(table.c.direction == bindparam("key_direction"), table.c.eport_no == bindparam("key_eport_no"))
            .values(updated_at=at, **{name: bindparam(f"new_{name}") for name in names})
        )
        if keep_returned:
            stmt = stmt.where(table.c.status != FactStatus.RETURNED.value)
        session.connection().execute(stmt, batch)


def mark_returned(session: Session, direction: str, eport_no: str, line_nos: Sequence[int], *, at: datetime) -> None:
    """Mark some lines of an inventory as returned (one UPDATE)."""
    table = TABLE
    session.execute(
        update(table)
        .where(table.c.direction == direction, table.c.eport_no == eport_no, table.c.line_no.in_(list(line_nos)))
        .values(status=FactStatus.RETURNED.value, updated_at=at)
    )


def facts_of(session: Session, direction: str, eport_no: str) -> list[dict[str, Any]]:
    """Return the fact rows of an inventory as column values (bookkeeping left out), by line number."""
    table = TABLE
    rows = session.execute(
        select(*(table.c[name] for name in COMPARED))
        .where(table.c.direction == direction, table.c.eport_no == eport_no)
        .order_by(table.c.line_no)
    ).mappings()
    return [dict(row) for row in rows]


def eport_nos_with_facts(session: Session, direction: str) -> set[str]:
    """Return the E-port numbers whose inventories have fact rows."""
    table = TABLE
    return set(session.scalars(select(table.c.eport_no).where(table.c.direction == direction).distinct()))
