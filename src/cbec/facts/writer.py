"""The trade facts one transaction writes (事实登记): new rows with the document, changes once per inventory.

A handler makes one call where it stores an inventory (``stored``) and one where its status changes (``moved``).
New rows are plain column values, changed in memory while the transaction goes on. Deferred (intake: ``defer``
once, ``flush`` once before the commit), a message's new rows go out in one COPY on PostgreSQL (one multi-row
INSERT elsewhere) and its changes to facts written earlier in one batched UPDATE; not deferred (officers' use
cases), each change is one UPDATE for the whole inventory at once. Either way nothing is written when what the
facts hold does not change (120 → 399, both ``waiting``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.facts import repository as repo
from cbec.facts.rules import Direction, FactHeader, FactLine, FactStatus, Rates, fact_rows

_MOVING = (
    "status",
    "inventory_no",
    "released_at",
    "released_on",
    "payer_key",
    "phone_key",
    "payment_code",
    "consignee_region",
)
Key = tuple[str, str]  # (direction, E-port number)


@dataclass(slots=True)
class FactBook:
    """Writes the trade facts of one transaction's inventories, in that transaction."""

    session: Session
    rates: Rates
    now: datetime
    deferred: bool = False
    _fresh: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)  # new rows not written yet
    _known: dict[Key, dict[str, Any]] = field(default_factory=dict)  # what the facts hold, where known
    _staged: dict[Key, dict[str, Any]] = field(default_factory=dict)  # to go with the next status change
    _changes: dict[Key, dict[str, Any]] = field(default_factory=dict)  # deferred changes to written facts
    _returned: dict[Key, set[int]] = field(default_factory=dict)  # deferred returned lines of written facts

    def defer(self) -> None:
        """Keep every write until ``flush`` (the caller promises to call it before the commit)."""
        self.deferred = True

    def stored(self, header: FactHeader, lines: Iterable[FactLine], *, replaces: bool) -> None:
        """Add the facts of an inventory just stored; ``replaces``: it was stored before (a change), drop those."""
        key = (header.direction.value, header.eport_no)
        if self._fresh.pop(key, None) is None and replaces:
            repo.remove(self.session, *key)
        self._changes.pop(key, None)
        self._returned.pop(key, None)
        rows = fact_rows(header, lines, self.rates, now=self.now)
        self._known[key] = {name: rows[0][name] for name in _MOVING} if rows else {}
        self._fresh[key] = rows
        if not self.deferred:
            self._write_fresh()

    def stage(self, direction: Direction, eport_no: str, values: Mapping[str, Any]) -> None:
        """Keep values (partners' keys) to be written with the inventory's next status change."""
        self._staged.setdefault((direction.value, eport_no), {}).update(values)

    def moved(self, direction: Direction, eport_no: str, values: Mapping[str, Any]) -> None:
        """Bring the facts of an inventory up to date after a status change (at most one UPDATE)."""
        key = (direction.value, eport_no)
        changes = {**self._staged.pop(key, {}), **values}
        known = self._known.get(key)
        if known is not None:
            changes = {name: value for name, value in changes.items() if name not in known or known[name] != value}
            if not changes:
                return
        self._known.setdefault(key, {}).update(changes)
        fresh = self._fresh.get(key)
        if fresh is not None:
            for row in fresh:
                row.update(changes)
        elif self.deferred:
            self._changes.setdefault(key, {}).update(changes)
        else:
            repo.change(self.session, *key, {**changes, "updated_at": self.now})

    def returned(self, direction: Direction, eport_no: str, line_nos: Sequence[int]) -> None:
        """Mark the lines whose goods came back as returned (one UPDATE for those lines)."""
        if not line_nos:
            return
        key = (direction.value, eport_no)
        fresh = self._fresh.get(key)
        if fresh is not None:
            for row in fresh:
                if row["line_no"] in line_nos:
                    row["status"] = FactStatus.RETURNED.value
        elif self.deferred:
            self._returned.setdefault(key, set()).update(line_nos)
        else:
            repo.mark_returned(self.session, *key, line_nos, at=self.now)

    def flush(self) -> None:
        """Write what was deferred: new rows in one statement, changes in one batch, returned lines."""
        self._write_fresh()
        if self._changes:
            repo.change_many(self.session, self._changes, at=self.now)
            self._changes.clear()
        for key, line_nos in self._returned.items():
            repo.mark_returned(self.session, *key, sorted(line_nos), at=self.now)
        self._returned.clear()

    def _write_fresh(self) -> None:
        rows = [row for rows in self._fresh.values() for row in rows]
        self._fresh.clear()
        repo.insert(self.session, rows)


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
    repo.insert(session, rows)
    return "replaced" if stored else "inserted"
