"""REST of stored AEO self-assessments: an enterprise (or an officer in scope) stores a scored assessment; it becomes a
certification fact (positive when it passes, neutral when it fails) worth 0 points under the shipped ruleset, so the
rating replays unchanged; listed per enterprise in scope.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform; the world's day is 2026-03-02.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api import test_authorization as authz
from tests.api.test_authorization import SHOP_B, World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.credit.service import apply_events, seed_configuration

A, B = PARTIES.ecommerce.code, SHOP_B.code
world = authz.world
PASSING = [
    {"module": "internal_control", "item": "1.1", "score": 0},
    {"module": "internal_control", "item": "1.2", "score": -1},
    {"module": "financial", "item": "2.1", "score": "n.a."},
    {"module": "trade_security", "item": "4.1", "score": 0},
]
FAILING = [*PASSING[:3], {"module": "trade_security", "item": "4.1", "score": -2}]


@pytest.fixture
def credit(world: World) -> World:
    seed_configuration(world.app.state.ctx)
    apply_events(world.app.state.ctx)
    return world


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def test_an_enterprise_stores_its_assessments_as_facts_that_leave_the_rating_as_it_was(credit: World) -> None:
    shop = client_of(credit, "shop_a")
    before = shop.get(f"/api/v1/credit/subjects/{A}").json()
    passed = shop.post("/api/v1/credit/aeo/assessments", json={"subject": A, "items": PASSING})
    assert passed.status_code == 201, passed.json()
    body = passed.json()
    assert (body["score"], body["passed"], body["reasons"], body["assessed_by"]) == (
        99,
        True,
        [],
        name_of(credit, "shop_a"),
    )
    assert [m["module"] for m in body["modules"]][:1] == ["internal_control"]
    failed = client_of(credit, "zone_admin").post(
        "/api/v1/credit/aeo/assessments", json={"subject": A, "items": FAILING}
    )
    assert (failed.status_code, failed.json()["passed"], failed.json()["score"]) == (201, False, 97)
    facts = {f["id"]: f for f in shop.get(f"/api/v1/credit/subjects/{A}/facts").json()}
    assert [
        (facts[r["fact_id"]]["fact_type"], facts[r["fact_id"]]["severity"], facts[r["fact_id"]]["source"],
         facts[r["fact_id"]]["document_no"], facts[r["fact_id"]]["valid_to"])
        for r in (body, failed.json())
    ] == [
        ("certification", "positive", "zone", f"AEO-{body['id']}", "2027-03-02"),
        ("certification", "neutral", "zone", f"AEO-{failed.json()['id']}", "2027-03-02"),
    ]  # fmt: skip
    after = shop.get(f"/api/v1/credit/subjects/{A}").json()
    assert (after["score"], after["level"]) == (before["score"], before["level"])  # 0 points under zone@1
    assert [(c["fact_id"], c["points"]) for c in after["contributions"] if c["fact_type"] == "certification"] == [
        (body["fact_id"], 0),
        (failed.json()["fact_id"], 0),
    ]
    listed = shop.get(f"/api/v1/credit/aeo/assessments?subject={A}").json()
    assert [(a["id"], a["passed"]) for a in listed] == [(failed.json()["id"], False), (body["id"], True)]


def test_assessments_stay_in_scope(credit: World) -> None:
    other = client_of(credit, "shop_b").post("/api/v1/credit/aeo/assessments", json={"subject": A, "items": PASSING})
    assert other.status_code == 404
    city = client_of(credit, "city_admin").post("/api/v1/credit/aeo/assessments", json={"subject": A, "items": PASSING})
    assert city.status_code == 404
    own = client_of(credit, "shop_b").post("/api/v1/credit/aeo/assessments", json={"subject": B, "items": PASSING})
    assert own.status_code == 201
    assert client_of(credit, "shop_a").get(f"/api/v1/credit/aeo/assessments?subject={B}").status_code == 404
    bad = client_of(credit, "shop_a").post("/api/v1/credit/aeo/assessments", json={"subject": A, "items": []})
    assert (bad.status_code, rules(bad)) == (422, ["CRD-AEO-EMPTY"])
    code = client_of(credit, "zone_admin").post(
        "/api/v1/credit/aeo/assessments", json={"subject": "X1", "items": PASSING}
    )
    assert (code.status_code, rules(code)) == (422, ["CRD-SUBJECT"])
