"""Declarations screened as they arrive (申报主体名单筛查): the credit consumer screens each inventory's and order's
enterprises against the lists in force and stores one alert per screened enterprise and entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.builders import PARTIES, a_set
from tests.integration.exports.export_zone import AT, TEE, XP, send
from tests.zone import Zone

from cbec.common.ids import make_uscc
from cbec.credit import CreditConflict, CreditForbidden
from cbec.credit.models import CreditScreenAlert
from cbec.credit.schemas import AlertDecisionIn, FactIn
from cbec.credit.service import (
    apply_events,
    decide_alert,
    list_alerts,
    record_fact,
    seed_configuration,
    subject_facts,
    subject_measures,
)
from cbec.demo.exports import build_export_set
from cbec.enterprises.lookups import find_by_code
from cbec.sharing.consumers import rewind

LOOKALIKE = make_uscc("91460000MA5TLXT09")


def declare(zone: Zone, order_no: str) -> None:
    s = a_set(order_no)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)


def alerts(zone: Zone) -> list[tuple[str, int, str, str, str | None, str | None, Decimal]]:
    with zone.ctx.uow() as uow:
        rows = uow.session.scalars(select(CreditScreenAlert).order_by(CreditScreenAlert.id))
        return [(a.subject_code, a.fact_id, a.matched, a.origin, a.origin_ref, a.role, a.score) for a in rows]


def test_a_listed_shop_raises_one_alert_a_second_inventory_adds_none_and_another_officer_records_a_match(
    zone: Zone,
) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    listed = record_fact(
        ctx,
        FactIn(
            subject=PARTIES.ecommerce.code,
            fact_type="list_entry",
            source="zone",
            severity="general",
            list_type="zone",
            decided_on="2026-02-01",
            document_no="琼自贸信〔2026〕201号",
            legal_basis="综试区失信名单管理办法",
        ),
        actor="zone-office",
    )
    # an enterprise not filed here, listed under a name that is the agent's in traditional script with another form
    lookalike = record_fact(
        ctx,
        FactIn(
            subject=LOOKALIKE,
            subject_name="海口通關代理有限責任公司",
            fact_type="list_entry",
            source="court",
            severity="general",
            list_type="court_dishonest",
            decided_on="2026-02-01",
            document_no="(2026)琼01执201号",
            legal_basis="最高人民法院关于公布失信被执行人名单信息的若干规定",
        ),
        actor="court",
    )
    apply_events(ctx)  # the filings so far
    declare(zone, "ORD20260302000301")
    first = apply_events(ctx)
    with ctx.uow() as uow:
        shop = find_by_code(uow.session, PARTIES.ecommerce.code)
        agent = find_by_code(uow.session, PARTIES.agent.code)
    assert shop is not None and agent is not None
    stored = alerts(zone)
    # the order names the shop first (its alert); the inventory names it again (known) and the agent (new, by name)
    assert [(s, f, m, o, role) for s, f, m, o, _, role, _ in stored] == [
        (shop.uscc, listed.id, "customs_code", "order", "ecommerce"),
        (agent.uscc, lookalike.id, "name", "inventory", "agent"),
    ]
    assert stored[0][4] == "ORD20260302000301" and stored[0][6] == Decimal("1.0000")
    assert stored[1][4] == "ORD20260302000301"  # the order number the inventory carries
    assert Decimal("0.72") <= stored[1][6] < Decimal("0.97")
    # known twice: the inventory names the shop as its e-commerce enterprise and as its guarantor
    assert (first.alerts_new, first.alerts_known) == (2, 2)

    declare(zone, "ORD20260302000302")
    second = apply_events(ctx)
    assert (second.alerts_new, second.alerts_known) == (0, 4)
    assert len(alerts(zone)) == 2
    page = list_alerts(ctx)
    assert [(a.subject, a.fact_id, a.state) for a in page.items] == [
        (shop.uscc, listed.id, "open"),
        (agent.uscc, lookalike.id, "open"),
    ]

    # a confirmed match is recorded by a second officer: the entry becomes a fact about the screened agent
    shop_alert, agent_alert = (a.id for a in page.items)
    confirm = AlertDecisionIn(action="confirm")
    decide_alert(ctx, agent_alert, confirm, actor="officer-1", account=1)
    record = AlertDecisionIn(action="record")
    with pytest.raises(CreditForbidden) as caught:
        decide_alert(ctx, agent_alert, record, actor="officer-1:key2", account=1)  # the same account
    assert [p.rule_id for p in caught.value.problems] == ["CRD-MAKER-CHECKER"]
    with pytest.raises(CreditForbidden) as caught:
        decide_alert(ctx, agent_alert, record, actor="tax-1", account=3, sources=frozenset({"tax"}))
    assert [p.rule_id for p in caught.value.problems] == ["CRD-SOURCE-SCOPE"]
    recorded = decide_alert(ctx, agent_alert, record, actor="officer-2", account=2)
    assert (recorded.state, recorded.recorded_by) == ("confirmed", "officer-2")
    assert recorded.recorded_fact_id is not None
    facts = subject_facts(ctx, PARTIES.agent.code)
    assert [(f.id, f.fact_type, f.list_type, f.severity, f.source, f.document_no) for f in facts] == [
        (recorded.recorded_fact_id, "list_entry", "court_dishonest", "general", "court", "(2026)琼01执201号")
    ]
    assert [m.measure_code for m in subject_measures(ctx, PARTIES.agent.code)] == ["CRT-PUBLISH"]  # general: own only
    with pytest.raises(CreditConflict) as conflict:
        decide_alert(ctx, agent_alert, record, actor="officer-3", account=4)
    assert [p.rule_id for p in conflict.value.problems] == ["CRD-ALERT-RECORDED"]
    # the shop's alert matched the entry about the shop itself: nothing to record
    decide_alert(ctx, shop_alert, confirm, actor="officer-1", account=1)
    with pytest.raises(CreditConflict) as conflict:
        decide_alert(ctx, shop_alert, record, actor="officer-2", account=2)
    assert [p.rule_id for p in conflict.value.problems] == ["CRD-ALERT-SAME"]
    # an open alert is not recorded
    assert list_alerts(ctx, state="open").total == 0


LISTED_CARRIER = make_uscc("91460000MA5TLXT18")


def list_carrier_lookalike(zone: Zone) -> int:
    """A court entry about an enterprise not filed here, under the logistics company's name in traditional script."""
    seed_configuration(zone.ctx)
    entry = record_fact(
        zone.ctx,
        FactIn(
            subject=LISTED_CARRIER,
            subject_name="椰城國際物流有限責任公司",
            fact_type="list_entry",
            source="court",
            severity="serious",
            list_type="court_dishonest",
            decided_on="2026-02-01",
            document_no="(2026)琼01执318号",
            legal_basis="最高人民法院关于公布失信被执行人名单信息的若干规定",
        ),
        actor="court",
    )
    return entry.id


def test_a_listed_logistics_enterprise_on_an_export_inventory_raises_one_alert_and_a_replay_adds_nothing(
    zone: Zone,
) -> None:
    ctx = zone.ctx
    entry = list_carrier_lookalike(zone)
    apply_events(ctx)  # the filings
    export = build_export_set(XP, [(TEE, Decimal(1))], order_no="EXO2026030200001", logistics_no="EXL0001", at=AT)
    send(zone, [export.order], XP.platform)
    inventory = send(zone, [export.inventory], XP.agent)  # stored, waiting for its waybill: its data event is out
    assert [r.message_type.value for r in inventory.receipts] == ["CEB604Message"]
    first = apply_events(ctx)
    with ctx.uow() as uow:
        carrier = find_by_code(uow.session, PARTIES.logistics.code)
    assert carrier is not None
    stored = alerts(zone)
    assert [(s, f, m, o, ref, role) for s, f, m, o, ref, role, _ in stored] == [
        (carrier.uscc, entry, "name", "export_inventory", "EXO2026030200001", "logistics")
    ]
    assert Decimal("0.72") <= stored[0][6] < Decimal("0.97")
    assert (first.alerts_new, first.alerts_known) == (1, 0)

    # the waybill names the same enterprise: known, nothing new
    send(zone, [export.waybill], XP.logistics)
    second = apply_events(ctx)
    assert (second.alerts_new, second.alerts_known) == (0, 1)

    # a rewind and replay of every event adds nothing
    rewind(ctx, "credit", 0)
    replay = apply_events(ctx)
    assert replay.alerts_new == 0 and replay.alerts_known == 2
    assert len(alerts(zone)) == 1
    page = list_alerts(ctx)
    assert [(a.origin, a.role, a.origin_ref) for a in page.items] == [
        ("export_inventory", "logistics", "EXO2026030200001")
    ]


def test_the_payment_enterprise_of_an_import_payment_and_the_waybills_carrier_are_screened(zone: Zone) -> None:
    ctx = zone.ctx
    entry = list_carrier_lookalike(zone)
    payer = record_fact(
        ctx,
        FactIn(
            subject=PARTIES.payment.code,
            fact_type="list_entry",
            source="zone",
            severity="general",
            list_type="zone",
            decided_on="2026-02-01",
            document_no="琼自贸信〔2026〕318号",
            legal_basis="综试区失信名单管理办法",
        ),
        actor="zone-office",
    )
    apply_events(ctx)
    s = a_set("ORD20260302000318")
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    report = apply_events(ctx)
    with ctx.uow() as uow:
        pay = find_by_code(uow.session, PARTIES.payment.code)
        carrier = find_by_code(uow.session, PARTIES.logistics.code)
    assert pay is not None and carrier is not None
    assert [(s, f, m, o, role) for s, f, m, o, _, role, _ in alerts(zone)] == [
        (pay.uscc, payer.id, "customs_code", "payment", "payment"),
        (carrier.uscc, entry, "name", "waybill", "logistics"),
    ]
    assert [ref for *_, ref, _, _ in alerts(zone)] == ["ORD20260302000318", "ORD20260302000318"]
    assert (report.alerts_new, report.alerts_known) == (2, 0)
