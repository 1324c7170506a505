"""Transaction-scoped locks on business keys (业务键锁), so documents that meet are joined once.

PostgreSQL: advisory transaction locks. SQLite: writers are already serialised by BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Hold a lock on each key until the transaction ends (sorted, so lockers never deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ordered = sorted(set(keys))
    if len(ordered) == 1:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": ordered[0]})
    elif ordered:
        # One round trip; the rows of unnest come (and lock) in array order, so the order stays sorted.
        session.execute(
            text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest(CAST(:keys AS text[])) AS k"),
            {"keys": ordered},
        )
