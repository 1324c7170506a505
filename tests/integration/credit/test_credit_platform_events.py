"""Credit facts from the platform's own events, end to end through the outbox (issue 17): a failed inspection, a
confirmed consumer report and an export month summarised late each become one fact about the enterprise — once,
whatever the replays — and a refusal after a failed inspection is not counted again as a refusal."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from tests.builders import BUYER, PARTIES
from tests.e2e.exports.test_export_month import depart
from tests.e2e.test_risk_conditions import declare
from tests.integration.exports.export_zone import AT as EXPORT_AT
from tests.integration.exports.export_zone import TEE, XP, release
from tests.web.support import released_set, send_sets
from tests.zone import Zone

from cbec.clearance.service import decide_held_inventory
from cbec.common.clock import SHANGHAI, FixedClock
from cbec.credit.models import CreditFact
from cbec.credit.service import apply_events, seed_configuration, show_subject
from cbec.demo.exports import build_export_set
from cbec.exports.models import SummaryOverdue
from cbec.exports.service import flag_overdue_summaries
from cbec.exports.service.reference import seed_export_reference
from cbec.quota import query_quota
from cbec.risk.conditions import ConditionCreate, place_condition
from cbec.sharing.catalogue import parse_event
from cbec.sharing.consumers import rewind
from cbec.sharing.models import OutboxEvent
from cbec.statistics.queries import list_reports
from cbec.statistics.service import file_consumer_report, issue_report_token, review_consumer_report
from cbec.storage.context import Context


def facts(ctx: Context) -> list[CreditFact]:
    with ctx.uow() as uow:
        found = list(uow.session.scalars(select(CreditFact).order_by(CreditFact.id)))
        uow.session.expunge_all()
        return found


def events(ctx: Context, kind: str) -> list[OutboxEvent]:
    with ctx.uow() as uow:
        found = list(uow.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind).order_by("position")))
        uow.session.expunge_all()
        return found


def test_a_failed_inspection_is_one_fact_and_its_refusal_is_not_counted_again(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    key = ctx.cipher.blind_index(BUYER.id_number)
    place_condition(
        ctx, ConditionCreate(subject_kind="buyer", subject_key=key, kind="block", reason="抽查"), actor="officer"
    )
    failed, passed, refused = (declare(zone, f"ORD2026030200097{n}") for n in (1, 2, 3))
    assert [r.status for r in (failed, passed, refused)] == ["300", "300", "300"]
    for held in (failed, passed):
        decide_held_inventory(ctx, held.inventory_no, action="inspect", actor="officer", comment="查验")
    decide_held_inventory(ctx, failed.inventory_no, action="refuse", actor="officer", comment="货证不符")
    decide_held_inventory(ctx, passed.inventory_no, action="release", actor="officer", comment="查验无误")
    decide_held_inventory(ctx, refused.inventory_no, action="refuse", actor="officer", comment="单证不全")  # no 500

    inspections = [parse_event(row) for row in events(ctx, "inspection")]
    assert [(e.payload.eport_no, e.payload.outcome, e.status) for e in inspections] == [
        (failed.eport_no, "failed", "failed"),
        (passed.eport_no, "passed", "passed"),
    ]
    [refusal] = [
        row
        for row in events(ctx, "receipt")
        if row.business_key == f"inventory:{failed.eport_no}" and row.status == "100"
    ]
    assert inspections[0].position < refusal.position  # the outcome comes before the decision's receipt

    assert apply_events(ctx).facts_recorded == 2
    inspection, refusals = facts(ctx)
    assert (inspection.fact_type, inspection.severity, inspection.source, inspection.document_no) == (
        "inspection_result",
        "minor",
        "platform",
        f"INSPECTION-{failed.eport_no}",
    )
    assert inspection.decided_on == date(2026, 3, 2) and inspection.detail["eport_no"] == failed.eport_no
    # the refusal from review (300 → 100) counts as a refusal; the one after the failed inspection does not
    assert (refusals.fact_type, refusals.quantity, refusals.detail["inventories"]) == (
        "platform_refusals",
        1,
        [refused.eport_no],
    )
    rating = show_subject(ctx, PARTIES.ecommerce.code)
    assert sorted((c.fact_id, c.counted) for c in rating.contributions) == [(inspection.id, -3), (refusals.id, -1)]
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
    assert len(facts(ctx)) == 2


def test_a_confirmed_consumer_report_is_one_fact_about_the_shop_and_a_replay_adds_nothing(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    send_sets(zone, [released_set("ORD20260302000981"), released_set("ORD20260302000982")])
    statement = query_quota(ctx, id_number=BUYER.id_number, name=BUYER.name)
    token = issue_report_token(ctx, id_number=BUYER.id_number, statement=statement)
    first, second = (
        file_consumer_report(ctx, token=token, inventory_ref=entry.inventory_ref, note="不是我买的")
        for entry in statement.entries[:2]
    )
    review_consumer_report(ctx, first.reference_no, actor="admin", comment="平台核实非本人", outcome="confirmed")
    review_consumer_report(ctx, second.reference_no, actor="admin", comment="本人购买", outcome="not_confirmed")
    [event] = [parse_event(row) for row in events(ctx, "report")]  # only the confirmed one is shared
    p = event.payload
    assert (p.reference_no, p.outcome, p.eport_no, p.ecommerce_code, p.platform_code) == (
        first.reference_no,
        "confirmed",
        first.inventory_ref,
        PARTIES.ecommerce.code,
        PARTIES.platform.code,
    )
    assert p.buyer_key == ctx.cipher.blind_index(BUYER.id_number)
    assert BUYER.id_number not in str(event.payload.model_dump()) and event.parties == []

    assert apply_events(ctx).facts_recorded == 1
    [fact] = facts(ctx)
    assert (fact.fact_type, fact.severity, fact.source, fact.document_no, fact.decided_on) == (
        "consumer_report",
        "minor",
        "platform",
        first.reference_no,
        date(2026, 3, 2),
    )
    assert fact.publish_max_until == date(2027, 3, 2)  # windows.csv: consumer reports count for a year
    rating = show_subject(ctx, PARTIES.ecommerce.code)
    assert ([(c.fact_id, c.counted) for c in rating.contributions], rating.score) == ([(fact.id, -5)], 95)
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
    reviewed, _ = list_reports(ctx, status="reviewed")
    assert sorted((r.reference_no, r.outcome) for r in reviewed) == sorted(
        [(first.reference_no, "confirmed"), (second.reference_no, "not_confirmed")]
    )


def test_an_export_month_not_summarised_by_the_15th_is_one_late_summary_fact(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    seed_configuration(ctx)
    seed_export_reference(ctx)
    s = build_export_set(
        XP, [(TEE, Decimal(1))], order_no="EX20260302000981", logistics_no="LE2026030200981", at=EXPORT_AT
    )
    numbers = release(zone, [s], ref="ARR-981")
    depart(zone, [s], numbers, datetime(2026, 3, 5, 23, 0, tzinfo=SHANGHAI))
    clock.set(datetime(2026, 4, 15, 20, 0, tzinfo=SHANGHAI))  # the due day itself: not late yet
    assert flag_overdue_summaries(ctx).recorded == []
    clock.set(datetime(2026, 4, 16, 2, 0, tzinfo=SHANGHAI))
    found = flag_overdue_summaries(ctx)
    assert (found.on, found.recorded, found.known) == (date(2026, 4, 16), [(XP.ecommerce.code, "2026-03")], [])
    clock.advance(timedelta(days=1))
    again = flag_overdue_summaries(ctx)
    assert (again.recorded, again.known) == ([], [(XP.ecommerce.code, "2026-03")])
    [event] = [parse_event(row) for row in events(ctx, "overdue")]
    assert event.payload.model_dump() == {
        "obligation": "export_summary",
        "enterprise_code": XP.ecommerce.code,
        "period": "2026-03",
        "due_on": "2026-04-15",
        "inventories": 1,
        "on": "2026-04-16",
    }
    assert (event.parties, event.status, event.document_type) == ([XP.ecommerce.code], "overdue", "export_summary")
    with ctx.uow() as uow:
        [row] = uow.session.scalars(select(SummaryOverdue)).all()
        assert (row.due_on, row.found_on, row.inventories) == (date(2026, 4, 15), date(2026, 4, 16), 1)

    assert apply_events(ctx).facts_recorded == 1
    [fact] = [f for f in facts(ctx) if f.fact_type == "platform_late_summaries"]
    assert (fact.severity, fact.source, fact.decided_on, fact.document_no) == (
        "minor",
        "platform",
        date(2026, 4, 16),
        f"LATE-SUMMARY-{XP.ecommerce.code}-2026-03",
    )
    assert fact.detail["due_on"] == "2026-04-15" and fact.detail["inventories"] == 1
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
