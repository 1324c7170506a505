"""Entity conditions end to end: a block on a buyer or an enterprise is a supervision hold that intake reads in the
same set-based read as every measure — the next inventory goes to manual review (300) with the reason on the
dossier; an expired, overridden or lifted block no longer holds; a non-overridable block refuses an override."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.builders import AT, BUYER, OTHER_BUYER, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.common.clock import FixedClock
from cbec.demo.builders import build_arrival
from cbec.risk.conditions import ConditionConflict, ConditionCreate, lift_condition, list_conditions, place_condition
from cbec.supervision.models import SupervisionMeasure


def declare(zone: Zone, order_no: str, *, buyer=BUYER) -> InventoryRecord:  # type: ignore[no-untyped-def]
    """Declare a complete set and report its arrival: the inventory is decided then."""
    s = a_set(order_no, buyer=buyer)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    zone.send([arrival], PARTIES.site_operator)
    with zone.ctx.uow() as uow:
        row = uow.session.scalars(select(InventoryRecord).where(InventoryRecord.order_no == order_no)).one()
        uow.session.expunge(row)
        return row


def test_a_blocked_buyer_s_next_inventory_goes_to_review_and_an_expired_block_no_longer_holds(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    key = ctx.cipher.blind_index(BUYER.id_number)
    placed = place_condition(
        ctx,
        ConditionCreate(
            subject_kind="buyer",
            subject_key=key,
            kind="block",
            reason="消费者举报身份被冒用",
            valid_until=clock.now() + timedelta(days=2),
        ),
        actor="officer-1",
    )
    assert placed.in_force and placed.origin == "officer"
    held = declare(zone, "ORD20260302000901")
    assert held.status == "300", held.status_info
    assert held.status_info is not None
    assert f"风险实体条件 {placed.id}（拦截）：消费者举报身份被冒用" in held.status_info
    other = declare(zone, "ORD20260302000902", buyer=OTHER_BUYER)
    assert other.status == "800"  # another buyer is not held
    clock.advance(timedelta(days=2))  # the block has expired
    assert list_conditions(ctx, in_force=True) == []
    after = declare(zone, "ORD20260302000903")
    assert after.status == "800", after.status_info


def test_an_override_suspends_a_block_and_a_lifted_block_ends_its_measure(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    shop = PARTIES.ecommerce.code
    now = clock.now()
    block = place_condition(
        ctx, ConditionCreate(subject_kind="enterprise", subject_key=shop, kind="block", reason="虚假贸易"), actor="o1"
    )
    place_condition(
        ctx,
        ConditionCreate(
            subject_kind="enterprise",
            subject_key=shop,
            kind="override",
            reason="AEO 高级认证企业",
            valid_until=now + timedelta(hours=1),
        ),
        actor="o2",
    )
    assert declare(zone, "ORD20260302000911").status == "800"  # the override covers now
    clock.advance(timedelta(hours=1))
    assert declare(zone, "ORD20260302000912").status == "300"  # the block holds again after the override
    lift_condition(ctx, block.id, reason="复核后解除", actor="o1")
    assert declare(zone, "ORD20260302000913").status == "800"
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(SupervisionMeasure).where(SupervisionMeasure.source == "risk_entity").order_by(SupervisionMeasure.id)
        ).all()
        spans = [(m.valid_from - now, m.valid_until - now if m.valid_until else None) for m in rows]
    # the block's measure, replaced by the span after the override, ended when lifted
    assert spans == [
        (timedelta(0), timedelta(0)),
        (timedelta(hours=1), timedelta(hours=1)),
    ]


def test_a_non_overridable_block_refuses_an_override(zone: Zone) -> None:
    ctx = zone.ctx
    key = ctx.cipher.blind_index(BUYER.id_number)
    hard = place_condition(
        ctx,
        ConditionCreate(subject_kind="buyer", subject_key=key, kind="hard_block", reason="确认的身份冒用举报"),
        actor="o1",
    )
    with pytest.raises(ConditionConflict) as refused:
        place_condition(
            ctx, ConditionCreate(subject_kind="buyer", subject_key=key, kind="override", reason="白名单"), actor="o2"
        )
    assert [p.rule_id for p in refused.value.problems] == ["RSK-COND-HARD"]
    assert f"条件 {hard.id}" in refused.value.problems[0].message
    assert declare(zone, "ORD20260302000921").status == "300"
