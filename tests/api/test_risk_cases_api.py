"""Contract of /api/v1/risk/cases, /snoozes and /review: permissions, tenant scope, maker-checker, error ids, the
actor from the signed-in identity, exact figures."""

from __future__ import annotations

from datetime import date

from tests.api.auth import client_for
from tests.integration.risk.cases.support import decide
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.risk.cases import gather

DAY = date(2026, 3, 2)


def test_cases_actions_maker_checker_and_review_over_rest(zone: Zone) -> None:
    ctx = zone.ctx
    create_tenant(ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    decide(ctx, "E1", [("fake_order", 70, "hold", ["F1", "F2"])], day=DAY, at=ctx.clock.now())
    decide(ctx, "E2", [("order_splitting", 40, "review", ["S1"])], day=DAY, at=ctx.clock.now(), tenant="hub/zhengzhou")
    gather(ctx)
    li = client_for(ctx, "agency_officer", agency="customs", username="officer-li")
    wang = client_for(ctx, "agency_officer", agency="customs", username="officer-wang")
    city = client_for(ctx, "agency_officer", agency="customs", username="city-officer", tenant="hub/zhengzhou")
    auditor = client_for(ctx, "auditor", username="auditor-a")
    tax = client_for(ctx, "agency_officer", agency="tax", username="tax-officer")

    listed = li.get("/api/v1/risk/cases").json()
    assert [(c["pivot_kind"], c["score"], c["tenant"]) for c in listed] == [
        ("phone", 70, "hub"),
        ("buyer", 40, "hub/zhengzhou"),
    ]
    hub_case, city_case = listed[0]["id"], listed[1]["id"]
    assert [c["id"] for c in city.get("/api/v1/risk/cases").json()] == [city_case]
    assert city.get(f"/api/v1/risk/cases/{hub_case}").status_code == 404
    assert city.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "hold"}).status_code == 404
    assert tax.get("/api/v1/risk/cases").status_code == 403  # no risk.read
    assert auditor.get("/api/v1/risk/cases").status_code == 200  # reads
    assert auditor.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "note"}).status_code == 403

    # the actor is the signed-in officer whatever the body says
    noted = li.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "note", "comment": "看", "actor": "x"})
    assert (noted.status_code, noted.json()["actor"].split(":")[0], noted.json()["state"]) == (
        201,
        "officer-li",
        "done",
    )
    bad = li.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "burn"})
    assert (bad.status_code, bad.json()["problems"][0]["rule_id"]) == (422, "RSK-CASE-ACTION")
    assert "未知" in bad.json()["problems"][0]["message"] and bad.json()["problems"][0]["hint"]
    proposed = li.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "return", "comment": "退运"}).json()
    assert proposed["state"] == "proposed"
    decision = f"/api/v1/risk/cases/{hub_case}/actions/{proposed['id']}/decision"
    self_approval = li.post(decision, json={"decision": "confirm"})
    assert (self_approval.status_code, self_approval.json()["problems"][0]["rule_id"]) == (
        403,
        "RSK-CASE-SELF-APPROVAL",
    )
    assert city.post(decision, json={"decision": "confirm"}).status_code == 404
    confirmed = wang.post(decision, json={"decision": "confirm", "comment": "同意"})
    assert (confirmed.status_code, confirmed.json()["state"], confirmed.json()["checked_by"].split(":")[0]) == (
        200,
        "confirmed",
        "officer-wang",
    )
    snoozed = li.post(f"/api/v1/risk/cases/{hub_case}/snoozes", json={"rule": "F1", "days": 30})
    assert (snoozed.status_code, snoozed.json()["pivot_kind"], snoozed.json()["active"]) == (201, "phone", True)
    assert city.post(f"/api/v1/risk/cases/{hub_case}/snoozes", json={"rule": "F1"}).status_code == 404
    assert [s["rule"] for s in li.get("/api/v1/risk/snoozes").json()] == ["F1"]
    assert city.get("/api/v1/risk/snoozes").json() == []
    closing = {"kind": "close", "outcome": "false_positive", "comment": "家庭"}
    assert li.post(f"/api/v1/risk/cases/{hub_case}/actions", json=closing).status_code == 201
    closed = li.post(f"/api/v1/risk/cases/{hub_case}/actions", json={"kind": "note", "comment": "x"})
    assert (closed.status_code, closed.json()["problems"][0]["rule_id"]) == (409, "RSK-CASE-CLOSED")
    shown = li.get(f"/api/v1/risk/cases/{hub_case}").json()
    assert shown["case"]["state"] == "closed" and [a["outcome"] for a in shown["alerts"]] == ["false_positive"]
    assert [a["kind"] for a in shown["actions"]] == ["note", "return", "close"]
    assert li.get("/api/v1/risk/cases", params={"state": "all"}).status_code == 200
    assert [c["id"] for c in li.get("/api/v1/risk/cases", params={"state": "closed"}).json()] == [hub_case]

    figures = li.get("/api/v1/risk/review").json()
    assert [
        (r["name"], r["alerts"], r["labelled"], r["false_positives"], r["precision"]) for r in figures["rules"]
    ] == [
        ("F1", 1, 1, 1, "0.0000"),
        ("F2", 1, 1, 1, "0.0000"),
        ("S1", 1, 0, 0, None),
    ]
    assert figures["weeks"] == ["2026-W10"]
    assert [r["name"] for r in city.get("/api/v1/risk/review").json()["typologies"]] == ["order_splitting"]
    alerts = li.get("/api/v1/risk/alerts").json()
    assert sorted((a["eport_no"], a["outcome"]) for a in alerts) == [("E1", "false_positive"), ("E2", "open")]
