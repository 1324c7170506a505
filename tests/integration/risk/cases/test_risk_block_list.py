"""A confirmed entry on the block list becomes a non-overridable block on the case's pivot (its supervision hold);
a rejected one, or one on the watch list (which adds a watch-list entry instead: test_risk_watch_list.py), places
no condition; a phone pivot is no supervision subject."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from tests.integration.risk.cases.support import SUBJECTS, decide
from tests.zone import Zone

from cbec.risk.cases import ActionCreate, ActionDecision, act, confirm, gather, list_cases
from cbec.risk.conditions import list_conditions
from cbec.supervision import SubjectKind, measures_in_force
from cbec.supervision.models import SupervisionMeasure

DAY = date(2026, 3, 2)


def test_a_confirmed_block_list_entry_blocks_the_pivot_until_lifted(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    decide(ctx, "E1", [("order_splitting", 60, "review", ["S1"])], day=DAY, at=now)
    decide(ctx, "E2", [("fake_order", 70, "hold", ["F1"])], day=DAY, at=now)
    gather(ctx)
    cases = {c.pivot_kind: c for c in list_cases(ctx)[0]}
    buyer_case, phone_case = cases["buyer"], cases["phone"]
    watch = act(
        ctx, buyer_case.id, ActionCreate(kind="propose_list_entry", comment="观察", list_name="watch"), actor="li"
    )
    confirm(ctx, buyer_case.id, watch.id, ActionDecision(decision="confirm"), actor="wang")
    rejected = act(
        ctx, buyer_case.id, ActionCreate(kind="propose_list_entry", comment="拆单", list_name="block"), actor="li"
    )
    confirm(ctx, buyer_case.id, rejected.id, ActionDecision(decision="reject", comment="证据不足"), actor="wang")
    assert list_conditions(ctx) == []
    proposed = act(
        ctx, buyer_case.id, ActionCreate(kind="propose_list_entry", comment="多次拆单", list_name="block"), actor="li"
    )
    done = confirm(ctx, buyer_case.id, proposed.id, ActionDecision(decision="confirm"), actor="wang")
    [condition] = list_conditions(ctx)
    assert done.detail["condition"] == condition.id
    assert (condition.subject_kind, condition.subject_key, condition.kind, condition.origin, condition.created_by) == (
        "buyer",
        SUBJECTS["buyer"],
        "hard_block",
        f"case {buyer_case.id}",
        "wang",
    )
    assert condition.valid_until is None and condition.in_force
    buyer = (SubjectKind.BUYER, SUBJECTS["buyer"])
    with ctx.uow() as uow:
        [held] = measures_in_force(uow.session, [buyer], now)[buyer]
    assert (held.kind, held.source) == ("hold", "risk_entity")
    assert f"risk case {buyer_case.id} block list: 多次拆单" in held.reason
    on_phone = act(
        ctx, phone_case.id, ActionCreate(kind="propose_list_entry", comment="刷单", list_name="block"), actor="li"
    )
    assert (
        confirm(ctx, phone_case.id, on_phone.id, ActionDecision(decision="confirm"), actor="wang").detail["condition"]
        is None
    )
    with ctx.uow() as uow:
        sources = list(uow.session.scalars(select(SupervisionMeasure.source).order_by(SupervisionMeasure.id)))
    assert sources.count("risk_entity") == 1
