"""The alert queue shows a delivery alert (R2.4, ruleset 2026.6) with its reason in the page's language: a parcel
declared, released and signed for through the real intake less than 2 hours later, 1,670 km from the release
customs."""

from __future__ import annotations

from datetime import timedelta

from tests.builders import BUYER
from tests.integration.risk.test_risk_typologies_2026_6_delivery import _clock, _declare, _sign
from tests.web.support import Portal

from cbec.risk.service import apply_events, list_alerts


def test_an_officer_sees_a_false_signing_with_its_reason_in_words(portal: Portal) -> None:
    zone = portal.zone
    parcel = _declare(zone, "ORD20260302000931", BUYER)
    _clock(zone).advance(timedelta(minutes=40))
    _sign(zone, parcel)
    apply_events(zone.ctx)
    [alert] = list_alerts(zone.ctx)
    reason = alert.contributions[0]
    assert (alert.typology, reason.rule) == ("fake_order", "D1")
    zh = portal.client("officer").get("/console/risk")
    assert zh.status_code == 200
    assert "刷单" in zh.text and reason.reason_zh in zh.text and reason.reason_en not in zh.text
    en = portal.client("officer", lang="en").get("/console/risk?typology=fake_order")
    assert reason.reason_en in en.text and reason.reason_zh not in en.text
