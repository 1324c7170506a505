"""The risk alert queue of the console: planted cases arrive by score with their reasons in the page's language."""

from __future__ import annotations

import re
from datetime import datetime

from tests.builders import MILK, PARTIES, SERUM
from tests.web.support import Portal

from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import plan_risk_traffic
from cbec.risk.service import apply_events, list_alerts


def plant(portal: Portal) -> None:
    zone = portal.zone
    traffic = plan_risk_traffic(
        PARTIES,
        (MILK, SERUM),
        seed=3,
        start=datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI),
        days=2,
        normal_buyers=10,
        splitters=1,
        families=0,
        rings=1,
    )
    for _, sets in traffic.days:
        zone.send([s.order for s in sets], PARTIES.ecommerce)
        zone.send([s.payment for s in sets], PARTIES.payment)
        zone.send([s.waybill for s in sets], PARTIES.logistics)
        zone.send([s.inventory for s in sets], PARTIES.agent)
    apply_events(zone.ctx)


def test_an_officer_sees_the_planted_cases_by_score_with_reasons_in_words(portal: Portal) -> None:
    plant(portal)
    alerts = list_alerts(portal.zone.ctx)
    assert {a.typology for a in alerts} >= {"order_splitting", "fake_order"}
    zh = portal.client("officer").get("/console/risk")
    assert zh.status_code == 200
    assert "刷单" in zh.text and "化整为零" in zh.text
    scores = [int(s) for s in re.findall(r'<span class="badge [^"]+">(\d+) · ', zh.text)]
    assert scores == sorted(scores, reverse=True) and len(scores) == min(len(alerts), 50)
    top = max(alerts, key=lambda a: (a.score, a.decision_id))
    assert top.contributions[0].reason_zh in zh.text and top.contributions[0].reason_en not in zh.text
    en = portal.client("officer", lang="en").get("/console/risk?typology=fake_order")
    fakes = sorted((a for a in alerts if a.typology == "fake_order"), key=lambda a: (-a.score, -a.decision_id))
    assert "Fake orders" in en.text and "Order splitting" not in en.text.split("<section")[1]
    assert fakes[0].contributions[0].reason_en in en.text and fakes[0].contributions[0].reason_zh not in en.text
    assert len(re.findall(r'<span class="badge [^"]+">(\d+) · ', en.text)) == min(len(fakes), 50)


def test_roles_without_risk_read_do_not_see_the_queue(portal: Portal) -> None:
    assert portal.client("shop").get("/console/risk").status_code == 403
    assert portal.client("taxman").get("/console/risk").status_code == 403
    assert "/console/risk" not in portal.client("taxman").get("/").text
    assert "/console/risk" in portal.client("officer").get("/console").text
