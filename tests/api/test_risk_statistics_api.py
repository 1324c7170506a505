"""Contract of /api/v1/risk/alerts and /api/v1/statistics/…: permissions, tenant scope, exact answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from tests.api.auth import client_for
from tests.integration.statistics.test_export_figures import _month
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.common.clock import FixedClock
from cbec.risk.models import RiskDecision


def test_statistics_figures_of_the_callers_tenant_with_caliber_and_vintage(
    zone: Zone, clock: FixedClock, tmp_path: Path
) -> None:
    _month(zone, clock, tmp_path)
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    hub = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    answer = hub.get("/api/v1/statistics/indicators", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert answer.status_code == 200
    exports = next(row for row in answer.json() if row["code"] == "export_value_cny")
    assert exports == {
        "code": "export_value_cny",
        "name_zh": "出口额",
        "name_en": "export value",
        "value": "107338.00",
        "unit": "CNY",
        "from": "2026-03-01",
        "to": "2026-03-31",
        "tenant": "hub",
        "caliber": "platform",
        "vintage": "preliminary",
        "rule_version": "2026.12-1",
    }
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/zhengzhou")
    own = city.get("/api/v1/statistics/indicators", params={"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert {row["tenant"] for row in own} == {"hub/zhengzhou"}
    assert next(row for row in own if row["code"] == "export_value_cny")["value"] == "0.00"
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    refused = city.get("/api/v1/statistics/indicators", params={**march, "tenant": "hub"})
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")
    backwards = hub.get("/api/v1/statistics/indicators", params={"from": "2026-03-31", "to": "2026-03-01"})
    assert (backwards.status_code, backwards.json()["problems"][0]["rule_id"]) == (422, "STAT-PERIOD")
    shop = client_for(zone.ctx, "enterprise_user", username="shop", enterprise_code="4601960002")
    assert shop.get("/api/v1/statistics/catalogue").status_code == 403
    catalogue = hub.get("/api/v1/statistics/catalogue").json()
    assert len(catalogue) == 34  # 14 over facts + 18 from rollups + 2 of identified B2B (their own caliber)
    assert {row["caliber"] for row in catalogue if row["code"].startswith("b2b_")} == {
        "platform",  # b2b_share: 9710 + 9810 of the platform's own exports
        "platform data + imported general-trade declarations (管理平台口径)",
    }


def test_risk_alerts_are_kept_to_the_callers_tenant(zone: Zone) -> None:
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    with zone.ctx.uow() as uow:
        for tenant, eport in (("hub", "B20260302000000001"), ("hub/zhengzhou", "B20260302000000002")):
            uow.session.add(_decision(tenant, eport, at))
        uow.commit()
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    customs = client_for(zone.ctx, "agency_officer", agency="customs", username="customs")
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/zhengzhou")
    assert [a["eport_no"] for a in customs.get("/api/v1/risk/alerts").json()] == [
        "B20260302000000001",
        "B20260302000000002",
    ]
    assert [a["eport_no"] for a in city.get("/api/v1/risk/alerts").json()] == ["B20260302000000002"]
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    assert tax.get("/api/v1/risk/alerts").status_code == 403


def _decision(tenant: str, eport_no: str, at: datetime) -> RiskDecision:
    """A stored decision at review for fake orders (its trace as the risk consumer writes it, rules left out)."""
    return RiskDecision(
        eport_no=eport_no,
        order_no="ORD" + eport_no[-6:],
        inventory_no=None,
        tenant=tenant,
        parties=["4601960001", "4601960002"],
        business_day=date(2026, 3, 2),
        ruleset_version="2026.1",
        ruleset_sha256="0" * 64,
        score=45,
        band="review",
        typology="fake_order",
        expected_revenue=Decimal(0),
        subjects={"phone": "k" * 64},
        trace={
            "ruleset": "2026.1",
            "inputs": {},
            "rules": [],
            "typologies": [{"typology": "fake_order", "score": 45, "band": "review"}],
        },
        event_position=1,
        decided_at=at,
    )
