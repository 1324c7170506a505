"""REST of third-party evaluation, ruleset maker-checker, the zone's method and the AEO scorer; and override
maker-checker by account: one officer with two API keys cannot approve their own proposal.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform; the world's day is 2026-03-02.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api import test_authorization as authz
from tests.api.test_authorization import SHOP_B, World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.accounts.service import create_api_key
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import apply_events, load_configuration, seed_configuration, show_subject
from cbec.credit.thirdparty import canonical
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity

A, B = PARTIES.ecommerce.code, SHOP_B.code
world = authz.world


@pytest.fixture
def credit(world: World) -> World:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    return world


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def second_key(world: World, caller: str) -> TestClient:
    """Another API key of the same account as the caller's."""
    key = create_api_key(
        world.app.state.ctx, username=f"caller-{caller}".replace("_", "-"), label="second", actor="test"
    ).key
    return TestClient(world.app, headers={"Authorization": f"Bearer {key}"}, raise_server_exceptions=False)


def test_one_officer_with_two_api_keys_cannot_approve_their_own_override(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    proposed = admin.post(
        "/api/v1/credit/overrides", json={"subject": A, "level": "B", "reason": "整改到位", "until": "2026-06-01"}
    )
    assert proposed.status_code == 201, proposed.json()
    url = f"/api/v1/credit/overrides/{proposed.json()['id']}/decision"
    other_key = second_key(credit, "zone_admin")
    same = other_key.post(url, json={"action": "approve"})
    assert (same.status_code, rules(same)) == (403, ["CRD-MAKER-CHECKER"])
    city = client_of(credit, "city_admin").post(url, json={"action": "approve"})
    assert city.status_code == 404  # A is at the hub
    assert proposed.json()["proposed_by"] == name_of(credit, "zone_admin")


def test_a_ruleset_is_proposed_dry_run_and_published_by_another_account(credit: World) -> None:
    doc = copy.deepcopy(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET))
    doc.update(version="2", effective_from="2026-03-02", thresholds=[{"level": "A", "min_score": 101}])
    doc["floors"] = []
    admin = client_of(credit, "zone_admin")
    proposed = admin.post("/api/v1/credit/rulesets", json={"document": doc})
    assert proposed.status_code == 201, proposed.json()
    body = proposed.json()
    assert (body["ruleset"], body["status"], body["proposed_by"]) == (
        "zone@2",
        "pending",
        name_of(credit, "zone_admin"),
    )
    subjects = body["dry_run"]["subjects"]
    assert body["dry_run"]["distribution"] == {"A": 0, "D": subjects} and body["dry_run"]["movers_total"] == subjects
    dry = admin.post(f"/api/v1/credit/rulesets/{body['id']}/dry-run")
    assert (dry.status_code, dry.json()["distribution"]) == (200, {"A": 0, "D": subjects})
    url = f"/api/v1/credit/rulesets/{body['id']}/decision"
    same = second_key(credit, "zone_admin").post(url, json={"action": "publish"})
    assert (same.status_code, rules(same)) == (403, ["CRD-MAKER-CHECKER"])
    assert client_of(credit, "customs").post(url, json={"action": "publish"}).status_code == 403  # no credit.rate
    city = client_of(credit, "city_admin").post(url, json={"action": "publish"})
    assert (city.status_code, rules(city)) == (403, ["AUTH-SCOPE"])
    other = TestClient(credit.app, headers={"Authorization": f"Bearer {authz.key_for(credit.app.state.ctx)}"})
    published = other.post(url, json={"action": "publish"})
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert show_subject(credit.app.state.ctx, A).level == "D"
    again = admin.post(url, json={"action": "reject", "note": "late"})
    assert (again.status_code, rules(again)) == (409, ["CRD-STATUS"])
    listed = client_of(credit, "city_admin").get("/api/v1/credit/rulesets")
    assert [p["status"] for p in listed.json()] == ["published"]
    bad = admin.post("/api/v1/credit/rulesets", json={"document": {"code": "zone"}})
    assert (bad.status_code, rules(bad)) == (422, ["CRD-RULESET"])


def test_signed_reports_are_imported_and_reviewed_by_the_zone_office(credit: World) -> None:
    ctx = credit.app.state.ctx
    signer, cert = generate_test_identity(
        SignatureAlgorithm.SM2_SM3, "信评机构", not_before=datetime(2026, 1, 1, tzinfo=UTC), days=3650
    )
    agencies = copy.deepcopy(next(v for k, v in shipped_documents() if k == ConfigKind.AGENCIES))
    agencies.update(version="2", effective_from="2026-01-01")
    agencies["agencies"] = [
        {
            "code": "XY01",
            "name": "海南信评有限公司",
            "accreditation": "PBOC-46-0001",
            "methods": [],
            "certificates_sha256": [hashlib.sha256(cert).hexdigest()],
        }
    ]
    load_configuration(ctx, [(ConfigKind.AGENCIES, agencies)], actor="zone-office")
    uscc = show_subject(ctx, A).subject
    report = {
        "agency": "XY01",
        "accreditation": "PBOC-46-0001",
        "method": "GB/T 23794-2015",
        "subject": uscc,
        "grade": "C",
        "valid_from": "2026-03-01",
        "valid_to": "2027-03-01",
        "report_no": "XY-1",
        "issued_on": "2026-03-01",
    }
    item = {
        "report": report,
        "signature": {
            "algorithm": "SM2-SM3",
            "certificate": base64.b64encode(cert).decode(),
            "value": base64.b64encode(signer.sign(canonical(report))).decode(),
        },
    }
    unsigned = client_of(credit, "zone_admin").post(
        "/api/v1/credit/thirdparty/reports", json={"reports": [{"report": {**report, "report_no": "XY-2"}}]}
    )
    assert (unsigned.status_code, rules(unsigned)) == (422, ["CRD-TP-UNSIGNED"])
    customs = client_of(credit, "customs").post("/api/v1/credit/thirdparty/reports", json={"reports": [item]})
    assert (customs.status_code, rules(customs)) == (403, ["CRD-SOURCE-SCOPE"])
    done = client_of(credit, "zone_admin").post("/api/v1/credit/thirdparty/reports", json={"reports": [item]})
    assert done.status_code == 201, done.json()
    [imported] = done.json()["reports"]
    assert (imported["grade"], imported["level"], imported["review"]["zone_level"], imported["review"]["notches"]) == (
        "C",
        "D",
        "A",
        3,
    )
    assert client_of(credit, "city_admin").get("/api/v1/credit/thirdparty/reviews").json() == []
    [task] = client_of(credit, "zone_admin").get("/api/v1/credit/thirdparty/reviews?status=open").json()
    url = f"/api/v1/credit/thirdparty/reviews/{task['id']}/decision"
    assert client_of(credit, "city_admin").post(url, json={"action": "keep", "note": "x"}).status_code == 404
    decided = client_of(credit, "zone_admin").post(url, json={"action": "withdraw", "note": "依据不足"})
    assert (decided.status_code, decided.json()["decision"]) == (200, "withdraw")
    assert decided.json()["decided_by"] == name_of(credit, "zone_admin")
    assert [
        r["report_no"] for r in client_of(credit, "zone_admin").get("/api/v1/credit/thirdparty/reports").json()
    ] == ["XY-1"]


def test_the_method_is_public_and_the_aeo_scorer_scores(credit: World) -> None:
    method = TestClient(credit.app).get("/api/v1/credit/method")
    assert method.status_code == 200
    body = method.json()
    assert body["ruleset"] == "zone@1" and [d["id"] for d in body["dimensions"]] == [
        "customs",
        "third_party",
        "conduct",
        "dishonesty",
    ]
    assert body["grade_levels"]["AAA"] == "A" and json.dumps(body)  # JSON-ready
    items = [
        {"module": "internal_control", "item": "1.1", "score": 0},
        {"module": "internal_control", "item": "1.2", "score": -1},
        {"module": "financial", "item": "2.1", "score": "n.a."},
        {"module": "trade_security", "item": "4.1", "score": -2},
    ]
    scored = client_of(credit, "shop_a").post("/api/v1/credit/aeo/score", json={"items": items})
    assert scored.status_code == 200
    assert (scored.json()["score"], scored.json()["passed"]) == (97, False)
    bad = client_of(credit, "shop_a").post("/api/v1/credit/aeo/score", json={"items": [{"module": "x", "item": "1"}]})
    assert (bad.status_code, rules(bad)) == (422, ["CRD-AEO-MODULE", "CRD-AEO-SCORE"])
    assert TestClient(credit.app).post("/api/v1/credit/aeo/score", json={"items": items}).status_code == 401
