"""REST of credit repair and objections: an enterprise applies for its own facts, officers decide (an agency on
its own source's facts), a second officer approves, the actor is the signed-in principal; the daily job is the hub's.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform; the world's day is 2026-03-02.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api import test_authorization as authz
from tests.api.credit.test_credit_office_api import second_key
from tests.api.test_authorization import SHOP_B, World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.credit.service import apply_events, seed_configuration

A, B = PARTIES.ecommerce.code, SHOP_B.code
world = authz.world
DIGEST = "0f" * 32


@pytest.fixture
def credit(world: World) -> World:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    return world


def fact_of(world: World, caller: str, subject: str, number: str, severity: str = "minor") -> int:
    body = {
        "subject": subject,
        "fact_type": "penalty",
        "source": "customs",
        "severity": severity,
        "decided_on": "2026-03-01",
        "document_no": number,
        "legal_basis": "海关行政处罚实施条例",
    }
    made = client_of(world, caller).post("/api/v1/credit/facts", json=body)
    assert made.status_code == 201, made.json()
    return int(made.json()["id"])


def application(fact_id: int, **extra: Any) -> dict[str, Any]:
    return {"fact_id": fact_id, "evidence_sha256": DIGEST, "description": "已整改", "commitment": "承诺守信", **extra}


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def test_an_enterprise_applies_and_two_officers_grant_the_repair(credit: World) -> None:
    fact = fact_of(credit, "customs", A, "海关罚字〔2026〕11号")
    facts = client_of(credit, "shop_a").get(f"/api/v1/credit/subjects/{A}/facts").json()
    assert [(f["id"], f["publish_min_until"], f["publish_max_until"]) for f in facts] == [
        (fact, "2026-03-01", "2026-06-01")
    ]
    for caller in ("shop_b", "city_customs", "agent"):
        other = client_of(credit, caller).post("/api/v1/credit/repairs", json=application(fact))
        assert (other.status_code, rules(other)) == (404, ["CRD-FACT-UNKNOWN"]), caller
    shop = client_of(credit, "shop_a")
    forged = shop.post("/api/v1/credit/repairs", json=application(fact, applicant="mallory"))
    assert forged.status_code == 422
    applied = shop.post("/api/v1/credit/repairs", json=application(fact))
    assert applied.status_code == 201, applied.json()
    repair = applied.json()
    assert (repair["status"], repair["applicant"]) == ("pending", name_of(credit, "shop_a"))
    url = f"/api/v1/credit/repairs/{repair['id']}/decision"
    assert shop.post(url, json={"action": "propose"}).status_code == 403  # no credit.manage
    assert client_of(credit, "city_customs").post(url, json={"action": "propose"}).status_code == 404
    tax = client_of(credit, "tax").post(url, json={"action": "propose"})
    assert (tax.status_code, rules(tax)) == (403, ["CRD-SOURCE-SCOPE"])
    customs = client_of(credit, "customs")
    assert customs.post(url, json={"action": "propose"}).json()["status"] == "proposed"
    same = customs.post(url, json={"action": "approve"})
    assert (same.status_code, rules(same)) == (403, ["CRD-MAKER-CHECKER"])
    second = second_key(credit, "customs").post(url, json={"action": "approve"})  # the proposer's other API key
    assert (second.status_code, rules(second)) == (403, ["CRD-MAKER-CHECKER"])
    assert client_of(credit, "shop_b").get("/api/v1/credit/repairs").json() == []
    assert [r["id"] for r in shop.get("/api/v1/credit/repairs?status=open").json()] == [repair["id"]]
    granted = client_of(credit, "zone_admin").post(url, json={"action": "approve", "note": "同意"})
    assert granted.status_code == 200, granted.json()
    assert (granted.json()["status"], granted.json()["decided_by"]) == ("approved", name_of(credit, "zone_admin"))
    rating = shop.get(f"/api/v1/credit/subjects/{A}").json()
    assert (rating["score"], rating["contributions"]) == (100, [])
    rows = shop.get(f"/api/v1/credit/subjects/{A}/facts").json()
    assert [(f["supersedes"], f["publish_max_until"]) for f in rows] == [(None, "2026-06-01"), (fact, "2026-03-02")]


def test_early_applications_and_objections(credit: World) -> None:
    fact = fact_of(credit, "customs", A, "海关罚字〔2026〕12号", "general")
    shop = client_of(credit, "shop_a")
    early = shop.post("/api/v1/credit/repairs", json=application(fact))
    assert (early.status_code, rules(early)) == (422, ["CRD-REPAIR-EARLY"])
    problem = early.json()["problems"][0]
    assert (problem["field"], problem["hint"]) == ("fact_id", "Apply on or after 2026-06-01.")
    filed = shop.post("/api/v1/credit/objections", json={"fact_id": fact, "reason": "已复议撤销"})
    assert filed.status_code == 201, filed.json()
    objection = filed.json()
    assert (objection["due_on"], objection["applicant"]) == ("2026-03-22", name_of(credit, "shop_a"))
    assert (
        client_of(credit, "shop_b").post("/api/v1/credit/objections", json={"fact_id": fact, "reason": "x"}).status_code
        == 404
    )
    url = f"/api/v1/credit/objections/{objection['id']}/decision"
    tax = client_of(credit, "tax").post(url, json={"action": "uphold"})
    assert (tax.status_code, rules(tax)) == (403, ["CRD-SOURCE-SCOPE"])
    upheld = client_of(credit, "customs").post(url, json={"action": "uphold"})
    assert upheld.json()["status"] == "upheld"
    assert shop.get(f"/api/v1/credit/subjects/{A}").json()["score"] == 100
    assert [o["status"] for o in shop.get("/api/v1/credit/objections").json()] == ["upheld"]


def test_the_daily_job_and_override_requests_are_the_hubs(credit: World) -> None:
    hub = client_of(credit, "zone_admin")
    daily = hub.post("/api/v1/credit/daily?on=2026-06-01")
    assert daily.status_code == 200
    assert (daily.json()["on"], daily.json()["ended"]) == ("2026-06-01", [])
    assert client_of(credit, "city_admin").post("/api/v1/credit/daily").status_code == 403
    body = {"subject": A, "level": "D", "reason": "现场核查", "until": "2026-04-01"}
    proposed = hub.post("/api/v1/credit/overrides", json=body)
    assert proposed.status_code == 201, proposed.json()
    url = f"/api/v1/credit/overrides/{proposed.json()['id']}/decision"
    own = hub.post(url, json={"action": "approve"})
    assert (own.status_code, rules(own)) == (403, ["CRD-MAKER-CHECKER"])
    assert client_of(credit, "city_admin").post(url, json={"action": "approve"}).status_code == 404
    rejected = hub.post(url, json={"action": "reject", "note": "撤回"})
    assert rejected.json()["status"] == "rejected"
    assert [r["status"] for r in hub.get("/api/v1/credit/overrides").json()] == ["rejected"]
