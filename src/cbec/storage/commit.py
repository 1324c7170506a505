"""The commit step (提交步骤): writes a transaction keeps aside until it commits, done in one named place.

Some writes belong at the end of a transaction, not where they are asked for: journal rows are sealed and
positioned only once the transaction's last row is known (``cbec.audit.journal``), and numbers counted in memory
are written back once (``cbec.intake.numbers``). A writer keeps such state with ``pending``: the first call in a
transaction registers a named step — its rank and its write function — next to the state, and later calls get the
same state back. ``UnitOfWork.commit`` calls ``finish`` just before the database commit: the steps run in rank
order, each with its state, and are gone. A rollback (``UnitOfWork.rollback`` or leaving the unit of work) calls
``forget``: the state is dropped and nothing is written.

Nothing writes from a session listener: the only writes at commit are the steps a use case asked for, run by
``UnitOfWork.commit``. State is kept per outermost transaction. A savepoint that rolls back takes back what was
asked inside it: ``rolled_back``, which ``storage.engine.make_session_factory`` installs on the factory it makes,
hands the ended savepoint to each step's ``drop`` (it only forgets, it never writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, SessionTransaction

S = TypeVar("S")
_STEPS = "cbec.commit.steps"

# Ranks of the steps the house has; lower runs first.
NUMBERS = 10  # number sequences counted in memory (rows already locked by this transaction)
JOURNALS = 90  # journal rows sealed under their heads' locks, held from here to the commit: last


Drop = Callable[[Any, SessionTransaction], None]  # forget what the state took inside an ended savepoint


def pending(
    session: Session,
    step: str,
    create: Callable[[], S],
    write: Callable[[Session, S], None],
    rank: int,
    drop: Callable[[S, SessionTransaction], None] | None = None,
) -> S:
    """Return this transaction's state of a named commit step, registering the step on first use.

    ``write(session, state)`` runs once, at ``finish``; ``create()`` makes the empty state; ``drop(state,
    savepoint)``, when given, forgets what was added inside a savepoint that rolled back.
    """
    steps: dict[str, tuple[int, Any, Any, Any, Drop | None]] = session.info.setdefault(_STEPS, {})
    transaction = session.get_transaction()  # the outermost one
    if transaction is None:
        transaction = session.begin()
    held = steps.get(step)
    if held is not None and held[1] is transaction:
        return held[3]
    state = create()
    steps[step] = (rank, transaction, write, state, drop)
    return state


def take(session: Session, step: str) -> Any | None:
    """Remove a step of the current transaction and return its state (to write it now, not at commit)."""
    steps: dict[str, tuple[int, Any, Any, Any, Any]] | None = session.info.get(_STEPS)
    if not steps or step not in steps:
        return None
    _rank, transaction, _write, state, _drop = steps.pop(step)
    if transaction is not session.get_transaction():
        return None  # left over from a transaction that ended
    return state


def finish(session: Session) -> None:
    """Run the current transaction's commit steps in rank order (called by ``UnitOfWork.commit``)."""
    transaction = session.get_transaction()
    while steps := session.info.pop(_STEPS, None):  # a step's write may ask for another step: run that one too
        for _rank, owner, write, state, _drop in sorted(steps.values(), key=lambda s: s[0]):
            if owner is transaction:
                write(session, state)


def forget(session: Session) -> None:
    """Drop every pending commit step of the session (its transaction rolled back)."""
    session.info.pop(_STEPS, None)


def within(scope: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Tell whether a transaction is the ended one or nested inside it."""
    while scope is not None:
        if scope is ended:
            return True
        scope = scope.parent
    return False


def rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Forget what an ended transaction asked for: all of it, or a savepoint's part (a session event handler)."""
    steps: dict[str, tuple[int, Any, Any, Any, Drop | None]] | None = session.info.get(_STEPS)
    if not steps:
        return
    if previous_transaction.parent is None:
        forget(session)
        return
    for _rank, _owner, _write, state, drop in steps.values():
        if drop is not None:
            drop(state, previous_transaction)
