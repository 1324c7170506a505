"""Primary keys taken before the INSERT (主键预取), so a use case can batch its writes.

A use case that needs a new row's id at once (a receipt names its document; a tax bill its inventory) would
otherwise flush each row on its own, one INSERT … RETURNING per row. On PostgreSQL the ids come from the
table's own sequence instead, many per round trip (``SELECT nextval(…) FROM generate_series(1, n)``), and the
rows are written later by one flush in batched statements. SQLite has no sequence: ``take_id`` answers None
and the caller flushes the row to learn its id, as before.

Ids taken and not used leave gaps, as a rolled-back INSERT does; nothing reads meaning into an id's value
beyond its order within one transaction, which is kept (ids are handed out in ascending order).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_POOLS = "cbec.ids.pools"
MAX_BATCH = 1000


def take_id(session: Session, model: type[Any], *, batch: int = 1) -> int | None:
    """Return a new id for a row of the model's table, or None where the database gives ids only on INSERT.

    ``batch`` is how many rows of the table the caller expects to add in this transaction: that many ids (at
    most 1,000) are taken in one statement when the pool is empty.
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    table = model.__table__
    pools: dict[str, list[int]] = session.info.setdefault(_POOLS, {})
    pool = pools.setdefault(table.name, [])
    if not pool:
        count = max(1, min(batch, MAX_BATCH))
        rows = session.execute(
            # The sequence is looked up once per statement (a scalar subquery), not once per id: 10x less work.
            text(
                "SELECT nextval((SELECT pg_get_serial_sequence(:table, 'id'))::regclass) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        ).scalars()
        pool.extend(sorted((int(value) for value in rows), reverse=True))
    return pool.pop()


def take_ids(session: Session, model: type[Any], count: int) -> list[int] | None:
    """Return ``count`` new ids for rows of the model's table in ascending order (None where ids come on INSERT).

    What ``take_id`` gives one by one, in one call: ids left in the pool first, the rest in statements of at most
    ``MAX_BATCH``.
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    table = model.__table__
    pool: list[int] = session.info.setdefault(_POOLS, {}).setdefault(table.name, [])
    while len(pool) < count:
        rows = session.execute(
            text(
                "SELECT nextval((SELECT pg_get_serial_sequence(:table, 'id'))::regclass) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": min(count - len(pool), MAX_BATCH)},
        ).scalars()
        pool[:0] = sorted((int(value) for value in rows), reverse=True)  # above those pooled: taken after them
    taken = pool[len(pool) - count :]
    del pool[len(pool) - count :]
    taken.reverse()
    return taken


def add_with_id(session: Session, row: Any, *, batch: int = 1) -> None:
    """Add a new or changed row to the session; a new one gets its id now, without being written yet where possible.

    The id comes from the table's sequence (``take_id``), so a message's new rows are written together later (one
    COPY per table on PostgreSQL, ``cbec.storage.bulk.copy_new_rows``); where the database gives ids only on
    INSERT (SQLite) the row is flushed here.
    """
    if row.id is None:
        row.id = take_id(session, type(row), batch=batch)
    session.add(row)
    if row.id is None:
        session.flush()
