"""The ML term in the backtest and in shadow mode (cbec.risk.versions): a decision whose trace carries the term keeps
it in the candidate's score — the stored anomaly banded under the model's cap, lowered to the candidate's own bound
— and the shadow version's phantom score adds it as the live decision does. The term never changes a typology's
band. No scikit-learn is needed: the term depends on the inputs and the model only, and the trace stores its
anomaly (the consumer's side, with scikit-learn: tests/integration/risk/test_risk_ml_term.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from tests.zone import Zone

from cbec.risk.ml import cap_within, points_of
from cbec.risk.models import RiskDecision, RiskMlModel
from cbec.risk.rules import evaluate, shipped_ruleset
from cbec.risk.service import trace_of
from cbec.risk.versions import draft, list_versions, run_backtest
from cbec.risk.versions.models import RiskShadowDecision
from cbec.risk.versions.service import record_phantoms, ruleset_of, shipped_text

DIGEST = "ab" * 32
INPUTS = {"phone.buyers.30d": Decimal(4), "doc.payer_differs": Decimal(1)}  # I1 [3,6) → 20, I2 → 10: id_misuse 30


def candidate(review: int) -> str:
    doc = json.loads(shipped_text())
    doc["version"] = f"2026.9-r{review}"
    doc["typologies"]["id_misuse"]["review"] = review
    return json.dumps(doc, ensure_ascii=False)


def _store(zone: Zone, anomalies: list[str | None]) -> None:
    ruleset = shipped_ruleset()
    assessment = evaluate(ruleset, INPUTS)
    assert assessment.score == 30 and assessment.band.value == "none"
    with zone.ctx.uow() as uow:
        uow.session.add(
            RiskMlModel(
                digest=DIGEST,
                ruleset_version=ruleset.version,
                ruleset_sha256=ruleset.sha256,
                seed=0,
                cap=20,
                rows=100,
                body="",
                centres=[],
                spreads=[],
                trained_at=zone.ctx.clock.now(),
            )
        )
        for n, anomaly in enumerate(anomalies):
            trace = trace_of(assessment, ruleset)
            points = 0
            if anomaly is not None:
                points = points_of(Decimal(anomaly), 20)
                trace["ml"] = {"digest": DIGEST, "points": points, "anomaly": anomaly, "deviations": []}
            uow.session.add(
                RiskDecision(
                    eport_no=f"E{n:017d}",
                    order_no=f"O{n}",
                    inventory_no=None,
                    tenant="hub",
                    parties=["P"],
                    business_day=date(2026, 3, 2),
                    ruleset_version=ruleset.version,
                    ruleset_sha256=ruleset.sha256,
                    score=assessment.score + points,
                    band=assessment.band.value,
                    typology=assessment.top.value if assessment.top else None,
                    expected_revenue=Decimal(0),
                    subjects={},
                    trace=trace,
                    event_position=n,
                    decided_at=zone.ctx.clock.now(),
                )
            )
        uow.commit()


def test_the_backtest_keeps_the_ml_term_in_the_score_under_the_candidates_cap(zone: Zone) -> None:
    # anomalies 0.9 → 16 of 20 points, 0.55 → 2, 0.4 → 0, and a decision without the term
    _store(zone, ["0.900000", "0.550000", "0.400000", None])
    list_versions(zone.ctx)
    for review, caps in ((40, 20), (30, 15), (20, 10)):
        ruleset = ruleset_of(candidate(review))
        assert cap_within(20, ruleset) == caps  # the default half of the lowest review threshold, at most 20
        draft(zone.ctx, candidate(review), actor="maker")
    same = run_backtest(zone.ctx, "2026.9-r40", actor="t")
    assert (same.decisions, same.ml_terms, same.score_changed, same.changed) == (4, 3, 0, 0)
    # review 30: id_misuse (30) reaches review by the rules; the term's cap falls to 15: 0.9 → 12 (was 16), 0.55 → 1
    # (was 2), 0.4 → 0 (unchanged)
    lower = run_backtest(zone.ctx, "2026.9-r30", actor="t")
    assert (lower.ml_terms, lower.score_changed, lower.changed) == (3, 2, 4)
    misuse = next(t for t in lower.typologies if t.typology == "id_misuse")
    assert (misuse.live_alerts, misuse.candidate_alerts, misuse.band_changes) == (0, 4, {"none→review": 4})
    # review 20: cap 10: 0.9 → 8, 0.55 → 1
    lowest = run_backtest(zone.ctx, "2026.9-r20", actor="t")
    assert (lowest.ml_terms, lowest.score_changed) == (3, 2)


def test_a_shadow_version_adds_the_live_decisions_term_to_its_score(zone: Zone) -> None:
    _store(zone, [None])
    with zone.ctx.uow() as uow:
        live_id = uow.session.scalars(select(RiskDecision.id)).one()
        shadows = [ruleset_of(candidate(40)), ruleset_of(candidate(20))]
        record_phantoms(
            uow.session,
            live_decision_id=live_id,
            eport_no="E1",
            inputs=INPUTS,
            shadows=shadows,
            now=zone.ctx.clock.now(),
            ml=(Decimal("0.900000"), 20),
        )
        record_phantoms(
            uow.session,
            live_decision_id=live_id,
            eport_no="E2",
            inputs=INPUTS,
            shadows=shadows[:1],
            now=zone.ctx.clock.now(),
        )
        found = {
            (p.eport_no, p.version): (p.score, p.typologies["id_misuse"])
            for p in uow.session.scalars(select(RiskShadowDecision))
        }
        uow.commit()
    assert found == {
        ("E1", "2026.9-r40"): (30 + 16, [30, "none"]),  # cap 20: the live term; the typology stays the rules'
        ("E1", "2026.9-r20"): (30 + 8, [30, "review"]),  # cap 10 under review 20: the term alone stays below
        ("E2", "2026.9-r40"): (30, [30, "none"]),  # no term
    }
