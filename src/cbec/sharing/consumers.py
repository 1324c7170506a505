"""In-process event consumers (事件消费者): the coming systems react to events without importing the pipeline.

A consumer has a name and a durable position (a ``sharing_cursor`` row named ``consumer:<name>``). ``consume``
reads the events after the position, hands each to the consumer's handler inside ONE transaction, and moves
the position to the last event handled in the same transaction: the handler's writes and the new position
commit together or not at all, so every event is applied exactly once per consumer, even across crashes and
several processes (the cursor row is locked while a batch runs). ``rewind`` replays from a position.

Feedback to clearance (a risk hold, a credit tier) goes back through data the pipeline reads, never through
an import of the pipeline by the consumer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cbec.common.errors import InvalidInput, Problem
from cbec.sharing import repository as repo
from cbec.sharing.catalogue import AnyEvent, parse_event
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context

PREFIX = "consumer:"
Handler = Callable[[Session, AnyEvent], None]


@dataclass(frozen=True, slots=True)
class ConsumedBatch:
    """What one call of ``consume`` did."""

    consumer: str
    handled: int
    position: int  # the consumer's position after the batch


def _name(consumer: str) -> str:
    value = consumer.strip()
    if not value or len(value) > 90:
        raise InvalidInput(
            "bad consumer name",
            problems=[
                Problem(
                    "EVT-CONSUMER",
                    "consumer",
                    "消费者名称为空或过长 / the consumer name is empty or longer than 90 characters",
                    "Name the consumer after its system, e.g. credit or risk.",
                )
            ],
        )
    return PREFIX + value


def consume(
    ctx: Context,
    consumer: str,
    handler: Handler,
    *,
    kinds: Iterable[EventKind] | None = None,
    limit: int = 500,
) -> ConsumedBatch:
    """Apply up to ``limit`` events after the consumer's position, in order, exactly once, in one transaction.

    Events of other kinds than ``kinds`` are skipped (the position moves past them). A handler with a ``finish``
    method has it called with the session after the batch's last event (a handler may gather the batch's events
    and work on them together), before the commit. If the handler raises,
    nothing of the batch is kept and the position does not move: the next call starts with the same event.
    """
    name = _name(consumer)
    wanted = {EventKind(k).value for k in kinds} if kinds is not None else None
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        cursor = repo.cursor(session, name, now, for_update=True)
        rows = repo.events_after(session, cursor.position, None, limit=limit)
        handled = 0
        for row in rows:
            if wanted is None or row.kind in wanted:
                handler(session, parse_event(row))
                handled += 1
        finish = getattr(handler, "finish", None)
        if finish is not None:  # a handler that gathers its batch does the work here, in the same transaction
            finish(session)
        if rows:
            cursor.position = int(rows[-1].position or cursor.position)
            cursor.updated_at = now
        position = cursor.position
        uow.commit()
    return ConsumedBatch(consumer, handled, position)


def position_of(ctx: Context, consumer: str) -> int:
    """Return a consumer's position (0 before its first batch)."""
    with ctx.uow() as uow:
        position = repo.cursor(uow.session, _name(consumer), ctx.clock.now()).position
        uow.commit()
        return position


def rewind(ctx: Context, consumer: str, position: int) -> None:
    """Set a consumer's position back (or forward) so that it replays the events after ``position``."""
    if position < 0:
        raise InvalidInput(
            "negative position",
            problems=[
                Problem("EVT-POSITION", "position", "位置不能为负 / the position is negative", "Give 0 or more.")
            ],
        )
    with ctx.uow() as uow:
        cursor = repo.cursor(uow.session, _name(consumer), ctx.clock.now(), for_update=True)
        cursor.position, cursor.updated_at = position, ctx.clock.now()
        uow.commit()
