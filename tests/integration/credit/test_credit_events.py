"""The credit consumer (信用事件消费): filings become subjects, a refused inventory becomes a fact exactly once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from tests.builders import MILK, PARTIES, a_set
from tests.zone import Zone

from cbec.common.clock import SHANGHAI, FixedClock, business_date
from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.service import apply_events, seed_configuration, show_subject
from cbec.sharing.consumers import rewind
from cbec.sharing.outbox import emit_event
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context


def refuse(zone: Zone, order_no: str) -> None:
    """Declare a set whose inventory is refused (100): 20 tins of milk, over 5,000 CNY and divisible."""
    s = a_set(order_no, items=[(MILK, Decimal(20))], logistics_no=f"L{order_no}")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    receipts = zone.send([s.inventory], PARTIES.agent).receipts
    assert receipts[-1].status == "100", [r.status for r in receipts]


def facts(zone: Zone) -> list[CreditFact]:
    with zone.ctx.uow() as uow:
        found = list(uow.session.scalars(select(CreditFact).order_by(CreditFact.id)))
        uow.session.expunge_all()  # read, then kept past the transaction
        return found


def test_filings_become_subjects_and_a_refusal_one_fact_even_when_consume_runs_twice(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    refuse(zone, "ORD20260302000101")
    first = apply_events(ctx)
    assert first.facts_recorded == 1
    with ctx.uow() as uow:
        subjects = uow.session.scalar(select(func.count()).select_from(CreditSubject))
        shop = uow.session.scalars(
            select(CreditSubject).where(CreditSubject.customs_code == PARTIES.ecommerce.code)
        ).one()
        uow.session.expunge(shop)
    assert subjects is not None and subjects >= 6  # every filed enterprise of the zone
    assert shop.uscc and shop.tenant == "hub"
    second = apply_events(ctx)
    assert (second.handled, second.facts_recorded) == (0, 0)
    [fact] = facts(zone)
    assert (fact.fact_type, fact.severity, fact.source, fact.quantity) == ("platform_refusals", "minor", "platform", 1)
    assert fact.publish_max_until is not None and (fact.publish_max_until - fact.decided_on).days in range(89, 93)
    # a replay from the start (rewind) counts no inventory twice
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
    assert len(facts(zone)) == 1


def test_a_second_refusal_of_the_day_supersedes_with_the_new_count(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    refuse(zone, "ORD20260302000101")
    apply_events(ctx)
    refuse(zone, "ORD20260302000102")
    assert apply_events(ctx).facts_recorded == 1
    first, second = facts(zone)
    assert (first.quantity, second.quantity, second.supersedes_id) == (1, 2, first.id)
    rating = show_subject(ctx, PARTIES.ecommerce.code)
    assert [(c.fact_id, c.counted) for c in rating.contributions] == [(second.id, -1)]  # the day counts once
    assert rating.score == 99


SHOP = "4601960002"


def report_credit(ctx: Context, case_id: int, action_id: int, *, pivot: tuple[str, str] = ("enterprise", SHOP)) -> None:
    """Write the outbox event risk writes when an officer reports a case to credit (docs/risk.md), as data."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        emit_event(
            uow.session,
            at=now,
            kind=EventKind.RISK,
            document_type="risk_case",
            business_key=f"risk_case:{case_id}",
            zone="6401",
            parties=[],
            status="done",
            payload={
                "change": "report_credit_done",
                "case_id": case_id,
                "action_id": action_id,
                "pivot_kind": pivot[0],
                "pivot_key": pivot[1],
                "typologies": ["undervaluation"],
                "inventories": ["E64010000000001"],
                "agency": None,
                "list_name": None,
                "outcome": None,
                "on": business_date(now).isoformat(),
            },
        )
        uow.commit()


def test_each_reported_risk_case_is_one_fact_counted_minus_10_up_to_30_from_the_ruleset_of_2027(
    ctx: Context, clock: FixedClock
) -> None:
    seed_configuration(ctx)
    clock.set(datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI))
    for case_id in (1, 2, 3, 4):
        report_credit(ctx, case_id, 10 + case_id)
    report_credit(ctx, 5, 15, pivot=("buyer", "ab" * 32))  # a person's pseudonymous key: not a credit subject
    with ctx.uow() as uow:  # another kind of disposal step is not a report to credit
        emit_event(
            uow.session,
            at=ctx.clock.now(),
            kind=EventKind.RISK,
            document_type="risk_case",
            business_key="risk_case:6",
            zone="6401",
            parties=[],
            payload={
                "change": "hold_done",
                "case_id": 6,
                "action_id": 16,
                "pivot_kind": "enterprise",
                "pivot_key": SHOP,
                "typologies": [],
                "inventories": [],
                "agency": None,
                "list_name": None,
                "outcome": None,
                "on": "2027-01-04",
            },
        )
        uow.commit()
    assert apply_events(ctx).facts_recorded == 4
    found = facts_of(ctx)
    assert [(f.fact_type, f.severity, f.source, f.document_no) for f in found] == [
        ("risk_case", "general", "platform", f"RISK-{case}-{10 + case}") for case in (1, 2, 3, 4)
    ]
    assert found[0].detail == {
        "risk_case": 1,
        "risk_action": 11,
        "typologies": ["undervaluation"],
        "inventories": 1,
        "last_event": found[0].detail["last_event"],
    }
    rating = show_subject(ctx, SHOP)
    assert rating.ruleset == "zone@2027.1"
    assert [(c.modifier, c.points, c.counted) for c in rating.contributions] == [
        ("risk-case", -10, -10),
        ("risk-case", -10, -10),
        ("risk-case", -10, -10),
        ("risk-case", -10, 0),  # the cap: at most −30
    ]
    assert rating.score == 70
    # replayed from the start, nothing is recorded twice
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
    assert len(facts_of(ctx)) == 4
    # a day before the ruleset of 2027, zone@1 is in force: its ratings do not change
    assert show_subject(ctx, SHOP, on=date(2026, 12, 31)).ruleset == "zone@1"


def facts_of(ctx: Context) -> list[CreditFact]:
    with ctx.uow() as uow:
        found = list(uow.session.scalars(select(CreditFact).where(CreditFact.fact_type == "risk_case")))
        uow.session.expunge_all()
        return found


def test_a_concluded_return_counts_once_in_the_shops_returns_of_the_day(zone: Zone) -> None:
    from datetime import timedelta

    from tests.builders import AT

    from cbec.clearance.queries import inventory_detail
    from cbec.clearance.service import confirm_return_arrival
    from cbec.demo.builders import build_arrival, build_return

    ctx = zone.ctx
    seed_configuration(ctx)
    s = a_set("ORD20260302000301", logistics_no="LORD20260302000301")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    got = zone.send([arrival], PARTIES.site_operator).receipts
    assert [(r.message_type.value, r.status) for r in got][-1][1] == "800", [(r.status, r.info) for r in got]
    inventory_no = "46012026I000000001"  # the zone's first inventory number
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=10))
    returned = build_return(s.inventory, inventory_no, [(1, Decimal(1))], at=AT + timedelta(days=10))
    assert [r.status for r in zone.send([returned], PARTIES.agent).receipts] == ["120"]
    apply_events(ctx)
    assert [f.fact_type for f in facts(zone)] == []  # accepted is not concluded: nothing yet
    detail = inventory_detail(ctx, inventory_no)
    done = confirm_return_arrival(ctx, detail.returns[0]["id"], actor="site-operator")
    assert [r.status for r in done.receipts] == ["399"]
    assert apply_events(ctx).facts_recorded == 1
    apply_events(ctx)  # nothing twice
    [fact] = facts(zone)
    assert (fact.fact_type, fact.severity, fact.source, fact.quantity) == ("platform_returns", "minor", "platform", 1)
    assert fact.decided_on == business_date(clock.now())
    shown = show_subject(ctx, PARTIES.ecommerce.code, on=fact.decided_on)
    assert [(c.fact_type, c.points) for c in shown.contributions] == [("platform_returns", -1)]
