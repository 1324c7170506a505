"""Contract of POST /ceb for export messages and of the exports REST API (/api/v1/exports)."""

from __future__ import annotations

from decimal import Decimal

from tests.api.auth import client_for
from tests.integration.exports.export_zone import AT, TEE, XP
from tests.zone import Zone

from cbec.demo.exports import build_export_message, build_export_set
from cbec.exports.service.reference import seed_export_reference
from cbec.messages import parse_receipts, render_message


def test_post_ceb_answers_an_export_order_with_its_ceb304(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    client = client_for(zone.ctx, "enterprise_user", enterprise_code=XP.platform.code)
    s = build_export_set(XP, [(TEE, Decimal(1))], order_no="API-EO-1", logistics_no="LAPI1", at=AT)
    response = client.post(
        "/ceb",
        content=render_message(build_export_message([s.order], XP.platform)),
        headers={"content-type": "application/xml"},
    )
    assert response.status_code == 200
    [receipt] = parse_receipts(response.content)
    assert (receipt.message_type.value, receipt.status, receipt.order_no) == ("CEB304Message", "120", "API-EO-1")


def test_warehouses_and_ledger_endpoints(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    client = client_for(zone.ctx)
    body = {
        "name": "汉堡海外仓",
        "operator_code": XP.logistics.code,
        "country": "304",
        "address": "Hamburg",
        "area_m2": "5000",
        "services": ["storage"],
    }
    created = client.post("/api/v1/exports/warehouses", json=body)
    assert created.status_code == 201 and created.json()["code"] == "HWC0001"
    assert [w["name"] for w in client.get("/api/v1/exports/warehouses").json()] == ["汉堡海外仓"]
    ledger = client.get(f"/api/v1/exports/tax-ledgers/{XP.ecommerce.code}/2026-03")
    assert ledger.status_code == 200
    assert (ledger.json()["reconciles"], ledger.json()["lines"]) == (True, [])
    xlsx = client.get(f"/api/v1/exports/tax-ledgers/{XP.ecommerce.code}/2026-03", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get("/api/v1/exports/reminders").json() == {"items": []}
