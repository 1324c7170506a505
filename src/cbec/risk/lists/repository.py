"""Storage of the external lists (外部名单): replace a kind's entries, read the entries."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cbec.risk.lists.models import RiskListEntry, RiskListLoad
from cbec.risk.lists.rules import ListEntry, ListKind


def replace(session: Session, load: RiskListLoad, entries: tuple[ListEntry, ...]) -> int:
    """Store a load and its entries in place of every loaded entry of its kind (the entries cases added stay);
    return how many were replaced."""
    old = (RiskListEntry.kind == load.kind) & RiskListEntry.case_id.is_(None)
    replaced = len(session.scalars(select(RiskListEntry.id).where(old)).all())
    session.execute(delete(RiskListEntry).where(old))
    session.add(load)
    session.flush()
    session.add_all(
        RiskListEntry(
            kind=e.kind.value,
            load_id=load.id,
            entry_key=e.key[:200],
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            data=dict(e.data),
        )
        for e in entries
    )
    session.flush()
    return replaced


def entries(session: Session, kind: ListKind | None = None) -> list[ListEntry]:
    """Return the loaded entries (of one kind, or all), in load order."""
    query = select(RiskListEntry).order_by(RiskListEntry.id)
    if kind is not None:
        query = query.where(RiskListEntry.kind == kind.value)
    return [
        ListEntry(ListKind(r.kind), r.entry_key, r.valid_from, r.valid_to, dict(r.data)) for r in session.scalars(query)
    ]


def entry_rows(session: Session, kind: ListKind | None = None) -> list[RiskListEntry]:
    """Return the stored entry rows (of one kind, or all), in id order (loads and cases' entries alike)."""
    query = select(RiskListEntry).order_by(RiskListEntry.id)
    if kind is not None:
        query = query.where(RiskListEntry.kind == kind.value)
    return list(session.scalars(query))


def last_loads(session: Session) -> dict[str, RiskListLoad]:
    """Return the latest load of each kind (by id)."""
    latest = select(func.max(RiskListLoad.id)).group_by(RiskListLoad.kind)
    return {row.kind: row for row in session.scalars(select(RiskListLoad).where(RiskListLoad.id.in_(latest)))}
