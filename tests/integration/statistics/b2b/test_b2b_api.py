"""/api/v1/statistics/b2b: the tenant comes from the caller, runs of another tenant are not found, exact answers."""

from __future__ import annotations

import json

from tests.api.auth import client_for
from tests.integration.statistics.b2b.test_b2b_identify import FULL, ROWS, _row

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.storage.context import Context

CSV = (
    "\ufeffdeclaration_no,declared_on,exporter_code,consignee_name,consignee_country,currency,amount,hs_codes,tenant\r\n"
    "460120260000000021,2026-02-10,4601960101,Sakura Ltd,JPN,USD,100,61091000,\r\n"
    "460120260000000022,2026-02-10,4601960101,Sakura Ltd,JPN,USD,100,61091000,hub\r\n"
)


def test_a_city_imports_and_identifies_its_own_tenant_and_never_sees_the_hubs_runs(b2b: Context) -> None:
    create_tenant(b2b, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    hub = client_for(b2b, "zone_admin", username="hub-admin")
    city = client_for(b2b, "zone_admin", username="city-admin", tenant="hub/zhengzhou")
    imported = hub.post(
        "/api/v1/statistics/b2b/declarations?source=feb.json",
        content=json.dumps(ROWS),
        headers={"Content-Type": "application/json"},
    )
    assert (imported.status_code, imported.json()["imported"], imported.json()["tenant"]) == (200, 8, "hub")
    answer = city.post(
        "/api/v1/statistics/b2b/declarations", content=CSV.encode(), headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["tenant"], body["imported"], body["rejected"]) == ("hub/zhengzhou", 1, 1)
    assert [(p["rule_id"], p["field"]) for p in body["problems"]] == [("B2B-ROW-TENANT", "row[3].tenant")]
    run = hub.post("/api/v1/statistics/b2b/runs")
    assert (run.status_code, run.json()["declarations"], run.json()["identified"]) == (201, 9, 4)
    city_run = city.post("/api/v1/statistics/b2b/runs?threshold=0.9").json()
    assert (city_run["tenant"], city_run["declarations"], city_run["identify_at"]) == ("hub/zhengzhou", 1, "0.9")
    assert [r["run_id"] for r in city.get("/api/v1/statistics/b2b/runs").json()] == [city_run["run_id"]]
    assert [r["run_id"] for r in hub.get("/api/v1/statistics/b2b/runs").json()] == [
        city_run["run_id"],
        run.json()["run_id"],
    ]
    hidden = city.get(f"/api/v1/statistics/b2b/runs/{run.json()['run_id']}")
    assert (hidden.status_code, hidden.json()["problems"][0]["rule_id"]) == (404, "B2B-RUN")
    detail = hub.get(f"/api/v1/statistics/b2b/runs/{city_run['run_id']}").json()
    assert [(r["declaration_no"], r["class"], r["score"]) for r in detail["results"]] == [
        ("460120260000000021", "general", "0.2")
    ]
    as_csv = hub.get(f"/api/v1/statistics/b2b/runs/{city_run['run_id']}", params={"format": "csv"})
    assert as_csv.text.splitlines()[1] == (
        "460120260000000021,hub/zhengzhou,2026-02-10,0.2,general,B2B-NO-ORDER;B2B-EV-COMPANY;B2B-NO-WAYBILL;"
        "B2B-NO-PAYMENT;B2B-CHANNEL-OTHER,710.00"
    )
    figures = city.get("/api/v1/statistics/b2b/figures", params={"from": "2026-02-01", "to": "2026-02-28"}).json()
    assert (figures["tenant"], figures["run_id"], figures["b2b_share"]) == (
        "hub/zhengzhou",
        city_run["run_id"],
        "0.0000",
    )
    shop = client_for(b2b, "enterprise_user", username="shop", enterprise_code="4601960001")
    refused = shop.get("/api/v1/statistics/b2b/runs")
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-PERMISSION")


def test_an_unreadable_body_or_content_type_is_refused_and_nothing_is_stored(b2b: Context) -> None:
    hub = client_for(b2b, "zone_admin", username="hub-admin")
    broken = hub.post(
        "/api/v1/statistics/b2b/declarations", content=b"[{", headers={"Content-Type": "application/json"}
    )
    assert (broken.status_code, broken.json()["problems"][0]["rule_id"]) == (422, "B2B-FILE")
    xml = hub.post("/api/v1/statistics/b2b/declarations", content=b"<a/>", headers={"Content-Type": "text/xml"})
    assert (xml.status_code, xml.json()["problems"][0]["rule_id"]) == (422, "B2B-FILE")
    lines = json.dumps(_row("460120260000000031", **FULL)) + "\n"
    ok = hub.post(
        "/api/v1/statistics/b2b/declarations", content=lines, headers={"Content-Type": "application/x-ndjson"}
    )
    assert ok.json()["imported"] == 1
    assert hub.get("/api/v1/statistics/b2b/runs").json() == []
