"""Number sequences (编号流水): E-port numbers every declaration receives, and the serials of customs numbers.

Gap-free within a period: the first number a transaction takes locks the sequence row (UPDATE … RETURNING); later
ones are counted in memory, since no other transaction can take numbers until this one ends, and the count is
written back when the transaction commits — the numbers' step of the unit of work's commit
(``cbec.storage.commit``), the one place numbers are written. Numbers taken inside a savepoint that rolls back
(one message of several in a transaction, ``cbec.intake.batch``) are given back: the count steps back, and a
sequence first taken inside it is forgotten, since its row's update and lock went with the savepoint.

A server on PostgreSQL takes its numbers from blocks per process instead (``cbec.intake.number_blocks``,
``number_block``): unique and increasing per process, not gap-free, and no transaction waits for another's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, SessionTransaction

from cbec.common.clock import business_date
from cbec.intake.models import NumberSequence
from cbec.intake.number_blocks import blocks_of, take_from
from cbec.storage.commit import NUMBERS, pending, within
from cbec.storage.upsert import insert_ignore

Key = tuple[str, str]


@dataclass(slots=True)
class _Taken:
    """A transaction's sequences: [next to hand out, value stored] each, and what was taken inside savepoints."""

    counters: dict[Key, list[int]] = field(default_factory=dict)
    inside: list[tuple[SessionTransaction, Key, bool]] = field(default_factory=list)  # (savepoint, key, first)


def next_number(session: Session, name: str, period: str) -> int:
    """Take the next serial number of a sequence (row-locked, gap-free within a transaction; or from a block)."""
    engine = session.get_bind().engine
    blocks = blocks_of(engine)
    if blocks is not None:
        return take_from(blocks, engine, name, period)
    taken: _Taken = pending(session, "numbers", _Taken, _store_numbers, NUMBERS, _give_back)
    key = (name, period)
    savepoint = session.get_nested_transaction()
    counter = taken.counters.get(key)
    if savepoint is not None:
        taken.inside.append((savepoint, key, counter is None))
    if counter is not None:
        counter[0] += 1
        return counter[0] - 1
    take = (
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.period == period)
        .values(next_value=NumberSequence.next_value + 1)
        .returning(NumberSequence.next_value)
    )
    value = session.execute(take).scalar_one_or_none()
    if value is None:  # the period's first number (a concurrent first taker waits on the insert, then updates)
        insert_ignore(session, NumberSequence, {"name": name, "period": period, "next_value": 1}, ["name", "period"])
        value = session.execute(take).scalar_one()
    taken.counters[key] = [int(value), int(value)]  # [next to hand out, value stored]
    return int(value) - 1


def _give_back(taken: _Taken, savepoint: Any) -> None:
    """Give back the numbers taken inside a savepoint that rolled back (latest first)."""
    kept = []
    for scope, key, first in reversed(taken.inside):
        if not within(scope, savepoint):
            kept.append((scope, key, first))
        elif first:
            taken.counters.pop(key, None)  # its row's update and lock were undone with the savepoint
        elif key in taken.counters:
            taken.counters[key][0] -= 1
    taken.inside = kept[::-1]


def eport_number(session: Session, now: datetime) -> str:
    """Assign an E-port number B + yyyymmdd + 9-digit serial (18 characters), one sequence for both directions."""
    day = business_date(now).strftime("%Y%m%d")
    return f"B{day}{next_number(session, 'eport', day):09d}"


def customs_number(session: Session, now: datetime, customs_code: str, mark: str, sequence: str) -> str:
    """Assign a customs number: district + year + mark + 9-digit serial of the named sequence (18 characters)."""
    year = str(business_date(now).year)
    return f"{customs_code}{year}{mark}{next_number(session, sequence, year):09d}"


def _store_numbers(session: Session, taken: _Taken) -> None:
    """Write back the numbers a committing transaction counted in memory (its commit step)."""
    for (name, period), (next_value, stored) in taken.counters.items():
        if next_value != stored:
            session.execute(
                update(NumberSequence)
                .where(NumberSequence.name == name, NumberSequence.period == period)
                .values(next_value=next_value)
            )
