"""Commit-time sequencing of append-only journals (日志定序): the audit chain and the event outbox.

A journal row is kept aside by the transaction, without its position, and is not written before the commit. When
the outermost transaction commits, the rows appended to each journal are given consecutive positions while the
journal's head row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite writers are serialised anyway; a
transaction whose only sequenced journal just numbers its rows, the event outbox, locks and moves its head on with
one UPDATE … RETURNING instead) and are then written together, already sealed, in one batched INSERT per journal. A
journal's seal is called once per commit with all of its rows (the audit chain puts one keyed hash over them,
``cbec.audit.repository``) and the heads are written back in one statement. The lock is held only from that moment
to the commit, so positions follow commit order: a reader that sees position n has seen every position below it,
and concurrent writers cannot interleave a chain. Rows appended inside a savepoint that rolls back are dropped with
it; a rolled-back transaction writes none. Because the rows are written at commit, a query in the same transaction
does not see them yet (``flush_journals`` writes them early, sealed, where a caller must read them back: the rows
appended after that get a seal of their own at commit). The commit is the unit of work's commit step
(``cbec.storage.commit``): the first row appended in a transaction registers the journals' step there, and
``UnitOfWork.commit`` runs it — no session listener writes anything.

A journal registered without a seal (issued receipts) has no positions and no head: its rows are only kept
aside and written at commit the same way, before the heads are locked. Journal rows are plain values
(``cbec.storage.bulk.Values``), never ORM objects: written once, never changed in the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import BigInteger, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from cbec.audit.models import JournalHead
from cbec.storage.bulk import columns_of, copy_values
from cbec.storage.commit import JOURNALS, pending, take
from cbec.storage.ids import take_ids
from cbec.storage.upsert import insert_ignore_many

GENESIS_HASH = "0" * 64
SEQUENCE_BATCH = 16  # from this many rows, ids are read ahead from the sequence
_STEP = "journals"


@dataclass(slots=True)
class Head:
    """A journal head as read under its lock: where the next rows go (changed by sealing, written back once)."""

    name: str
    last_seq: int
    last_hash: str
    last_row_id: int | None


Seal = Callable[[list[Any], Head], None]
SessionSeal = Callable[[Session, list[Any], Head], None]  # a seal that needs the session (e.g. its engine's key)
_SEALS: dict[str, Seal | None] = {}
_SESSION_SEALS: dict[str, SessionSeal] = {}
_MODELS: dict[str, type[Any]] = {}
_NUMBERED_ONLY: set[str] = set()


def register_journal(
    name: str,
    seal: Seal | None,
    model: type[Any],
    *,
    session_seal: SessionSeal | None = None,
    numbered_only: bool = False,
) -> None:
    """Register a journal: its table, and how its rows are sealed (given positions) against its locked head.

    Without a seal the rows get no positions and the journal has no head: they are written at commit. A
    ``session_seal`` is given the committing session as well (and is used instead of ``seal``). ``numbered_only``
    says the seal only numbers the rows from the head's ``last_seq`` (no hash, no row id kept): a transaction that
    writes no other sequenced journal then moves the head on and locks it in one statement.
    """
    _SEALS[name] = seal
    _MODELS[name] = model
    if numbered_only:
        _NUMBERED_ONLY.add(name)
    else:
        _NUMBERED_ONLY.discard(name)
    if session_seal is not None:
        _SESSION_SEALS[name] = session_seal
    else:
        _SESSION_SEALS.pop(name, None)


def append(session: Session, journal: str, row: Any) -> None:
    """Append a row to a journal in the current transaction; it is sealed and written when the transaction commits.

    The row is tagged with the innermost transaction it was appended in, so that a savepoint rolled back
    takes its rows with it.
    """
    if journal not in _SEALS:
        raise KeyError(f"journal {journal!r} is not registered")
    held: dict[str, list[tuple[Any, Any]]] = pending(session, _STEP, dict, _write_pending, JOURNALS, _drop)
    scope = session.get_nested_transaction() or session.get_transaction()
    held.setdefault(journal, []).append((scope, row))


def _within(scope: Any, ended: Any) -> bool:
    """Tell whether a transaction is the ended one or nested inside it."""
    while scope is not None:
        if scope is ended:
            return True
        scope = scope.parent
    return False


def _drop(held: dict[str, list[tuple[Any, Any]]], savepoint: Any) -> None:
    """Forget the rows appended inside a savepoint that rolled back."""
    for journal, rows in held.items():
        held[journal] = [(scope, row) for scope, row in rows if not _within(scope, savepoint)]


def lock_heads(session: Session, journals: Sequence[str]) -> dict[str, Head]:
    """Lock the heads of these journals (created if absent) in one statement, in name order; return them.

    The locks are held until the transaction ends. The heads are read as plain values: ``write_heads`` puts
    them back after sealing.
    """
    names = sorted(set(journals))
    table = JournalHead.__table__
    stmt = select(table).where(table.c.name.in_(names)).order_by(table.c.name).with_for_update()
    heads = {row.name: Head(row.name, row.last_seq, row.last_hash, row.last_row_id) for row in session.execute(stmt)}
    if len(heads) < len(names):  # a journal's first transaction (a concurrent first one waits, then finds the row)
        missing = [{"name": n, "last_seq": 0, "last_hash": GENESIS_HASH} for n in names if n not in heads]
        insert_ignore_many(session, JournalHead, missing, ["name"])
        heads = {r.name: Head(r.name, r.last_seq, r.last_hash, r.last_row_id) for r in session.execute(stmt)}
    return heads


def reserve(session: Session, journal: str, count: int) -> Head | None:
    """Lock a numbered-only journal's head and move it on by ``count`` in one statement; return it as it was.

    The lock is held until the transaction ends, as ``lock_heads`` holds it. None when the head does not exist yet
    (the journal's first transaction creates it through ``lock_heads``).
    """
    row = session.execute(_reserve_statement(), {"journal": journal, "count": count}).first()
    if row is None:
        return None
    _expire_held(session, journal)
    return Head(journal, int(row.last_seq) - count, row.last_hash, row.last_row_id)


@cache
def _reserve_statement() -> Any:
    """The head's UPDATE … RETURNING, built once (building a statement costs more than running it)."""
    table = cast(Table, JournalHead.__table__)
    return (
        update(table)
        .where(table.c.name == bindparam("journal"))
        .values(last_seq=table.c.last_seq + bindparam("count", type_=BigInteger))
        .returning(table.c.last_seq, table.c.last_hash, table.c.last_row_id)
    )


def write_heads(session: Session, heads: Sequence[Head]) -> None:
    """Write sealed heads back in one statement; a head object the session already holds is expired."""
    table = cast(Table, JournalHead.__table__)
    stmt = (
        update(table)
        .where(table.c.name == bindparam("head"))
        .values(last_seq=bindparam("seq"), last_hash=bindparam("hash"), last_row_id=bindparam("row_id"))
    )
    params = [{"head": h.name, "seq": h.last_seq, "hash": h.last_hash, "row_id": h.last_row_id} for h in heads]
    session.connection().execute(stmt, params)  # Core, not the ORM's bulk UPDATE: the held heads are expired below
    for head in heads:
        _expire_held(session, head.name)


def _expire_held(session: Session, journal: str) -> None:
    """Expire a head the session holds as an ORM object, written behind its back by Core."""
    held = session.identity_map.get(identity_key(JournalHead, journal))
    if held is not None:
        session.expire(held)


def _write(session: Session, model: type[Any], rows: list[Any]) -> list[int]:
    """Insert sealed journal rows in one batched statement; return their ids in row order.

    For many rows, where the table's sequence can be read ahead (PostgreSQL), the ids are taken first and the
    rows loaded by one COPY of their values (the least work per row); otherwise one INSERT returns them.
    """
    columns, values_of = _layout(model)
    table = model.__table__
    with session.no_autoflush:  # the session's own rows were flushed before the journals
        if len(rows) >= SEQUENCE_BATCH:
            ids = take_ids(session, model, len(rows))
            if ids is not None:
                values = [(*values_of(row), new_id) for row, new_id in zip(rows, ids, strict=True)]
                copy_values(session, table, (*columns, "id"), values)
                return ids
        params = [dict(zip(columns, values_of(row), strict=True)) for row in rows]
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), params)
        return [int(i) for i in result.scalars()]


_LAYOUTS: dict[type[Any], tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _layout(model: type[Any]) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """Return a journal table's column names (its id left out) and how a row's values are read in their order.

    A value the row does not hold is None, as for an attribute never set.
    """
    layout = _LAYOUTS.get(model)
    if layout is None:
        pairs = columns_of(model)
        attrs = tuple(attr for attr, _column in pairs)
        held = itemgetter(*attrs) if len(attrs) > 1 else lambda state: (state[attrs[0]],)

        def values_of(row: Any) -> tuple[Any, ...]:
            state = vars(row)
            try:
                values: tuple[Any, ...] = held(state)
            except KeyError:
                return tuple(state.get(attr) for attr in attrs)
            return values

        layout = _LAYOUTS[model] = (tuple(column for _attr, column in pairs), values_of)
    return layout


def flush_journals(session: Session) -> None:
    """Seal and write the journal rows appended so far in this transaction (normally done at commit).

    Takes the journals' head locks now, so call it only where the rows must be read back before the commit.
    The rows are written as table rows (one batched INSERT per journal); the objects given to ``append`` get
    their ids and positions but are not added to the session.
    """
    held: dict[str, list[tuple[Any, Any]]] | None = take(session, _STEP)
    if held:
        _write_pending(session, held)


def _write_pending(session: Session, held: dict[str, list[tuple[Any, Any]]]) -> None:
    """Seal and write the rows held for each journal: the journals' commit step (``cbec.storage.commit``)."""
    session.flush()  # everything else first, so the heads stay locked only for the journal rows
    rows_of = {journal: [row for _scope, row in rows] for journal, rows in sorted(held.items()) if rows}
    sequenced = {journal: seal for journal in rows_of if (seal := _sealer(session, journal)) is not None}
    for journal, rows in rows_of.items():  # unsequenced first: the heads stay locked only for the others
        if journal not in sequenced:
            _write_rows(session, journal, rows)
    if not sequenced:
        return
    if len(sequenced) == 1 and (journal := next(iter(sequenced))) in _NUMBERED_ONLY:
        head = reserve(session, journal, len(rows_of[journal]))
        if head is not None:  # locked and moved on: the rows take the numbers below the new last_seq
            sequenced[journal](rows_of[journal], head)
            _write_rows(session, journal, rows_of[journal])
            return
    heads = lock_heads(session, list(sequenced))
    for journal, seal in sequenced.items():
        rows, head = rows_of[journal], heads[journal]
        seal(rows, head)
        _write_rows(session, journal, rows)
        head.last_row_id = rows[-1].id
    write_heads(session, [heads[journal] for journal in sequenced])


def _sealer(session: Session, journal: str) -> Seal | None:
    """Return how a journal's rows are sealed in this session (a session seal bound to the session)."""
    with_session = _SESSION_SEALS.get(journal)
    if with_session is None:
        return _SEALS[journal]
    return lambda rows, head: with_session(session, rows, head)


def _write_rows(session: Session, journal: str, rows: list[Any]) -> None:
    for row, new_id in zip(rows, _write(session, _MODELS[journal], rows), strict=True):
        row.id = new_id
