"""Ids taken from the table's sequence before the INSERT (PostgreSQL); SQLite leaves them to the INSERT."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from cbec.intake.models import IssuedReceipt
from cbec.storage.context import Context
from cbec.storage.ids import take_id, take_ids

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def receipt(guid: str) -> IssuedReceipt:
    return IssuedReceipt(
        message_type="CEB312Message",
        document_kind="order",
        document_id=None,
        guid=guid,
        status="2",
        info="",
        returned_at=AT,
        keys={},
        message_id=None,
    )


def test_ids_come_in_ascending_order_many_per_statement_and_are_kept_by_the_insert(ctx: Context) -> None:
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    with ctx.uow() as uow:
        event.listen(ctx.engine, "before_cursor_execute", count)
        try:
            taken = [take_id(uow.session, IssuedReceipt, batch=3) for _ in range(4)]
        finally:
            event.remove(ctx.engine, "before_cursor_execute", count)
        if ctx.engine.dialect.name != "postgresql":
            assert taken == [None] * 4 and statements == []
            return
        assert all(isinstance(i, int) for i in taken)
        assert taken == sorted(taken) and len(set(taken)) == 4
        assert len(statements) == 2  # three ids, then one more batch when the pool ran dry
        rows = [receipt(f"G{n}") for n in range(4)]
        for row, new_id in zip(rows, taken, strict=True):
            row.id = new_id
        uow.session.add_all(rows)
        uow.commit()
    with ctx.uow() as uow:
        stored = list(uow.session.execute(select(IssuedReceipt.guid, IssuedReceipt.id).order_by(IssuedReceipt.id)))
    assert stored == [(f"G{n}", taken[n]) for n in range(4)]


def test_an_insert_after_taken_ids_never_collides(ctx: Context) -> None:
    with ctx.uow() as uow:
        first = take_id(uow.session, IssuedReceipt, batch=5)
        plain = receipt("PLAIN")
        uow.session.add(plain)
        uow.session.flush()
        if first is not None:
            assert plain.id > first + 4  # the sequence moved past the whole batch
        uow.commit()


def test_take_ids_uses_the_pool_first_then_one_statement_for_the_rest(ctx: Context) -> None:
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    with ctx.uow() as uow:
        event.listen(ctx.engine, "before_cursor_execute", count)
        try:
            one = take_id(uow.session, IssuedReceipt, batch=3)  # two left in the pool
            many = take_ids(uow.session, IssuedReceipt, 5)  # those two, and three more in one statement
            after = take_ids(uow.session, IssuedReceipt, 0)
        finally:
            event.remove(ctx.engine, "before_cursor_execute", count)
        if ctx.engine.dialect.name != "postgresql":
            assert (one, many, after, statements) == (None, None, None, [])
            return
        assert one is not None and many is not None
        assert many[:2] == [one + 1, one + 2] and many == sorted(many) and len(set(many)) == 5 and many[2] > one + 2
        assert (after, len(statements)) == ([], 2)
