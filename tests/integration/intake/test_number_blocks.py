"""Numbers in blocks per process (cbec.intake.number_blocks): unique, increasing per process, nobody waits."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from tests.conftest import is_postgres_run

from cbec.intake import bind_number_blocks
from cbec.intake.models import NumberSequence
from cbec.intake.numbers import next_number
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory

pytestmark = pytest.mark.skipif(not is_postgres_run(), reason="blocks are taken on PostgreSQL only")


@pytest.fixture
def blocks(ctx: Context) -> Iterator[Context]:
    bind_number_blocks(ctx.engine, 4)
    try:
        yield ctx
    finally:
        bind_number_blocks(ctx.engine, 0)  # the session's other tests number gap-free


def _stored(ctx: Context) -> int | None:
    with ctx.uow() as uow:
        return uow.session.scalar(select(NumberSequence.next_value).where(NumberSequence.name == "t"))


def _take(ctx: Context, count: int, *, commit: bool = True) -> list[int]:
    with ctx.uow() as uow:
        taken = [next_number(uow.session, "t", "2026") for _ in range(count)]
        if commit:
            uow.commit()
    return taken


def test_a_process_takes_blocks_of_one_two_four_then_four(blocks: Context) -> None:
    assert _take(blocks, 3) == [1, 2, 3]
    assert _stored(blocks) == 4  # blocks of 1 and 2: nothing left over
    assert _take(blocks, 5) == [4, 5, 6, 7, 8]
    assert _stored(blocks) == 12  # then 4 and 4 (the most): 9, 10 and 11 are still this process's


def test_a_transaction_holding_a_number_does_not_hold_up_another(blocks: Context) -> None:
    holding = threading.Event()
    release = threading.Event()
    first: list[int] = []

    def hold() -> None:
        with blocks.uow() as uow:
            first.append(next_number(uow.session, "t", "2026"))
            holding.set()
            release.wait(10)
            uow.commit()

    worker = threading.Thread(target=hold)
    worker.start()
    try:
        assert holding.wait(10)
        taken: list[int] = []
        other = threading.Thread(target=lambda: taken.extend(_take(blocks, 1)))
        other.start()
        other.join(5)  # with the row locked until the first commits, this would wait the full 10 s
        assert not other.is_alive()
    finally:
        release.set()
        worker.join()
    assert (first, taken) == ([1], [2])


def test_a_rolled_back_transaction_skips_its_numbers_and_never_hands_them_out_again(blocks: Context) -> None:
    assert _take(blocks, 1, commit=False) == [1]
    assert _take(blocks, 2) == [2, 3]


def test_two_processes_take_disjoint_blocks(blocks: Context) -> None:
    second = make_engine(blocks.engine.url.render_as_string(hide_password=False))
    bind_number_blocks(second, 4)
    other = Context(blocks.settings, second, make_session_factory(second), blocks.clock, blocks.cipher)
    try:
        mine, theirs = _take(blocks, 3), _take(other, 3) + _take(other, 1)
        mine += _take(blocks, 4)
    finally:
        second.dispose()
    assert (mine, theirs) == ([1, 2, 3, 11, 12, 13, 14], [4, 5, 6, 7])  # theirs holds 8, 9 and 10 still
    assert len(set(mine) | set(theirs)) == 11
