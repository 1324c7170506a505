"""Contract of /api/v1/risk/versions: risk.read to read, risk.manage and the hub's scope to act, the actor from the
signed-in principal, maker-checker publication, exact refusals with their rule ids."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from tests.api.auth import client_for
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_api_key, create_tenant
from cbec.api.app import create_app
from cbec.risk.versions.service import shipped_text


def _document(version: str) -> dict[str, Any]:
    doc = json.loads(shipped_text())
    doc["version"] = version
    doc["typologies"]["fake_order"]["hold"] = 60
    return doc


def test_versions_over_rest_with_maker_checker_and_scope(zone: Zone) -> None:
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    maker = client_for(zone.ctx, "agency_officer", agency="customs", username="maker")
    checker = client_for(zone.ctx, "agency_officer", agency="customs", username="checker")
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/zhengzhou")
    auditor = client_for(zone.ctx, "auditor", username="aud")
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")

    listed = auditor.get("/api/v1/risk/versions").json()
    assert [(v["version"], v["state"], v["author"]) for v in listed] == [("2026.6", "published", "cbec (shipped)")]
    assert tax.get("/api/v1/risk/versions").status_code == 403  # no risk.read
    assert auditor.post("/api/v1/risk/versions", json={"document": _document("2026.8")}).status_code == 403

    refused = city.post("/api/v1/risk/versions", json={"document": _document("2026.8")})
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")
    bad = _document("2026.6")
    bad["rules"][0]["typology"] = "smuggling"
    invalid = maker.post("/api/v1/risk/versions", json={"document": bad})
    assert invalid.status_code == 422
    assert [(p["rule_id"], p["field"]) for p in invalid.json()["problems"]] == [("RSK-RULESET-TYPOLOGY", "rules[S1]")]

    made = maker.post("/api/v1/risk/versions", json={"document": _document("2026.8"), "author": "someone.else"})
    assert made.status_code == 201
    author = made.json()["author"]
    assert (made.json()["state"], author.partition(":")[0]) == ("draft", "maker")  # the actor is the principal
    body = json.loads(auditor.get("/api/v1/risk/versions/2026.8").json()["body"])
    assert body["typologies"]["fake_order"]["hold"] == 60
    assert maker.post("/api/v1/risk/versions/2026.8/shadow").json()["state"] == "shadow"
    assert auditor.get("/api/v1/risk/versions/2026.8/backtest").json() is None
    tested = maker.post("/api/v1/risk/versions/2026.8/backtest")
    assert (tested.status_code, tested.json()["decisions"], tested.json()["labels"]) == (200, 0, False)
    assert auditor.get("/api/v1/risk/versions/2026.8/backtest").json()["version"] == "2026.8"
    delta = auditor.get("/api/v1/risk/versions/2026.8/delta").json()
    assert (delta["decisions"], delta["rows"]) == (0, [])

    own = maker.post("/api/v1/risk/versions/2026.8/publish")
    assert (own.status_code, own.json()["problems"][0]["rule_id"]) == (409, "RSK-VERSION-SELF-APPROVAL")
    second = create_api_key(zone.ctx, username="maker", label="second", actor="test").key  # the same person
    another_key = TestClient(create_app(zone.ctx), headers={"Authorization": f"Bearer {second}"})
    again = another_key.post("/api/v1/risk/versions/2026.8/publish")
    assert (again.status_code, again.json()["problems"][0]["rule_id"]) == (409, "RSK-VERSION-SELF-APPROVAL")
    city_publish = city.post("/api/v1/risk/versions/2026.8/publish")
    assert (city_publish.status_code, city_publish.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")
    done = checker.post("/api/v1/risk/versions/2026.8/publish").json()
    assert (done["state"], done["author"], done["approver"].partition(":")[0]) == ("published", author, "checker")
    live = checker.post("/api/v1/risk/versions/2026.8/retire")
    assert (live.status_code, live.json()["problems"][0]["rule_id"]) == (409, "RSK-VERSION-LIVE")
    unknown = auditor.get("/api/v1/risk/versions/9.9")
    assert (unknown.status_code, unknown.json()["problems"][0]["rule_id"]) == (404, "RSK-VERSION-UNKNOWN")
    states = {v["version"]: v["state"] for v in auditor.get("/api/v1/risk/versions").json()}
    assert states == {"2026.6": "retired", "2026.8": "published"}
