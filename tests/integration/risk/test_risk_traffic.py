"""The risk core over real intake: counters from events, decisions with replayable traces, holds, and the
precision and recall of every planted typology on the seeded, labelled synthetic traffic (the shipped synthetic
external lists loaded)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.builders import MILK, OTHER_BUYER, PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import RiskTraffic, plan_risk_traffic
from cbec.facts import TradeFact
from cbec.risk.bands import refresh_bands
from cbec.risk.lists import load_samples
from cbec.risk.models import RiskCounter, RiskDecision, RiskHold
from cbec.risk.rules import shipped_ruleset
from cbec.risk.service import apply_events, list_alerts, replay_decision
from cbec.supervision.models import SupervisionMeasure

START = datetime(2026, 2, 28, 9, 0, tzinfo=SHANGHAI)  # three days ending on the test clock's day (2026-03-02)
SEED = 7


def _send(zone: Zone, traffic: RiskTraffic) -> None:
    for _, sets in traffic.days:
        zone.send([s.order for s in sets], PARTIES.ecommerce)
        zone.send([s.payment for s in sets], PARTIES.payment)
        zone.send([s.waybill for s in sets], PARTIES.logistics)
        zone.send([s.inventory for s in sets], PARTIES.agent)


@pytest.fixture
def traffic(zone: Zone) -> RiskTraffic:
    load_samples(zone.ctx, actor="test")
    # a platform that certified its buyers' identity may take payment from someone else (M4): the mules' channel
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"identity_certified_platforms": [PARTIES.platform.code]})
    planned = plan_risk_traffic(
        PARTIES, (MILK, SERUM), seed=SEED, start=START, launderers=2, list_patterns=True, id_misusers=1
    )
    _send(zone, planned)
    return planned


def _measure(traffic: RiskTraffic, alerts: list, typology: str) -> tuple[float, float, int]:
    flagged = [a for a in alerts if a.typology == typology]
    true = [a for a in flagged if traffic.labels.get(a.order_no) == typology]
    precision = len(true) / len(flagged) if flagged else 0.0
    hit_orders = {a.order_no for a in true}
    planted = [orders for kind, orders in traffic.patterns.values() if kind == typology]
    recall = sum(1 for orders in planted if hit_orders & set(orders)) / len(planted)
    return precision, recall, len(flagged)


PLANTED = ("order_splitting", "fake_order", "id_misuse", "laundering", "ip_infringement", "quality")


def test_every_planted_typology_is_found_with_high_precision_and_recall(zone: Zone, traffic: RiskTraffic) -> None:
    report = apply_events(zone.ctx, limit=200)
    assert report.assessed == traffic.orders  # every inventory accepted and assessed once
    alerts = list_alerts(zone.ctx)
    assert {kind for kind, _ in traffic.patterns.values()} == set(PLANTED)
    figures = {t: _measure(traffic, alerts, t) for t in PLANTED}
    print("precision, recall, alerts:", figures, Counter(a.typology for a in alerts))
    for typology, (precision, recall, _) in figures.items():
        assert precision >= 0.9, typology
        assert recall >= 0.9, typology
    # a second run finds nothing new: each inventory is counted and assessed exactly once
    again = apply_events(zone.ctx)
    assert (again.assessed, again.alerts) == (0, 0)


def test_every_decision_replays_to_its_score_and_counters_equal_a_recount_of_the_facts(
    zone: Zone, traffic: RiskTraffic
) -> None:
    apply_events(zone.ctx)
    ruleset = shipped_ruleset()
    with zone.ctx.uow() as uow:
        decisions = uow.session.scalars(select(RiskDecision)).all()
        facts = uow.session.scalars(select(TradeFact).where(TradeFact.direction == "I")).all()
        counters = uow.session.scalars(select(RiskCounter).where(RiskCounter.subject_kind == "buyer")).all()
        holds = uow.session.scalars(select(RiskHold)).all()
        measures = uow.session.scalars(select(SupervisionMeasure).where(SupervisionMeasure.source == "risk")).all()
        uow.commit()
    assert len(decisions) == traffic.orders
    for decision in decisions:
        assert decision.trace["ruleset"] == ruleset.version
        assert decision.trace["sha256"] == ruleset.sha256
        stored, replayed = replay_decision(zone.ctx, decision.eport_no)
        assert stored == replayed == decision.score
    # buyer value counters (fen) equal the facts summed per buyer and day
    expected: Counter[tuple[str, object]] = Counter()
    for fact in facts:
        assert fact.buyer_key is not None and fact.value_cny is not None
        expected[(fact.buyer_key, fact.declared_on)] += int(fact.value_cny * 100)
    found = {(c.subject_key, c.day): c.value for c in counters if c.feature == "value"}
    assert found == dict(expected)
    # the fake-order rings reach hold (F1 + F2 = 80): their inventories are held for 7 days, as data only
    assert holds and {h.typology for h in holds} >= {"fake_order"}
    assert all(h.expires_at - h.created_at == timedelta(days=7) for h in holds)
    # each hold is also a supervision measure on its inventory, which clearance reads when it decides
    assert sorted((m.subject_kind, m.subject_key, m.kind, m.valid_until) for m in measures) == sorted(
        ("inventory", h.eport_no, "hold", h.expires_at) for h in holds
    )


def test_distinct_buyers_per_address_are_exact_over_windows(zone: Zone, traffic: RiskTraffic) -> None:
    apply_events(zone.ctx)
    with zone.ctx.uow() as uow:
        facts = uow.session.scalars(select(TradeFact).where(TradeFact.direction == "I")).all()
        rows = uow.session.scalars(
            select(RiskCounter).where(RiskCounter.subject_kind == "address", RiskCounter.feature == "buyers")
        ).all()
        uow.commit()
    last = max(f.declared_on for f in facts)
    for window in (1, 30):
        first = last - timedelta(days=window - 1)
        truth: dict[str, set[str]] = {}
        for f in facts:
            if first <= f.declared_on <= last and f.address_key and f.buyer_key:
                truth.setdefault(f.address_key, set()).add(f.buyer_key)
        summed: Counter[str] = Counter()
        for row in rows:
            if first <= row.day <= last:
                summed[row.subject_key] += row.value
        assert {k: v for k, v in summed.items() if v} == {k: len(v) for k, v in truth.items()}


def test_an_under_valued_line_is_flagged_against_its_hs6_band_and_ranked_by_revenue(
    zone: Zone, traffic: RiskTraffic
) -> None:
    apply_events(zone.ctx)
    bands = refresh_bands(zone.ctx)
    assert bands.hs6 == 2  # milk and serum, each from the facts
    cheap = replace(MILK, unit_price=Decimal("100.00"))
    low = a_set("ORD20260302900001", buyer=OTHER_BUYER, items=[(cheap, Decimal(3))])
    lower = a_set("ORD20260302900002", buyer=OTHER_BUYER, items=[(replace(MILK, unit_price=Decimal("50")), Decimal(3))])
    _send(zone, RiskTraffic([(START, [low, lower])], {}, {}))
    apply_events(zone.ctx)
    found = list_alerts(zone.ctx, typology="undervaluation")
    assert [a.order_no for a in found] == ["ORD20260302900002", "ORD20260302900001"]  # most revenue first
    # milk's median is 298 (MAD floored at 5 %): (298 - 100) x 3 x 0.091 = 54.05
    assert found[1].expected_revenue == Decimal("54.05")
    assert {c.rule for c in found[1].contributions} == {"U1", "U2", "U3"}  # U3: P(illicit) ≈ 1 under a 5 % spread
