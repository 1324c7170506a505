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
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
