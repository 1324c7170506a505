"""All SQL of trade facts (贸易事实): writes in the caller's transaction, reads for the backfill; never commits.

Changes to an inventory's facts are one statement for the whole inventory (``WHERE direction AND eport_no``), never
one per line; new rows are added to the session, so an import message's go out with its COPY.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cbec.facts.models import TradeFact
from cbec.facts.rules import FactStatus

# Columns a comparison of facts leaves out: the row's own id and when it was last written.
_BOOKKEEPING = frozenset({"id", "updated_at"})
COMPARED = tuple(c.key for c in TradeFact.__table__.columns if c.key not in _BOOKKEEPING)


def add(session: Session, rows: Iterable[Mapping[str, Any]]) -> list[TradeFact]:
    """Add fact rows to the session (written by its next flush, or by COPY) and return them."""
    facts = [TradeFact(**row) for row in rows]
    session.add_all(facts)
    return facts


def remove(session: Session, direction: str, eport_no: str) -> None:
    """Delete every fact row of an inventory (one statement)."""
    table = TradeFact.__table__
    session.execute(delete(table).where(table.c.direction == direction, table.c.eport_no == eport_no))


def change(
    session: Session,
    direction: str,
    eport_no: str,
    values: Mapping[str, Any],
    *,
    line_nos: Sequence[int] | None = None,
) -> None:
    """Write changed columns to the fact rows of an inventory (one UPDATE), or to some of its lines only.

    A line whose goods came back stays ``returned`` when its inventory later closes: only a cancel overrides it.
    """
    table = TradeFact.__table__
    stmt = update(table).where(table.c.direction == direction, table.c.eport_no == eport_no).values(**values)
    if line_nos is not None:
        stmt = stmt.where(table.c.line_no.in_(list(line_nos)))
    elif values.get("status") not in (None, FactStatus.CANCELLED.value, FactStatus.RETURNED.value):
        stmt = stmt.where(table.c.status != FactStatus.RETURNED.value)
    session.execute(stmt)


def facts_of(session: Session, direction: str, eport_no: str) -> list[dict[str, Any]]:
    """Return the fact rows of an inventory as column values (bookkeeping left out), by line number."""
    table = TradeFact.__table__
    rows = session.execute(
        select(*(table.c[name] for name in COMPARED))
        .where(table.c.direction == direction, table.c.eport_no == eport_no)
        .order_by(table.c.line_no)
    ).mappings()
    return [dict(row) for row in rows]


def eport_nos_with_facts(session: Session, direction: str) -> set[str]:
    """Return the E-port numbers whose inventories have fact rows."""
    table = TradeFact.__table__
    return set(session.scalars(select(table.c.eport_no).where(table.c.direction == direction).distinct()))
