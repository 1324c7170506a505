"""Planted synthetic traffic through the real intake: every planted typology's alerts arrive in cases per pivot,
with their reasons in plain words (the shipped synthetic external lists loaded)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from tests.builders import MILK, PARTIES, SERUM
from tests.zone import Zone

from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import plan_risk_traffic
from cbec.risk.cases import list_cases
from cbec.risk.cases.models import RiskCaseAlert
from cbec.risk.cases.rules import choose_pivot
from cbec.risk.lists import load_samples
from cbec.risk.service import apply_events, list_alerts

START = datetime(2026, 2, 28, 9, 0, tzinfo=SHANGHAI)


def test_planted_patterns_end_up_in_one_case_per_pivot(zone: Zone) -> None:
    load_samples(zone.ctx, actor="test")
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"identity_certified_platforms": [PARTIES.platform.code]})
    traffic = plan_risk_traffic(
        PARTIES, (MILK, SERUM), seed=7, start=START, launderers=2, list_patterns=True, id_misusers=1
    )
    for _, sets in traffic.days:
        zone.send([s.order for s in sets], PARTIES.ecommerce)
        zone.send([s.payment for s in sets], PARTIES.payment)
        zone.send([s.waybill for s in sets], PARTIES.logistics)
        zone.send([s.inventory for s in sets], PARTIES.agent)
    apply_events(zone.ctx, limit=200)  # assesses, then files the alerts into cases
    alerts = list_alerts(zone.ctx)
    assert {a.typology for a in alerts} == {
        "order_splitting",
        "fake_order",
        "id_misuse",
        "laundering",
        "ip_infringement",
        "quality",
    }
    assert {a.outcome for a in alerts} == {"open"}
    with zone.ctx.uow() as uow:
        stored = {
            (r.decision_id, r.typology): (r.case_id, r.pivot_kind, r.pivot_key, r.score)
            for r in uow.session.scalars(select(RiskCaseAlert))
        }
        uow.commit()
    assert len(stored) == len(alerts)
    cases, total = list_cases(zone.ctx, limit=1000)
    by_id = {c.id: c for c in cases}
    members: dict[int, list[int]] = defaultdict(list)
    for a in alerts:
        case_id, kind, key, score = stored[(a.decision_id, a.typology)]
        assert (kind, key) == choose_pivot(a.typology, a.subjects)
        assert case_id in by_id and a.typology in by_id[case_id].typologies
        members[case_id].append(score)
    assert total == len({(kind, key) for _, kind, key, _ in stored.values()}) == len(members)
    assert {c: max(s) for c, s in members.items()} == {c.id: c.score for c in cases}
    assert {c: len(s) for c, s in members.items()} == {c.id: c.alerts for c in cases}
    # each fake-order ring (six buyers, one phone) is one case; each splitter's alerts are one buyer case
    case_of = {(a.order_no, a.typology): stored[(a.decision_id, a.typology)][0] for a in alerts}
    for name, (typology, orders) in traffic.patterns.items():
        found = {case_of[(o, typology)] for o in orders if (o, typology) in case_of}
        assert found, name  # the pattern was alerted and filed
        if name.startswith(("ring", "split")):
            assert len(found) == 1, name
            assert by_id[found.pop()].pivot_kind == ("phone" if name.startswith("ring") else "buyer")
    # the seller's typologies gather in the e-commerce enterprise's case, each alert with its reasons in words
    seller = {c.pivot_kind: c for c in cases if c.pivot_kind == "enterprise"}["enterprise"]
    assert set(seller.typologies) == {"laundering", "ip_infringement", "quality"}
    reasons = {(a.typology, c.rule): (c.value, c.reason_en) for a in alerts for c in a.contributions}
    assert reasons[("ip_infringement", "P1")][1] == (
        "the goods name matches a recorded brand (the value is the match score, 100 exact) "
        "and the seller is not an authorised seller"
    )
    scores = {c.value for a in alerts for c in a.contributions if c.rule == "P1"}
    assert scores == {"100", "85.7"}  # NORDLYS exact, N0RDLYS look-alike
    assert {r for (t, r) in reasons if t == "quality"} == {"Q1", "Q2"}
    assert {r for (t, r) in reasons if t == "laundering"} == {"L1", "L2"}
    assert all(c.reason_zh and c.reason_en for a in alerts for c in a.contributions)
    # a second consume files nothing twice
    apply_events(zone.ctx)
    assert list_cases(zone.ctx, limit=1000)[1] == total
