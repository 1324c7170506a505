"""The ML term in the consumer: trained on the first day's decisions and stored by digest with the ruleset version,
it adds its bounded, explained term to the next decisions; a rules-clean decision never reaches review by it; every
decision replays to its score. Skips without the optional scikit-learn (``cbec[ml]``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from tests.builders import MILK, PARTIES, SERUM
from tests.integration.risk.test_risk_traffic import _send
from tests.zone import Zone

from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import plan_risk_traffic
from cbec.risk.ml import MlPolicy
from cbec.risk.ml_store import train_model
from cbec.risk.models import RiskDecision, RiskMlModel
from cbec.risk.rules import shipped_ruleset
from cbec.risk.service import apply_events, replay_decision


def test_the_consumer_adds_the_bounded_term_and_decisions_replay(zone: Zone) -> None:
    pytest.importorskip("sklearn.ensemble")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    first = plan_risk_traffic(PARTIES, (MILK, SERUM), seed=5, start=start, days=1, normal_buyers=30)
    _send(zone, first)
    apply_events(zone.ctx)
    trained = train_model(zone.ctx, policy=MlPolicy(seed=11, trees=50))
    assert trained.digest is not None and trained.rows == first.orders
    with zone.ctx.uow() as uow:
        stored = uow.session.get(RiskMlModel, trained.digest)
        assert stored is not None and (stored.ruleset_version, stored.cap) == (shipped_ruleset().version, 20)
        before = {d.eport_no for d in uow.session.scalars(select(RiskDecision))}
    later = plan_risk_traffic(PARTIES, (MILK, SERUM), seed=6, start=start.replace(day=3), days=1, normal_buyers=30)
    _send(zone, later)
    apply_events(zone.ctx)
    with zone.ctx.uow() as uow:
        decisions = [d for d in uow.session.scalars(select(RiskDecision)) if d.eport_no not in before]
        rows = [(d.eport_no, d.score, d.band, d.trace) for d in decisions]
    assert rows and all(t["ml"]["digest"] == trained.digest for _, _, _, t in rows)
    rules_scores = {e: max((x["score"] for x in t["typologies"]), default=0) for e, _, _, t in rows}
    for eport_no, score, band, trace in rows:
        points = trace["ml"]["points"]
        assert 0 <= points <= 20 and score == rules_scores[eport_no] + points
        assert len(trace["ml"]["deviations"]) == 3
        if rules_scores[eport_no] == 0:
            assert band == "none" and score < 40  # the term alone never reaches review
        assert replay_decision(zone.ctx, eport_no) == (score, score)
    assert any(t["ml"]["points"] > 0 for _, _, _, t in rows)  # the term does move some decisions
