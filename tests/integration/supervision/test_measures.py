"""Supervision measures in the database: replaced idempotently, read in force, found without a query when none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event, text

from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, SubjectKind, add_measure, measures_in_force, replace_measures

SHOP = (SubjectKind.ENTERPRISE, "4601960002")
OTHER = (SubjectKind.ENTERPRISE, "4601960009")


@contextmanager
def supervision_queries(ctx: Context) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "supervision_measure" in statement:
            seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)


def level(rate: str, reference: str, now: Any) -> MeasureSpec:
    return MeasureSpec(MeasureKind.INSPECTION, reference, "信用等级", now, rate=Decimal(rate))


def test_replacing_is_idempotent_and_ends_the_old_measure(ctx: Context) -> None:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        assert (
            replace_measures(uow.session, source="credit", wanted={SHOP: [level("0.05", "C", now)]}, at=now, actor="t")
            == 1
        )
        uow.commit()
    with ctx.uow() as uow:
        assert (
            replace_measures(uow.session, source="credit", wanted={SHOP: [level("0.05", "C", now)]}, at=now, actor="t")
            == 0
        )
        later = now + timedelta(days=1)
        assert (
            replace_measures(
                uow.session, source="credit", wanted={SHOP: [level("0.8", "D", later)]}, at=later, actor="t"
            )
            == 1
        )
        uow.commit()
    with ctx.uow() as uow:
        on_day_one = measures_in_force(uow.session, [SHOP, OTHER], now)
        on_day_two = measures_in_force(uow.session, [SHOP, OTHER], now + timedelta(days=1))
    assert [(m.reference, m.rate) for m in on_day_one[SHOP]] == [("C", Decimal("0.05"))]
    assert [(m.reference, m.rate) for m in on_day_two[SHOP]] == [("D", Decimal("0.8"))]
    assert OTHER not in on_day_two


def test_a_message_none_of_whose_subjects_has_a_measure_costs_no_query_and_a_new_one_is_seen_at_once(
    ctx: Context,
) -> None:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.session.execute(text("INSERT INTO data_revision (name, token) VALUES ('supervision', 'start')"))
        add_measure(
            uow.session,
            source="risk",
            subject=(SubjectKind.INVENTORY, "E1"),
            spec=MeasureSpec(MeasureKind.HOLD, "risk decision 1", "fake order", now, now + timedelta(days=7)),
            at=now,
            actor="risk",
        )
        uow.commit()
    with ctx.uow() as uow:
        measures_in_force(uow.session, [SHOP], now)  # loads which subjects have measures (one query)
    with supervision_queries(ctx) as seen, ctx.uow() as uow:
        assert measures_in_force(uow.session, [SHOP, (SubjectKind.BUYER, "b")], now) == {}
    assert seen == []
    with ctx.uow() as uow:
        replace_measures(uow.session, source="credit", wanted={SHOP: [level("0.05", "C", now)]}, at=now, actor="t")
        uow.commit()
    with ctx.uow() as uow:
        found = measures_in_force(uow.session, [SHOP], now)
    assert [m.reference for m in found[SHOP]] == ["C"]
    with ctx.uow() as uow:
        held = measures_in_force(uow.session, [(SubjectKind.INVENTORY, "E1")], now + timedelta(days=7))
    assert held == {}  # the risk hold ended with its expiry
