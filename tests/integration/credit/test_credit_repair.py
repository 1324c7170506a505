"""Repair (minimum window, second-person approval, publication stops), objections (deadline, withdrawal), the daily
job (publication ends at the maximum window, overdue objections) and override requests, each change an event."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.ids import make_uscc
from cbec.common.scope import Scope
from cbec.credit import CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound
from cbec.credit.models import CreditFact, CreditPublicationEnd
from cbec.credit.schemas import DecisionIn, FactIn, ObjectionIn, OverrideRequestIn, RepairIn
from cbec.credit.service import (
    apply_repair,
    decide_objection,
    decide_override,
    decide_repair,
    file_objection,
    list_objections,
    list_repairs,
    propose_override,
    record_fact,
    run_daily,
    seed_configuration,
    show_subject,
    subject_facts,
)
from cbec.sharing.catalogue import CreditEvent, parse_event
from cbec.sharing.models import OutboxEvent
from cbec.storage.context import Context

ACME = make_uscc("91460000MA5TRPR01")
BETA = make_uscc("91460000MA5TRPR02")
DIGEST = "ab" * 32


def penalty(number: str, severity: str = "general", decided_on: str = "2026-02-01", subject: str = ACME) -> FactIn:
    return FactIn(
        subject=subject,
        fact_type="penalty",
        source="customs",
        severity=severity,
        decided_on=decided_on,
        document_no=number,
        legal_basis="海关行政处罚实施条例",
    )


def repair(fact_id: int, **extra: str | None) -> RepairIn:
    values: dict[str, str | None] = {
        "evidence_sha256": DIGEST,
        "description": "罚款已缴清，整改完成",
        "commitment": "本企业承诺守法经营",
        **extra,
    }
    return RepairIn(fact_id=fact_id, **values)  # type: ignore[arg-type]


def on(clock: FixedClock, day: str) -> None:
    clock.set(datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI))


def credit_events(ctx: Context) -> list[tuple[str, str, int | None]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "credit").order_by(OutboxEvent.id))
        events = [parse_event(row) for row in rows]
    assert all(isinstance(e, CreditEvent) for e in events)
    return [(e.payload.change, e.payload.subject, e.payload.fact_id) for e in events]  # type: ignore[union-attr]


@pytest.fixture
def seeded(ctx: Context) -> Context:
    seed_configuration(ctx)
    return ctx


def test_repair_opens_at_the_minimum_window_and_takes_a_second_officer(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    fact = record_fact(ctx, penalty("海关罚字〔2026〕1号"), actor="customs")
    assert (fact.publish_min_until, fact.publish_max_until) == (date(2026, 5, 1), date(2027, 2, 1))
    with pytest.raises(CreditInvalid) as early:
        apply_repair(ctx, repair(fact.id, evidence_sha256="nope", commitment=" "), actor="acme")
    assert [(p.rule_id, p.field) for p in early.value.problems] == [
        ("CRD-REPAIR-EARLY", "fact_id"),
        ("CRD-REPAIR-EVIDENCE", "evidence_sha256"),
        ("CRD-REPAIR-COMMITMENT", "commitment"),
    ]
    assert early.value.problems[0].hint == "Apply on or after 2026-05-01."
    on(clock, "2026-04-30")
    with pytest.raises(CreditInvalid) as still_early:
        apply_repair(ctx, repair(fact.id), actor="acme")
    assert [p.rule_id for p in still_early.value.problems] == ["CRD-REPAIR-EARLY"]
    assert list_repairs(ctx) == []

    on(clock, "2026-05-01")
    applied = apply_repair(ctx, repair(fact.id), actor="acme")
    assert (applied.status, applied.applicant, applied.subject) == ("pending", "acme", ACME)
    with pytest.raises(CreditConflict) as twice:
        apply_repair(ctx, repair(fact.id), actor="acme")
    assert [p.rule_id for p in twice.value.problems] == ["CRD-REPAIR-OPEN"]
    with pytest.raises(CreditConflict) as unproposed:
        decide_repair(ctx, applied.id, DecisionIn(action="approve"), actor="officer-2")
    assert [p.rule_id for p in unproposed.value.problems] == ["CRD-STATUS"]
    with pytest.raises(CreditForbidden) as own:
        decide_repair(ctx, applied.id, DecisionIn(action="propose"), actor="acme")
    assert [p.rule_id for p in own.value.problems] == ["CRD-MAKER-CHECKER"]
    proposed = decide_repair(ctx, applied.id, DecisionIn(action="propose", note="材料齐全"), actor="officer-1")
    assert (proposed.status, proposed.reviewed_by, proposed.review_note) == ("proposed", "officer-1", "材料齐全")
    with pytest.raises(CreditForbidden) as same:
        decide_repair(ctx, applied.id, DecisionIn(action="approve"), actor="officer-1")
    assert [p.rule_id for p in same.value.problems] == ["CRD-MAKER-CHECKER"]
    assert show_subject(ctx, ACME, on=date(2026, 5, 1)).score == 85

    on(clock, "2026-05-03")
    approved = decide_repair(ctx, applied.id, DecisionIn(action="approve"), actor="officer-2")
    assert (approved.status, approved.decided_by) == ("approved", "officer-2")
    rows = subject_facts(ctx, ACME)
    assert [(r.id, r.supersedes, r.retracted, r.publish_max_until) for r in rows] == [
        (fact.id, None, False, date(2027, 2, 1)),
        (approved.result_fact_id, fact.id, False, date(2026, 5, 3)),
    ]
    assert show_subject(ctx, ACME, on=date(2026, 5, 3)).contributions == []
    assert show_subject(ctx, ACME, on=date(2026, 5, 2)).score == 85  # as of an earlier day it still counted
    before = show_subject(ctx, ACME, on=date(2026, 5, 3), known_at=datetime(2026, 5, 2, 12, tzinfo=SHANGHAI))
    assert before.score == 85  # as known before the approval
    with pytest.raises(CreditConflict):
        decide_repair(ctx, applied.id, DecisionIn(action="reject", note="x"), actor="officer-3")
    with pytest.raises(CreditInvalid) as again:
        apply_repair(ctx, repair(fact.id), actor="acme")
    assert [p.rule_id for p in again.value.problems] == ["CRD-REPAIR-FACT"]
    assert run_daily(ctx).ended == []  # the repair recorded the end of publication already
    assert credit_events(ctx) == [
        ("repair_applied", ACME, fact.id),
        ("repair_proposed", ACME, fact.id),
        ("repair_approved", ACME, fact.id),
    ]


def test_serious_facts_need_training_and_rejections_a_reason(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    serious = record_fact(ctx, penalty("海关罚字〔2026〕2号", "serious", "2025-01-01"), actor="customs")
    tier = record_fact(
        ctx,
        FactIn(
            subject=ACME,
            fact_type="customs_tier",
            source="customs",
            tier="advanced",
            decided_on="2025-01-01",
            document_no="AEO-1",
        ),
        actor="customs",
    )
    with pytest.raises(CreditInvalid) as missing:
        apply_repair(ctx, repair(serious.id), actor="acme")
    assert [p.rule_id for p in missing.value.problems] == ["CRD-REPAIR-TRAINING"]
    with pytest.raises(CreditInvalid) as not_here:
        apply_repair(ctx, repair(tier.id), actor="acme")
    assert [p.rule_id for p in not_here.value.problems] == ["CRD-REPAIR-TIER"]
    applied = apply_repair(ctx, repair(serious.id, training="信用修复培训 2026-02-10 证书 001"), actor="acme")
    with pytest.raises(CreditInvalid) as reasonless:
        decide_repair(ctx, applied.id, DecisionIn(action="reject"), actor="officer-1")
    assert [p.rule_id for p in reasonless.value.problems] == ["CRD-DECISION-NOTE"]
    rejected = decide_repair(ctx, applied.id, DecisionIn(action="reject", note="证明不足"), actor="officer-1")
    assert (rejected.status, rejected.decision_note, rejected.result_fact_id) == ("rejected", "证明不足", None)
    assert len(subject_facts(ctx, ACME)) == 2
    with pytest.raises(CreditNotFound):
        apply_repair(ctx, repair(serious.id), actor="beta", scope=Scope(parties=frozenset({BETA})))


def test_objections_have_a_deadline_and_an_upheld_one_withdraws_the_fact(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    fact = record_fact(ctx, penalty("海关罚字〔2026〕3号"), actor="customs")
    other = record_fact(ctx, penalty("海关罚字〔2026〕4号"), actor="customs")
    with pytest.raises(CreditInvalid) as bad:
        file_objection(ctx, ObjectionIn(fact_id=fact.id, reason=" ", evidence_sha256="zz"), actor="acme")
    assert [p.rule_id for p in bad.value.problems] == ["CRD-OBJECTION-REASON", "CRD-OBJECTION-EVIDENCE"]
    filed = file_objection(ctx, ObjectionIn(fact_id=fact.id, reason="决定已被复议撤销"), actor="acme")
    assert (filed.status, filed.due_on, filed.overdue) == ("open", date(2026, 3, 22), False)
    second = file_objection(ctx, ObjectionIn(fact_id=other.id, reason="金额有误"), actor="acme")
    with pytest.raises(CreditInvalid) as own:
        decide_objection(ctx, filed.id, DecisionIn(action="uphold"), actor="acme")
    assert [p.rule_id for p in own.value.problems] == ["CRD-MAKER-CHECKER"]
    assert show_subject(ctx, ACME, on=date(2026, 3, 2)).score == 70

    on(clock, "2026-03-23")
    report = run_daily(ctx)
    assert [(o.id, o.overdue) for o in report.overdue_objections] == [(filed.id, True), (second.id, True)]
    upheld = decide_objection(ctx, filed.id, DecisionIn(action="uphold", note="复议撤销"), actor="officer-1")
    assert upheld.status == "upheld" and upheld.result_fact_id is not None
    dismissed = decide_objection(ctx, second.id, DecisionIn(action="dismiss", note="金额无误"), actor="officer-1")
    assert dismissed.status == "dismissed"
    assert show_subject(ctx, ACME, on=date(2026, 3, 2)).score == 85  # withdrawn: not counted on any day
    assert [o.status for o in list_objections(ctx, subject=ACME)] == ["upheld", "dismissed"]
    assert run_daily(ctx).overdue_objections == []
    assert [c for c, _, _ in credit_events(ctx)] == [
        "objection_filed",
        "objection_filed",
        "objection_upheld",
        "objection_dismissed",
    ]


def test_the_daily_job_ends_publication_at_the_maximum_window_once(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    minor = record_fact(ctx, penalty("海关罚字〔2026〕5号", "minor"), actor="customs")
    general = record_fact(ctx, penalty("海关罚字〔2026〕6号"), actor="customs")
    assert minor.publish_max_until == date(2026, 5, 1)
    on(clock, "2026-04-30")
    assert run_daily(ctx).ended == []
    on(clock, "2026-05-01")
    rating = show_subject(ctx, ACME)
    assert [c.fact_id for c in rating.contributions] == [general.id]  # the rating ignores it already
    report = run_daily(ctx)
    assert [(e.fact_id, e.publish_max_until) for e in report.ended] == [(minor.id, date(2026, 5, 1))]
    assert run_daily(ctx).ended == []
    with ctx.uow() as uow:
        ends = uow.session.execute(select(CreditPublicationEnd.fact_id, CreditPublicationEnd.cause)).all()
        assert [tuple(e) for e in ends] == [(minor.id, "expired")]
        assert uow.session.query(CreditFact).count() == 2
    assert credit_events(ctx) == [("publication_ended", ACME, minor.id)]


def test_overrides_take_a_second_officer(seeded: Context, clock: FixedClock) -> None:
    ctx = seeded
    record_fact(ctx, penalty("海关罚字〔2026〕7号"), actor="customs")
    request = propose_override(
        ctx, OverrideRequestIn(subject=ACME, level="A", reason="复核后调整", until=date(2026, 6, 1)), actor="officer-1"
    )
    assert request.status == "pending" and show_subject(ctx, ACME).level == "B"
    with pytest.raises(CreditForbidden) as same:
        decide_override(ctx, request.id, DecisionIn(action="approve"), actor="officer-1")
    assert [p.rule_id for p in same.value.problems] == ["CRD-MAKER-CHECKER"]
    approved = decide_override(ctx, request.id, DecisionIn(action="approve"), actor="officer-2")
    assert approved.status == "approved" and approved.override_id is not None
    rating = show_subject(ctx, ACME)
    assert (rating.level, rating.override.actor if rating.override else None) == ("A", "officer-1")
    with pytest.raises(CreditInvalid) as bad:
        propose_override(ctx, OverrideRequestIn(subject=ACME, level="Z", until=date(2026, 1, 1)), actor="officer-1")
    assert [p.rule_id for p in bad.value.problems] == ["CRD-LEVEL", "CRD-OVERRIDE-EXPIRY", "CRD-OVERRIDE-REASON"]
    assert [c for c, _, _ in credit_events(ctx)] == ["override_proposed", "override_approved"]
