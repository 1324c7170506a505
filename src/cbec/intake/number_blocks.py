"""Numbers handed out in blocks per process (编号号段), so that concurrent transactions do not queue for them.

A gap-free sequence (``cbec.intake.numbers``) locks its row from the first number a transaction takes until that
transaction commits: every other process's transaction that needs a number of the same sequence (every E-port
number of the day) waits for it. With a group commit (``cbec.intake.batch``) the wait lasts a whole batch, and two
server processes run one after the other. On PostgreSQL a process may instead take numbers in blocks: a short
transaction of its own moves the sequence row on by the block's size and commits at once, and the process hands
the block's numbers out to its transactions, none of which holds the row. Numbers stay unique, and increase
within a process; they are no longer gap-free (a rolled-back transaction's numbers, or a block a stopped process
had not used up, are skipped).

A process's first block of a sequence is one number, and each next block twice the last, up to the configured
size (``number_block``): a short-lived process (a CLI command) skips few numbers, a server soon takes whole
blocks. The block's transaction commits without waiting for its WAL flush (``synchronous_commit off``): a
transaction that uses its numbers commits after it, durably, and PostgreSQL flushes the log in order, so the block
is durable whenever a number of it is.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.dialects.postgresql import insert

from cbec.intake.models import NumberSequence

Key = tuple[str, str]


@dataclass(slots=True)
class _Block:
    """The numbers of one sequence this process holds: [next, end), and the size of its last block."""

    next: int
    end: int
    size: int


@dataclass(slots=True)
class _Blocks:
    """One engine's blocks and the small engine their transactions run on."""

    size: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    held: dict[Key, _Block] = field(default_factory=dict)
    engine: Engine | None = None


_BOUND: WeakKeyDictionary[Engine, _Blocks] = WeakKeyDictionary()


def bind_number_blocks(engine: Engine, size: int) -> None:
    """Let transactions on this engine take numbers from per-process blocks of at most ``size`` (0: gap-free).

    Only PostgreSQL: SQLite has one writer at a time, and a second connection could not write while it waits.
    """
    if size > 0 and engine.dialect.name == "postgresql":
        _BOUND[engine] = _Blocks(size)
    else:
        _BOUND.pop(engine, None)


def blocks_of(engine: Engine) -> _Blocks | None:
    """Return the blocks bound to an engine, or None where its numbers are gap-free."""
    return _BOUND.get(engine)


def take_from(blocks: _Blocks, engine: Engine, name: str, period: str) -> int:
    """Return the next number of a sequence from this process's block, taking a new block when it is used up."""
    key = (name, period)
    with blocks.lock:
        block = blocks.held.get(key)
        if block is None or block.next >= block.end:
            size = 1 if block is None else min(blocks.size, block.size * 2)
            end = _reserve(blocks, engine, key, size)
            block = blocks.held[key] = _Block(end - size, end, size)
        number = block.next
        block.next += 1
        return number


def _reserve(blocks: _Blocks, engine: Engine, key: Key, size: int) -> int:
    """Move the sequence row on by ``size`` in a transaction of its own; return the new next value."""
    if blocks.engine is None:  # its own small pool: an intake transaction may hold every connection of the main one
        blocks.engine = create_engine(engine.url, pool_size=1, max_overflow=4, pool_pre_ping=True)
    name, period = key
    move = (
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.period == period)
        .values(next_value=NumberSequence.next_value + size)
        .returning(NumberSequence.next_value)
    )
    with blocks.engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        value = conn.execute(move).scalar_one_or_none()
        if value is None:  # the period's first number
            first = {"name": name, "period": period, "next_value": 1}
            conn.execute(insert(NumberSequence).values(first).on_conflict_do_nothing(index_elements=["name", "period"]))
            value = conn.execute(move).scalar_one()
    return int(value)
