"""Commit-time sequencing of append-only journals (日志定序): the audit chain and the event outbox.

A journal row is added to the session like any other row, without its position. When the outermost
transaction commits, the rows added to each journal are given consecutive positions while the
journal's head row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite writers are serialised
anyway). The lock is held only from that moment to the commit, so positions follow commit order:
a reader that sees position n has seen every position below it, and concurrent writers cannot
interleave a chain. Rows added inside a savepoint that rolls back are expunged by the session and
so never sequenced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cbec.audit.models import JournalHead
from cbec.storage.upsert import insert_ignore

GENESIS_HASH = "0" * 64
_PENDING = "cbec.journal.pending"

Seal = Callable[[list[Any], JournalHead], None]
_SEALS: dict[str, Seal] = {}


def register_journal(name: str, seal: Seal) -> None:
    """Register how the rows of a journal are sealed (given positions) against its locked head."""
    _SEALS[name] = seal


def append(session: Session, journal: str, row: Any) -> None:
    """Add a row to a journal in the current transaction; it is sequenced when the transaction commits."""
    if journal not in _SEALS:
        raise KeyError(f"journal {journal!r} is not registered")
    session.add(row)
    session.info.setdefault(_PENDING, {}).setdefault(journal, []).append(row)


def lock_head(session: Session, journal: str) -> JournalHead:
    """Return a journal's head row, created if absent and locked until the transaction ends."""
    insert_ignore(session, JournalHead, {"name": journal, "last_seq": 0, "last_hash": GENESIS_HASH}, ["name"])
    stmt = (
        select(JournalHead)
        .where(JournalHead.name == journal)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    """Sequence the journal rows of the committing transaction, journal by journal in name order."""
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit seals
    pending: dict[str, list[Any]] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # everything else first, so the head stays locked only for the journal rows
    for journal in sorted(pending):
        rows = [row for row in pending[journal] if row in session]
        if rows:
            _SEALS[journal](rows, lock_head(session, journal))
    session.flush()
