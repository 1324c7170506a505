"""The trade facts one transaction writes (事实登记): new rows with the document, changes once per inventory.

A handler makes one call where it stores an inventory (``stored``) and one where its status changes (``moved``).
Rows added in this transaction and not written yet are changed in memory, so they reach the database once, in
the message's COPY or flush; rows written earlier get one UPDATE for the whole inventory, and only when what the
facts hold really changes (120 → 399, both ``waiting``, writes nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from cbec.facts import repository as repo
from cbec.facts.models import TradeFact
from cbec.facts.rules import Direction, FactHeader, FactLine, FactStatus, Rates, fact_rows

_MOVING = ("status", "inventory_no", "released_at", "released_on", "payer_key", "phone_key", "payment_code")


@dataclass(slots=True)
class FactBook:
    """Writes the trade facts of one transaction's inventories, in that transaction."""

    session: Session
    rates: Rates
    now: datetime
    _fresh: dict[tuple[str, str], list[TradeFact]] = field(default_factory=dict)
    _known: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _staged: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def stored(self, header: FactHeader, lines: Iterable[FactLine], *, replaces: bool) -> None:
        """Add the facts of an inventory just stored; ``replaces``: it was stored before (a change), drop those."""
        key = (header.direction.value, header.eport_no)
        fresh = self._fresh.pop(key, None)
        if fresh is not None and _unwritten(fresh):
            for fact in fresh:
                self.session.expunge(fact)
        elif replaces or fresh is not None:
            repo.remove(self.session, *key)
        rows = fact_rows(header, lines, self.rates, now=self.now)
        self._fresh[key] = repo.add(self.session, rows)
        self._known[key] = {name: rows[0][name] for name in _MOVING} if rows else {}

    def stage(self, direction: Direction, eport_no: str, values: Mapping[str, Any]) -> None:
        """Keep values (partners' keys) to be written with the inventory's next status change."""
        self._staged.setdefault((direction.value, eport_no), {}).update(values)

    def moved(self, direction: Direction, eport_no: str, values: Mapping[str, Any]) -> None:
        """Bring the facts of an inventory up to date after a status change (at most one UPDATE)."""
        key = (direction.value, eport_no)
        changes = {**self._staged.pop(key, {}), **values}
        known = self._known.get(key)
        if known is not None:
            changes = {name: value for name, value in changes.items() if known.get(name, _UNKNOWN) != value}
            if not changes:
                return
        fresh = self._fresh.get(key)
        if fresh is not None and _unwritten(fresh):
            for fact in fresh:
                for name, value in changes.items():
                    setattr(fact, name, value)
        else:
            repo.change(self.session, *key, {**changes, "updated_at": self.now})
        self._known.setdefault(key, {}).update(changes)

    def returned(self, direction: Direction, eport_no: str, line_nos: Sequence[int]) -> None:
        """Mark the lines whose goods came back as returned (one UPDATE for those lines)."""
        if not line_nos:
            return
        key = (direction.value, eport_no)
        fresh = self._fresh.get(key)
        if fresh is not None and _unwritten(fresh):
            for fact in fresh:
                if fact.line_no in line_nos:
                    fact.status = FactStatus.RETURNED.value
            return
        repo.change(
            self.session, *key, {"status": FactStatus.RETURNED.value, "updated_at": self.now}, line_nos=line_nos
        )


class _Unknown:
    """Stands for a column value the book has not seen."""


_UNKNOWN = _Unknown()


def _unwritten(facts: list[TradeFact]) -> bool:
    """Tell whether rows added to the session are still waiting for their INSERT or COPY."""
    return all(inspect(fact).pending for fact in facts)


# --- backfill -----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class BackfillReport:
    """What a backfill of one direction did: inventories seen, and how many had facts added, replaced or left."""

    direction: str
    inventories: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0


def sync_facts(session: Session, direction: Direction, eport_no: str, rows: list[dict[str, Any]]) -> str:
    """Make an inventory's stored facts equal to the rows built for it; return inserted, replaced or unchanged.

    Rows equal in every column but the id and ``updated_at`` are left alone, so running a backfill again changes
    nothing.
    """
    stored = repo.facts_of(session, direction.value, eport_no)
    wanted = sorted(({name: row[name] for name in repo.COMPARED} for row in rows), key=lambda row: row["line_no"])
    if stored == wanted:
        return "unchanged"
    if stored:
        repo.remove(session, direction.value, eport_no)
    repo.add(session, rows)
    session.flush()
    return "replaced" if stored else "inserted"
