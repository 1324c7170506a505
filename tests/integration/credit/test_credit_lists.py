"""Negative lists and joint punishment (名单与联合惩戒): an entry in force gets its catalogue measures (joint ones for
serious lists only) and the clearance measures clearance reads as data; a repair, a withdrawal or the entry's end
lifts them, each change audited and an event. Screening every filing stores its hits as alerts, once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.builders import PARTIES
from tests.zone import Zone

from cbec.audit.models import AuditRecord
from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.ids import make_uscc
from cbec.common.scope import Scope
from cbec.credit import CreditConflict, CreditInvalid, CreditNotFound
from cbec.credit.models import CreditMeasureApplied
from cbec.credit.schemas import AlertDecisionIn, DecisionIn, FactIn, ObjectionIn, RepairIn
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import (
    alert_enterprises,
    apply_events,
    apply_list_measures,
    apply_repair,
    decide_alert,
    decide_objection,
    decide_repair,
    file_objection,
    list_alerts,
    list_entries,
    load_configuration,
    public_entries,
    record_fact,
    run_daily,
    seed_configuration,
    subject_measures,
)
from cbec.sharing.catalogue import CreditEvent, parse_event
from cbec.sharing.models import OutboxEvent
from cbec.storage.context import Context
from cbec.supervision import DecisionPolicy, InventoryFacts, Outcome, SubjectKind, measures_in_force

ACME = make_uscc("91460000MA5TLXT01")
BETA = make_uscc("91460000MA5TLXT02")
GAMMA = make_uscc("91460000MA5TLXT03")
JOINT = ["CRT-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"]


def entry(subject: str, list_type: str, number: str, *, severity: str = "serious", **extra: object) -> FactIn:
    source = {"court_dishonest": "court", "customs_serious": "customs", "zone": "zone"}[list_type]
    values = {
        "subject": subject,
        "subject_name": f"海南{number[-4:-1]}贸易有限公司",
        "fact_type": "list_entry",
        "source": source,
        "severity": severity,
        "list_type": list_type,
        "decided_on": "2026-02-01",
        "document_no": number,
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定",
        **extra,
    }
    return FactIn(**values)  # type: ignore[arg-type]


def on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI))


def applied(ctx: Context) -> list[tuple[str, str, str, date, date | None, str | None, str | None]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(CreditMeasureApplied).order_by(CreditMeasureApplied.id))
        return [
            (r.list_type, r.measure_code, r.scope, r.started_on, r.ended_on, r.lift_cause, r.lifted_by) for r in rows
        ]


def clearance(ctx: Context, code: str) -> list[tuple[str, Decimal | None, str]]:
    with ctx.uow() as uow:
        found = measures_in_force(uow.session, [(SubjectKind.ENTERPRISE, code)], ctx.clock.now())
    return sorted((m.kind.value, m.rate, m.source) for m in found.get((SubjectKind.ENTERPRISE, code), []))


def measure_events(ctx: Context) -> list[tuple[str, str, int | None]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "credit").order_by(OutboxEvent.id))
        events = [parse_event(row) for row in rows]
    found = [e for e in events if isinstance(e, CreditEvent) and e.payload.change.startswith("measures_")]
    return [(e.payload.change, e.payload.subject, e.payload.fact_id) for e in found]


@pytest.fixture
def seeded(ctx: Context) -> Context:
    seed_configuration(ctx)
    return ctx


def test_only_serious_list_entries_trigger_joint_measures(seeded: Context) -> None:
    ctx = seeded
    court = record_fact(ctx, entry(ACME, "court_dishonest", "(2026)琼01执101号"), actor="court-1")
    zone = record_fact(ctx, entry(BETA, "zone", "琼自贸信〔2026〕102号"), actor="zone-1")
    general = record_fact(ctx, entry(GAMMA, "court_dishonest", "(2026)琼01执103号", severity="general"), actor="c")
    day = date(2026, 3, 2)
    assert applied(ctx) == [
        *[
            ("court_dishonest", code, "own" if code == "CRT-PUBLISH" else "joint", day, None, None, None)
            for code in JOINT
        ],
        ("zone", "ZON-INSPECT", "own", day, None, None, None),
        ("zone", "ZON-PUBLISH", "own", day, None, None, None),
        ("court_dishonest", "CRT-PUBLISH", "own", day, None, None, None),
    ]
    assert clearance(ctx, ACME) == [
        ("inspection", Decimal("0.8"), "credit_list"),
        ("no_facilitation", None, "credit_list"),  # JNT-NO-FACILITATION reaches clearance (zone-lists@2)
    ]
    assert clearance(ctx, BETA) == [("inspection", Decimal("0.05"), "credit_list")]
    assert clearance(ctx, GAMMA) == []
    assert measure_events(ctx) == [
        ("measures_applied", ACME, court.id),
        ("measures_applied", BETA, zone.id),
        ("measures_applied", GAMMA, general.id),
    ]
    page = list_entries(ctx, list_type="court_dishonest")
    assert [(e.subject, e.measures) for e in page.items] == [(GAMMA, ["CRT-PUBLISH"]), (ACME, JOINT)]
    assert list_entries(ctx, query="101号").total == 0 and list_entries(ctx, query=BETA).total == 1
    shown = [(p.name, p.list_type, [m.code for m in p.measures]) for p in public_entries(ctx)]
    assert shown == [
        ("海南101贸易有限公司", "court_dishonest", JOINT),
        ("海南103贸易有限公司", "court_dishonest", ["CRT-PUBLISH"]),
        ("海南102贸易有限公司", "zone", ["ZON-INSPECT", "ZON-PUBLISH"]),
    ]


def test_a_customs_serious_entry_holds_every_inventory_until_a_repair_lifts_it(
    seeded: Context, clock: FixedClock
) -> None:
    ctx = seeded
    fact = record_fact(ctx, entry(ACME, "customs_serious", "海关信〔2026〕1号"), actor="customs-1")
    assert clearance(ctx, ACME) == [("full_guarantee", None, "credit_list"), ("hold", None, "credit_list")]
    facts = InventoryFacts(1, "1210", ACME, "P", Decimal("100"), ("3304990099",), "buyer")
    with ctx.uow() as uow:
        found = measures_in_force(uow.session, [(SubjectKind.ENTERPRISE, ACME)], ctx.clock.now())
    decision = DecisionPolicy().decide(facts, found[(SubjectKind.ENTERPRISE, ACME)])
    assert decision.outcome is Outcome.REVIEW
    assert decision.reasons[0].startswith("监管措施扣留 / hold (credit_list, credit list customs_serious entry")
    assert (decision.priority, decision.guarantee) == (False, "full")  # CUS-GUARANTEE reaches the decision
    assert decision.notes == (
        f"全额担保 / full guarantee (credit list customs_serious entry {fact.id} CUS-GUARANTEE): "
        "全额担保 / full guarantee",
    )

    on(clock, "2027-02-02")  # a serious fact is repaired after its minimum window (12 months)
    request = RepairIn(
        fact_id=fact.id, evidence_sha256="ab" * 32, description="已整改", commitment="承诺守法", training="信用修复培训"
    )
    application = apply_repair(ctx, request, actor="acme")
    decide_repair(ctx, application.id, DecisionIn(action="propose"), actor="officer-1")
    decide_repair(ctx, application.id, DecisionIn(action="approve"), actor="officer-2")
    lifted = date(2027, 2, 2)
    assert applied(ctx) == [
        ("customs_serious", code, scope, date(2026, 3, 2), lifted, "repaired", "officer-2")
        for code, scope in (
            ("CUS-HOLD", "own"),
            ("CUS-GUARANTEE", "own"),
            ("JNT-ADMISSION", "joint"),
            ("JNT-SUBSIDY", "joint"),
        )
    ]
    assert clearance(ctx, ACME) == []
    assert measure_events(ctx) == [("measures_applied", ACME, fact.id), ("measures_lifted", ACME, fact.id)]
    assert [m.lift_cause for m in subject_measures(ctx, ACME)] == ["repaired"] * 4
    with ctx.uow() as uow:
        audit = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.entity_type == "credit_list_entry").order_by(AuditRecord.id)
        ).all()
    assert audit == ["credit.measures.applied", "credit.measures.lifted"]
    assert list_entries(ctx).total == 0


def test_a_withdrawal_and_the_end_of_an_entry_lift_its_measures(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    withdrawn = record_fact(ctx, entry(ACME, "zone", "琼自贸信〔2026〕201号"), actor="zone-1")
    ending = record_fact(ctx, entry(BETA, "zone", "琼自贸信〔2026〕202号", valid_to="2026-04-01"), actor="zone-1")
    objection = file_objection(ctx, ObjectionIn(fact_id=withdrawn.id, reason="名称登记错误"), actor="acme")
    decide_objection(ctx, objection.id, DecisionIn(action="uphold"), actor="officer-1")
    assert [(m.measure_code, m.lift_cause, m.lifted_by) for m in subject_measures(ctx, ACME)] == [
        ("ZON-INSPECT", "withdrawn", "officer-1"),
        ("ZON-PUBLISH", "withdrawn", "officer-1"),
    ]
    assert clearance(ctx, ACME) == [] and clearance(ctx, BETA) == [("inspection", Decimal("0.05"), "credit_list")]

    on(clock, "2026-04-01")
    report = run_daily(ctx)
    assert (report.measures_applied, report.measures_lifted, report.events) == (0, 2, 1)
    assert [(m.ended_on, m.lift_cause, m.lifted_by) for m in subject_measures(ctx, BETA)] == [
        (date(2026, 4, 1), "ended", "credit-daily")
    ] * 2
    assert clearance(ctx, BETA) == []
    assert run_daily(ctx).measures_lifted == 0  # once
    assert measure_events(ctx)[-1] == ("measures_lifted", BETA, ending.id)


def test_measures_of_a_subject_outside_the_scope_are_not_found(seeded: Context) -> None:
    record_fact(seeded, entry(ACME, "zone", "琼自贸信〔2026〕301号"), actor="zone-1")
    with pytest.raises(CreditNotFound):
        subject_measures(seeded, ACME, scope=Scope(parties=frozenset({BETA})))


def test_screening_every_filing_stores_its_hits_as_alerts_once(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    shop = PARTIES.ecommerce
    record_fact(
        ctx,
        FactIn(
            subject=make_uscc("91460000MA5TLXT09"),
            subject_name=shop.name.replace("有限公司", "有限责任公司"),
            fact_type="list_entry",
            source="court",
            severity="serious",
            list_type="court_dishonest",
            decided_on="2026-02-01",
            document_no="(2026)琼01执901号",
            legal_basis="最高人民法院关于公布失信被执行人名单信息的若干规定",
        ),
        actor="court-1",
    )
    record_fact(ctx, entry(shop.code, "zone", "琼自贸信〔2026〕902号"), actor="zone-1")
    first = alert_enterprises(ctx)
    assert (first.flagged, first.alerts_new, first.alerts_known) == (1, 2, 0)
    again = alert_enterprises(ctx)
    assert (again.alerts_new, again.alerts_known) == (0, 2)
    page = list_alerts(ctx)
    assert [(a.customs_code, a.matched, a.state) for a in page.items] == [
        (shop.code, "uscc", "open"),
        (shop.code, "name", "open"),
    ]
    assert page.items[0].score == 1.0 and 0.72 <= page.items[1].score < 1.0
    assert [f.name for f in page.items[1].features] == [
        "core",
        "order",
        "pinyin",
        "full",
        "surface",
        "core_exact",
        "length",
    ]
    assert list_alerts(ctx, scope=Scope(tenant="hub/zhengzhou")).total == 0

    with pytest.raises(CreditInvalid) as bare:
        decide_alert(ctx, page.items[1].id, AlertDecisionIn(action="dismiss"), actor="officer-1")
    assert [p.rule_id for p in bare.value.problems] == ["CRD-DECISION-NOTE"]
    dismissed = decide_alert(
        ctx, page.items[1].id, AlertDecisionIn(action="dismiss", note="另一企业"), actor="officer-1"
    )
    assert (dismissed.state, dismissed.reviewer, dismissed.note) == ("dismissed", "officer-1", "另一企业")
    confirmed = decide_alert(ctx, page.items[0].id, AlertDecisionIn(action="confirm"), actor="officer-2")
    assert (confirmed.state, confirmed.reviewer) == ("confirmed", "officer-2")
    with pytest.raises(CreditConflict) as twice:
        decide_alert(ctx, page.items[0].id, AlertDecisionIn(action="dismiss", note="x"), actor="officer-1")
    assert [p.rule_id for p in twice.value.problems] == ["CRD-ALERT-DECIDED"]
    with pytest.raises(CreditNotFound):
        decide_alert(
            ctx, page.items[0].id, AlertDecisionIn(action="confirm"), actor="x", scope=Scope(tenant="hub/zhengzhou")
        )
    assert list_alerts(ctx).total == 0 and list_alerts(ctx, state=None).total == 2
    assert alert_enterprises(ctx).alerts_new == 0  # decided alerts are not opened again


def test_a_correction_moves_the_measures_to_the_new_row(seeded: Context) -> None:
    ctx = seeded
    first = record_fact(ctx, entry(ACME, "zone", "琼自贸信〔2026〕401号"), actor="zone-1")
    fixed = record_fact(ctx, entry(ACME, "zone", "琼自贸信〔2026〕402号", supersedes=first.id), actor="zone-2")
    assert [(m.fact_id, m.measure_code, m.lift_cause, m.lifted_by) for m in subject_measures(ctx, ACME)] == [
        (first.id, "ZON-INSPECT", "corrected", "zone-2"),
        (first.id, "ZON-PUBLISH", "corrected", "zone-2"),
        (fixed.id, "ZON-INSPECT", None, None),
        (fixed.id, "ZON-PUBLISH", None, None),
    ]
    assert clearance(ctx, ACME) == [("inspection", Decimal("0.05"), "credit_list")]


def test_a_new_catalogue_version_reaches_clearance_for_entries_in_force_when_the_measures_are_applied_again(
    ctx: Context,
) -> None:
    first = [(k, v) for k, v in shipped_documents() if not (k == ConfigKind.LISTS and v["version"] == "2")]
    load_configuration(ctx, first, actor="zone-office")
    record_fact(ctx, entry(ACME, "court_dishonest", "(2026)琼01执301号"), actor="court-1")
    assert clearance(ctx, ACME) == [("inspection", Decimal("0.8"), "credit_list")]  # zone-lists@1: recorded only
    load_configuration(ctx, [(k, v) for k, v in shipped_documents() if k == ConfigKind.LISTS], actor="zone-office")
    assert apply_list_measures(ctx).applied == 0  # every measure of the entry is applied already …
    assert clearance(ctx, ACME) == [  # … and its clearance effects follow the catalogue in force
        ("inspection", Decimal("0.8"), "credit_list"),
        ("no_facilitation", None, "credit_list"),
    ]
    assert apply_list_measures(ctx).supervision == 0  # once
