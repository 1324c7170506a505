"""A risk case reported to credit (风险处置报送信用) becomes a credit fact through the outbox, as data: risk's own
disposal writes the event, credit's consumer reads it (neither imports the other)."""

from __future__ import annotations

from datetime import date

from tests.integration.risk.cases.support import SUBJECTS, decide
from tests.zone import Zone

from cbec.credit.service import apply_events, seed_configuration, show_subject, subject_facts
from cbec.risk.cases import ActionCreate, act, gather, list_cases
from cbec.sharing.consumers import rewind

DAY = date(2026, 3, 2)
SELLER = SUBJECTS["enterprise"]


def test_a_reported_enterprise_case_is_one_risk_case_fact_counted_by_the_ruleset_of_each_day(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    now = ctx.clock.now()
    decide(ctx, "E7", [("undervaluation", 60, "review", ["U1"])], day=DAY, at=now)
    decide(ctx, "E8", [("fake_order", 70, "hold", ["F1"])], day=DAY, at=now)  # a phone ring: not a credit subject
    gather(ctx)
    cases = {c.pivot_kind: c for c in list_cases(ctx)[0]}
    reported = act(ctx, cases["enterprise"].id, ActionCreate(kind="report_credit", comment="报送信用"), actor="li")
    act(ctx, cases["phone"].id, ActionCreate(kind="report_credit", comment="报送信用"), actor="li")
    act(ctx, cases["enterprise"].id, ActionCreate(kind="note", comment="复核"), actor="li")  # not a report
    assert apply_events(ctx).facts_recorded == 1
    [fact] = subject_facts(ctx, SELLER)
    assert (fact.fact_type, fact.severity, fact.source, fact.document_no, fact.decided_on) == (
        "risk_case",
        "general",
        "platform",
        f"RISK-{cases['enterprise'].id}-{reported.id}",
        DAY,
    )
    # zone@1 (no risk-case modifier) counts it by severity; from 2027 zone@2027.1 counts −10
    today = show_subject(ctx, SELLER)
    assert (today.ruleset, [(c.modifier, c.counted) for c in today.contributions]) == ("zone@1", [("general", -15)])
    later = show_subject(ctx, SELLER, on=date(2027, 1, 4))
    assert (later.ruleset, [(c.modifier, c.counted) for c in later.contributions]) == (
        "zone@2027.1",
        [("risk-case", -10)],
    )
    rewind(ctx, "credit", 0)
    assert apply_events(ctx).facts_recorded == 0
