"""The credit consumer (信用事件消费): filings become subjects, a refused inventory becomes a fact exactly once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from tests.builders import MILK, PARTIES, a_set
from tests.zone import Zone

from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.service import apply_events, seed_configuration, show_subject
from cbec.sharing.consumers import rewind


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
