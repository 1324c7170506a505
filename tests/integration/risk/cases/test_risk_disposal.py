"""Disposal on decisions stored as the consumer stores them: cases per pivot, maker-checker, holds as data, outbox
events, snoozes with expiry on the injectable clock, labels in the alerts, exact review figures, tenant scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.integration.risk.cases.support import SUBJECTS, decide, plant_labelled_alerts
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.common.errors import DomainError
from cbec.common.scope import Scope
from cbec.risk.cases import (
    ActionCreate,
    ActionDecision,
    CaseConflict,
    CaseForbidden,
    CaseNotFound,
    SnoozeCreate,
    act,
    confirm,
    gather,
    list_cases,
    review,
    show_case,
    snooze,
)
from cbec.risk.cases.models import RiskCaseAlert
from cbec.risk.models import RiskHold
from cbec.risk.service import list_alerts
from cbec.sharing.models import OutboxEvent
from cbec.supervision.models import SupervisionMeasure

DAY = date(2026, 3, 2)


def rule_ids(exc: DomainError) -> list[str]:
    return [p.rule_id for p in exc.problems]


def test_alerts_join_the_open_case_of_their_pivot_and_the_case_takes_the_highest_score(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    decide(
        ctx,
        "E1",
        [("order_splitting", 45, "review", ["S1", "S2"]), ("fake_order", 70, "hold", ["F1"])],
        day=DAY,
        at=now,
    )
    decide(ctx, "E2", [("order_splitting", 60, "review", ["S1", "S3"])], day=DAY, at=now)
    other = {**SUBJECTS, "buyer": "c" * 16}
    decide(ctx, "E3", [("undervaluation", 40, "review", ["U1"])], day=DAY, at=now, subjects=other)
    report = gather(ctx)
    assert (report.alerts, report.opened, report.joined, report.snoozed) == (4, 3, 1, 0)
    assert gather(ctx).alerts == 0  # idempotent
    cases, total = list_cases(ctx)
    assert total == 3
    assert [(c.pivot_kind, c.pivot_key, c.score, c.band, c.typologies, c.alerts) for c in cases] == [
        ("phone", "f" * 16, 70, "hold", ["fake_order"], 1),
        ("buyer", "b" * 16, 60, "review", ["order_splitting"], 2),
        ("enterprise", "4601960001", 40, "review", ["undervaluation"], 1),
    ]
    assert [c.pivot_kind for c in list_cases(ctx, typology="undervaluation")[0]] == ["enterprise"]
    detail = show_case(ctx, cases[1].id)
    assert [a.alert.eport_no for a in detail.alerts] == ["E1", "E2"]
    assert detail.alerts[0].alert.contributions[0].rule == "S1"
    assert detail.alerts[0].alert.contributions[0].reason_zh  # the shipped rule's reason, in words
    # tenant scope: another city sees nothing, its own subtree sees all
    assert list_cases(ctx, scope=Scope(tenant="hub/zhengzhou"))[1] == 0
    with pytest.raises(CaseNotFound):
        show_case(ctx, cases[0].id, scope=Scope(tenant="hub/zhengzhou"))
    assert list_cases(ctx, scope=Scope(tenant="hub"))[1] == 3


def test_disposal_with_maker_checker_holds_as_data_events_and_labels(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    decide(ctx, "E1", [("fake_order", 70, "hold", ["F1", "F2"])], day=DAY, at=now)
    decide(ctx, "E2", [("fake_order", 40, "review", ["F1"])], day=DAY, at=now)
    gather(ctx)
    [case], _ = list_cases(ctx)
    act(ctx, case.id, ActionCreate(kind="request_documents", comment="运单与支付凭证"), actor="li")
    held = act(ctx, case.id, ActionCreate(kind="hold", comment="待查"), actor="li")
    assert held.state == "done" and held.detail["held"] == ["E1", "E2"]
    with pytest.raises(CaseNotFound):
        act(ctx, case.id, ActionCreate(kind="hold"), actor="x", scope=Scope(tenant="hub/zhengzhou"))
    proposed = act(ctx, case.id, ActionCreate(kind="return", comment="虚假交易，退运"), actor="li")
    assert proposed.state == "proposed"
    with pytest.raises(CaseForbidden) as self_approval:
        confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm"), actor="li")
    assert rule_ids(self_approval.value) == ["RSK-CASE-SELF-APPROVAL"]
    with pytest.raises(CaseConflict) as pending:
        act(ctx, case.id, ActionCreate(kind="close", outcome="confirmed"), actor="li")
    assert rule_ids(pending.value) == ["RSK-CASE-PENDING"]
    confirmed = confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm", comment="同意"), actor="wang")
    assert (confirmed.state, confirmed.checked_by, confirmed.detail["held"]) == ("confirmed", "wang", ["E1", "E2"])
    with pytest.raises(CaseConflict) as again:
        confirm(ctx, case.id, proposed.id, ActionDecision(decision="reject"), actor="zhao")
    assert rule_ids(again.value) == ["RSK-CASE-NOT-PENDING"]
    listed = act(
        ctx, case.id, ActionCreate(kind="propose_list_entry", comment="列入观察", list_name="watch"), actor="li"
    )
    confirm(ctx, case.id, listed.id, ActionDecision(decision="reject", comment="证据不足"), actor="wang")
    act(ctx, case.id, ActionCreate(kind="refer_agency", comment="移交税务", agency="tax"), actor="li")
    act(ctx, case.id, ActionCreate(kind="report_credit", comment="报送信用"), actor="li")
    act(ctx, case.id, ActionCreate(kind="close", comment="属实", outcome="confirmed"), actor="wang")
    with pytest.raises(CaseConflict) as closed:
        act(ctx, case.id, ActionCreate(kind="note", comment="late"), actor="li")
    assert rule_ids(closed.value) == ["RSK-CASE-CLOSED"]
    detail = show_case(ctx, case.id)
    assert (detail.case.state, detail.case.outcome, detail.case.closed_by) == ("closed", "confirmed", "wang")
    assert [(a.kind, a.state, a.actor) for a in detail.actions] == [
        ("request_documents", "done", "li"),
        ("hold", "done", "li"),
        ("return", "confirmed", "li"),
        ("propose_list_entry", "rejected", "li"),
        ("refer_agency", "done", "li"),
        ("report_credit", "done", "li"),
        ("close", "done", "wang"),
    ]
    assert [a.outcome for a in detail.alerts] == ["confirmed", "confirmed"]
    assert sorted((a.eport_no, a.outcome) for a in list_alerts(ctx)) == [("E1", "confirmed"), ("E2", "confirmed")]
    with ctx.uow() as uow:
        holds = [
            (h.eport_no, h.expires_at - h.created_at)
            for h in uow.session.scalars(select(RiskHold).order_by(RiskHold.id))
        ]
        measures = [
            (m.subject_key, m.kind)
            for m in uow.session.scalars(
                select(SupervisionMeasure).where(SupervisionMeasure.source == "risk").order_by(SupervisionMeasure.id)
            )
        ]
        events = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.kind == "risk").order_by(OutboxEvent.position)
        ).all()
        changes = [(e.payload["change"], e.payload["case_id"], list(e.parties)) for e in events]
        payload = dict(events[-1].payload)
        uow.commit()
    # hold and the confirmed return: two holds per inventory, each also a supervision hold measure
    assert [h for h, _ in holds] == ["E1", "E2", "E1", "E2"]
    assert measures == [(h, "hold") for h, _ in holds]
    assert {days for _, days in holds} == {timedelta(days=7)}
    assert [c for c, _, _ in changes] == [
        "request_documents_done",
        "hold_done",
        "return_proposed",
        "return_confirmed",
        "propose_list_entry_proposed",
        "propose_list_entry_rejected",
        "refer_agency_done",
        "report_credit_done",
        "close_done",
    ]
    assert {(case_id, tuple(parties)) for _, case_id, parties in changes} == {(case.id, ())}
    assert (payload["outcome"], payload["inventories"], payload["pivot_kind"]) == ("confirmed", ["E1", "E2"], "phone")
    assert "li" not in payload.values() and "wang" not in payload.values()  # no officer named
    # a new alert on the same pivot after the close opens a new case
    decide(ctx, "E3", [("fake_order", 40, "review", ["F1"])], day=DAY, at=ctx.clock.now())
    assert gather(ctx).opened == 1
    assert [c.alerts for c in list_cases(ctx)[0]] == [1]


def test_a_snooze_keeps_new_alerts_of_its_rule_out_of_cases_until_it_expires(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    decide(ctx, "E1", [("fake_order", 40, "review", ["F1"])], day=DAY, at=clock.now())
    gather(ctx)
    [case], _ = list_cases(ctx)
    act(ctx, case.id, ActionCreate(kind="close", outcome="false_positive"), actor="li")
    with pytest.raises(DomainError) as bad:
        snooze(ctx, case.id, SnoozeCreate(rule="NOPE", days=0), actor="li")
    assert rule_ids(bad.value) == ["RSK-CASE-SNOOZE", "RSK-CASE-SNOOZE"]
    made = snooze(ctx, case.id, SnoozeCreate(rule="F1", days=2, comment="家庭共用手机"), actor="li")
    assert made.active and made.until == clock.now() + timedelta(days=2)
    decide(ctx, "E2", [("fake_order", 40, "review", ["F1"])], day=DAY, at=clock.now())
    decide(ctx, "E3", [("fake_order", 70, "hold", ["F1", "F2"])], day=DAY, at=clock.now())  # F2 not snoozed
    report = gather(ctx)
    assert (report.alerts, report.snoozed, report.opened) == (2, 1, 1)
    [open_case], _ = list_cases(ctx)
    assert [a.alert.eport_no for a in show_case(ctx, open_case.id).alerts] == ["E3"]
    outcomes = {a.eport_no: a.outcome for a in list_alerts(ctx)}
    assert outcomes == {"E1": "false_positive", "E2": "snoozed", "E3": "open"}
    act(ctx, open_case.id, ActionCreate(kind="close", outcome="valuable"), actor="li")
    clock.advance(timedelta(days=2))  # the snooze ends
    decide(ctx, "E4", [("fake_order", 40, "review", ["F1"])], day=DAY + timedelta(days=2), at=clock.now())
    assert (gather(ctx).snoozed, len(list_cases(ctx)[0])) == (0, 1)
    with ctx.uow() as uow:
        stored = uow.session.scalars(select(RiskCaseAlert).order_by(RiskCaseAlert.id)).all()
        seen = [(a.eport_no, a.snoozed, a.case_id is None) for a in stored]
        uow.commit()
    assert seen == [("E1", False, False), ("E2", True, True), ("E3", False, False), ("E4", False, False)]


def test_review_figures_per_rule_and_typology_are_exact(zone: Zone) -> None:
    ctx = zone.ctx
    plant_labelled_alerts(ctx, "li")
    figures = review(ctx)
    rows = {
        t.name: (t.alerts, t.labelled, t.confirmed_or_valuable, t.false_positives, t.precision) for t in figures.rules
    }
    assert rows == {
        "F1": (1, 0, 0, 0, None),
        "S1": (3, 3, 2, 1, Decimal("0.6667")),
        "S2": (2, 1, 1, 0, Decimal("1.0000")),
    }
    kinds = {t.name: (t.alerts, t.labelled, t.precision, t.weeks) for t in figures.typologies}
    assert kinds == {
        "fake_order": (1, 0, None, {"2026-W10": 1}),
        "order_splitting": (4, 3, Decimal("0.6667"), {"2026-W09": 1, "2026-W10": 3}),
    }
    assert figures.weeks == ["2026-W09", "2026-W10"]
    later = review(ctx, since=date(2026, 3, 1))
    assert {t.name: t.alerts for t in later.typologies} == {"fake_order": 1, "order_splitting": 3}
    assert review(ctx, scope=Scope(tenant="hub/zhengzhou")).typologies == []
