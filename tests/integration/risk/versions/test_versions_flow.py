"""Ruleset versions over real intake (SQLite and PostgreSQL): a draft goes to shadow and its phantom decisions are
stored beside the live ones while the consumer runs (no hold, no alert); the shadow volume delta and the backtest
equal a recount from the stored traces; the author may not publish; a second officer publishes and the live
consumer then decides with the new version, whose stored digest replays to the same score."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.builders import MILK, PARTIES, SERUM
from tests.integration.risk.test_risk_traffic import START, _send
from tests.zone import Zone

from cbec.common.errors import Conflict, DomainError
from cbec.demo.risk_traffic import RiskTraffic, plan_risk_traffic
from cbec.risk.models import RiskDecision, RiskHold
from cbec.risk.rules import replay, shipped_ruleset
from cbec.risk.service import apply_events, list_alerts, replay_decision
from cbec.risk.versions import (
    draft,
    list_versions,
    publish,
    retire,
    ruleset_of,
    run_backtest,
    shadow_report,
    show,
    to_shadow,
)
from cbec.risk.versions.models import RiskShadowDecision
from cbec.risk.versions.service import shipped_text

ALERT = ("review", "hold", "reject")


def candidate_text() -> str:
    """The shipped rules with I1 (IDs per phone) counting whoever pays, as 2026.2 did, and id_misuse's review
    threshold at 20 instead of 40 (I1 alone alerts)."""
    doc = json.loads(shipped_text())
    doc["version"] = "2026.7"
    doc["typologies"]["id_misuse"]["review"] = 20
    next(rule for rule in doc["rules"] if rule["id"] == "I1").pop("guards")
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _day(traffic: RiskTraffic, k: int) -> RiskTraffic:
    return RiskTraffic([traffic.days[k]], {}, {})


@pytest.fixture
def traffic() -> RiskTraffic:
    return plan_risk_traffic(PARTIES, (MILK, SERUM), seed=7, start=START)


def _table(zone: Zone, model: Any) -> list[Any]:
    with zone.ctx.uow() as uow:
        rows = uow.session.scalars(select(model).order_by(model.id)).all()
        uow.commit()
    return rows


def test_draft_shadow_backtest_and_publication_by_a_second_officer(zone: Zone, traffic: RiskTraffic) -> None:
    ctx = zone.ctx
    shipped = shipped_ruleset()
    _send(zone, _day(traffic, 0))
    first = apply_events(ctx)
    assert first.assessed == len(traffic.days[0][1])
    # the shipped ruleset is the first published version, seeded on first use
    assert [(v.version, v.state, v.sha256) for v in list_versions(ctx)] == [("2026.6", "published", shipped.sha256)]

    made = draft(ctx, candidate_text(), actor="officer.a")
    assert (made.version, made.state, made.author, made.approver) == ("2026.7", "draft", "officer.a", None)
    assert show(ctx, "2026.7").body == candidate_text()
    with pytest.raises(Conflict) as same:
        draft(ctx, candidate_text(), actor="officer.c")
    assert same.value.problems[0].rule_id == "RSK-VERSION-EXISTS"
    with pytest.raises(Conflict) as early:
        publish(ctx, "2026.7", actor="officer.b")  # a draft goes through shadow first
    assert early.value.problems[0].rule_id == "RSK-VERSION-STATE"
    assert to_shadow(ctx, "2026.7", actor="officer.a").state == "shadow"

    holds_before = len(_table(zone, RiskHold))
    alerts_before = len(list_alerts(ctx))
    _send(zone, _day(traffic, 1))
    second = apply_events(ctx)
    assert second.assessed == len(traffic.days[1][1])
    decisions = _table(zone, RiskDecision)
    phantoms = _table(zone, RiskShadowDecision)
    shadowed = decisions[first.assessed :]
    # one phantom per live decision made while the version is in shadow, on the same inputs
    assert [(p.eport_no, p.live_decision_id, p.version) for p in phantoms] == [
        (d.eport_no, d.id, "2026.7") for d in shadowed
    ]
    candidate = ruleset_of(candidate_text())
    for p, d in zip(phantoms, shadowed, strict=True):
        again = replay(candidate, d.trace["inputs"])
        assert (p.score, p.band, p.sha256) == (again.score, again.band.value, candidate.sha256)
        assert d.ruleset_version == "2026.6"  # the live decision is still the published version's
    # phantoms never hold nor alert: holds and alerts are those of the live decisions only
    live_holds = sum(1 for d in shadowed for t in d.trace["typologies"] if t["band"] in ("hold", "reject"))
    assert len(_table(zone, RiskHold)) == holds_before + live_holds
    assert len(list_alerts(ctx)) == alerts_before + sum(
        1 for d in shadowed for t in d.trace["typologies"] if t["band"] in ALERT
    )

    # the volume delta per typology and band equals a recount of the live traces and the phantoms
    report = shadow_report(ctx, "2026.7")
    live_count = Counter(
        (t["typology"], t["band"]) for d in shadowed for t in d.trace["typologies"] if t["band"] in ALERT
    )
    shadow_count = Counter((t, b) for p in phantoms for t, (_, b) in p.typologies.items() if b in ALERT)
    assert report.decisions == len(shadowed)
    assert {(r.typology, r.band): (r.live, r.shadow, r.delta) for r in report.rows} == {
        k: (live_count[k], shadow_count[k], shadow_count[k] - live_count[k])
        for k in set(live_count) | set(shadow_count)
    }
    assert [(r.typology, r.band, r.live, r.shadow, r.delta) for r in report.rows if r.delta] == [
        ("id_misuse", "review", 0, 3, 3)  # three inventories of the day have I1 (20 points) and no other rule
    ]

    # backtest over every stored decision (both days): alerts live and candidate equal a replay of each trace
    tested = run_backtest(ctx, "2026.7", actor="officer.a")
    assert tested.decisions == len(decisions)
    expected_live = Counter(t["typology"] for d in decisions for t in d.trace["typologies"] if t["band"] in ALERT)
    expected_candidate = Counter(
        s.typology.value for d in decisions for s in replay(candidate, d.trace["inputs"]).scores if s.band.rank
    )
    assert {t.typology: (t.live_alerts, t.candidate_alerts) for t in tested.typologies} == {
        t.value: (expected_live[t.value], expected_candidate[t.value]) for t in candidate.typologies
    }
    changed = sum(
        1
        for d in decisions
        if replay(candidate, d.trace["inputs"]).band.value != replay(shipped, d.trace["inputs"]).band.value
    )
    assert tested.changed == changed
    assert tested.missing_inputs == [] and tested.labels is False
    assert all(t.precision is None for t in tested.typologies)  # no labels: it only counts
    # two processes, each over half of the ids, give the same report
    parallel = run_backtest(ctx, "2026.7", workers=2, actor="officer.a")
    timing = {"seconds", "cpu_seconds", "workers"}
    assert parallel.model_dump(exclude=timing) == tested.model_dump(exclude=timing)

    # maker-checker: the author may not publish; a second officer does, and the shipped version retires
    with pytest.raises(Conflict) as own:
        publish(ctx, "2026.7", actor="officer.a")
    assert own.value.problems[0].rule_id == "RSK-VERSION-SELF-APPROVAL"
    done = publish(ctx, "2026.7", actor="officer.b")
    assert (done.state, done.author, done.approver) == ("published", "officer.a", "officer.b")
    assert {v.version: v.state for v in list_versions(ctx)} == {"2026.6": "retired", "2026.7": "published"}
    with pytest.raises(Conflict) as live:
        retire(ctx, "2026.7", actor="officer.b")
    assert live.value.problems[0].rule_id == "RSK-VERSION-LIVE"

    # the live consumer now decides with 2026.7 and stores its digest; no phantom is made any more
    _send(zone, _day(traffic, 2))
    third = apply_events(ctx)
    assert third.assessed == len(traffic.days[2][1])
    latest = _table(zone, RiskDecision)[len(decisions) :]
    assert {(d.ruleset_version, d.ruleset_sha256) for d in latest} == {("2026.7", candidate.sha256)}
    with zone.ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(RiskShadowDecision)) == len(phantoms)
        uow.commit()
    for d in _table(zone, RiskDecision):  # every decision replays with the version whose digest it stored
        assert replay_decision(ctx, d.eport_no) == (d.score, d.score)
    new_alerts = [a for a in list_alerts(ctx) if a.ruleset_version == "2026.7"]
    assert new_alerts and all(
        c.reason_en for a in new_alerts for c in a.contributions
    )  # reasons read from the stored version


def test_a_draft_with_bad_rules_is_refused_with_every_rule_id(zone: Zone) -> None:
    doc = json.loads(shipped_text())
    doc["version"] = "2026.9"
    doc["rules"][0]["input"] = "buyer.nothing.30d"
    doc["rules"][1]["bands"] = [{"from": 5, "weight": 1}, {"from": 3, "weight": 2}]
    with pytest.raises(DomainError) as caught:
        draft(zone.ctx, json.dumps(doc), actor="officer.a")
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("RSK-RULESET-INPUT", "rules[S1]"),
        ("RSK-RULESET-BANDS", "rules[S2]"),
    ]
    assert [v.version for v in list_versions(zone.ctx)] == ["2026.6"]
