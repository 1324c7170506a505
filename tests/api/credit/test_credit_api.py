"""REST of the credit system: levels in the caller's scope, agencies' facts of their own source, the hub's rating.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform (tests/api/test_authorization.py builds them);
the credit consumer makes their subjects from the filing events.
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


@pytest.fixture
def credit(world: World) -> World:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    return world


def penalty(subject: str, source: str, number: str, **extra: Any) -> dict[str, Any]:
    body = {
        "subject": subject,
        "fact_type": "penalty",
        "source": source,
        "severity": "general",
        "decided_on": "2026-03-01",
        "document_no": number,
        "legal_basis": "海关行政处罚实施条例",
    }
    return {**body, **extra}


def test_levels_are_read_in_scope_only(credit: World) -> None:
    url = "/api/v1/credit/subjects/"
    hub = client_of(credit, "zone_admin").get(url + A).json()
    assert (hub["kind"], hub["level"], hub["score"], hub["floors"], hub["contributions"]) == (
        "enterprise",
        "A",
        100,
        [],
        [],
    )
    assert hub["name"] == PARTIES.ecommerce.name and hub["ruleset"] == "zone@1"
    assert client_of(credit, "shop_a").get(url + A).status_code == 200
    for caller, code in (("shop_a", B), ("shop_b", A), ("city_customs", A), ("city_admin", A)):
        answer = client_of(credit, caller).get(url + code)
        assert (answer.status_code, answer.json()["error"]) == (404, "not_found"), (caller, code)
    assert client_of(credit, "city_customs").get(url + B).status_code == 200
    assert client_of(credit, "auditor").get(url + B).status_code == 200
    assert client_of(credit, "fx").get(url + A).status_code == 403  # no credit.read


def test_agencies_enter_facts_of_their_own_source_as_themselves(credit: World) -> None:
    customs = client_of(credit, "customs")
    made = customs.post("/api/v1/credit/facts", json=penalty(A, "customs", "海关罚字〔2026〕7号", actor="mallory"))
    assert made.status_code == 201, made.json()
    assert (made.json()["recorded_by"], made.json()["publish_max_until"]) == (name_of(credit, "customs"), "2027-03-01")
    refused = customs.post("/api/v1/credit/facts", json=penalty(A, "tax", "税罚1号"))
    assert refused.status_code == 403
    assert [p["rule_id"] for p in refused.json()["problems"]] == ["CRD-SOURCE-SCOPE"]
    assert client_of(credit, "tax").post("/api/v1/credit/facts", json=penalty(A, "tax", "税罚1号")).status_code == 201
    city = client_of(credit, "city_customs").post("/api/v1/credit/facts", json=penalty(B, "customs", "郑关罚1号"))
    assert city.status_code == 201
    again = customs.post("/api/v1/credit/facts", json=penalty(A, "customs", "海关罚字〔2026〕7号"))
    assert (again.status_code, [p["rule_id"] for p in again.json()["problems"]]) == (422, ["CRD-DUPLICATE"])
    bad = customs.post("/api/v1/credit/facts", json=penalty(A, "customs", "x", severity="awful", decided_on="2099-1-1"))
    assert bad.status_code == 422
    assert {p["rule_id"] for p in bad.json()["problems"]} == {"CRD-SEVERITY", "CRD-DATE"}

    rating = client_of(credit, "shop_a").get(f"/api/v1/credit/subjects/{A}").json()
    assert (rating["score"], rating["level"]) == (70, "C")
    assert [c["modifier"] for c in rating["contributions"]] == ["general", "general"]
    before = client_of(credit, "shop_a").get(f"/api/v1/credit/subjects/{A}?on=2026-02-28").json()
    assert (before["score"], before["contributions"]) == (100, [])


def test_rating_everyone_is_the_hubs(credit: World) -> None:
    client_of(credit, "customs").post("/api/v1/credit/facts", json=penalty(A, "customs", "1", severity="serious"))
    dry = client_of(credit, "zone_admin").post("/api/v1/credit/rate?dry_run=true")
    assert dry.status_code == 200
    assert dry.json()["distribution"]["C"] == 1 and dry.json()["stored"] == 0
    city = client_of(credit, "city_admin").post("/api/v1/credit/rate?dry_run=true")
    assert (city.status_code, [p["rule_id"] for p in city.json()["problems"]]) == (403, ["AUTH-SCOPE"])
    assert client_of(credit, "customs").post("/api/v1/credit/rate").status_code == 403  # no credit.rate
    published = client_of(credit, "zone_admin").post("/api/v1/credit/rate?dry_run=false")
    assert published.json()["stored"] == published.json()["subjects"] > 0
    assert client_of(credit, "zone_admin").post("/api/v1/credit/rate").json()["movers"] == []


def test_names_are_screened_against_the_published_lists_by_any_reader(credit: World) -> None:
    listed = penalty(A, "customs", "海关信用〔2026〕1号", fact_type="list_entry", severity="serious")
    made = client_of(credit, "customs").post("/api/v1/credit/facts", json={**listed, "list_type": "customs_serious"})
    assert made.status_code == 201, made.json()
    body = {"name": "海口全球購電子商務有限公司", "on": "2026-03-02"}
    for caller in ("zone_admin", "shop_b", "city_customs", "auditor"):  # the lists are published: same for all
        answer = client_of(credit, caller).post("/api/v1/credit/screen", json=body)
        assert answer.status_code == 200, (caller, answer.json())
        hits = answer.json()["hits"]
        assert [(h["subject"], h["list_type"], h["score"], h["band"], h["matched"]) for h in hits] == [
            (hits[0]["subject"], "customs_serious", 0.9557, "review", "name")
        ], caller
        assert [f["name"] for f in hits[0]["features"]] == [
            "core",
            "order",
            "pinyin",
            "full",
            "surface",
            "core_exact",
            "length",
        ]
    assert client_of(credit, "fx").post("/api/v1/credit/screen", json=body).status_code == 403  # no credit.read
    person = client_of(credit, "city_customs").post("/api/v1/credit/screen", json={"person_id": "110105198001011238"})
    assert (person.status_code, [p["rule_id"] for p in person.json()["problems"]]) == (403, ["CRD-SCREEN-PERSON"])


def test_bad_screening_requests_get_their_rule_never_a_500(credit: World) -> None:
    hub = client_of(credit, "zone_admin")
    cases = [
        ({}, ["CRD-SCREEN-EMPTY"]),
        ({"name": "——", "threshold": 0.1}, ["CRD-SCREEN-NAME", "CRD-SCREEN-THRESHOLD"]),
        ({"uscc": "123", "limit": 1000}, ["CRD-SCREEN-LIMIT", "CRD-SCREEN-USCC"]),
        ({"name": "x", "nme": "typo"}, ["FMT-REQUEST"]),
        ({"name": "x", "limit": "many"}, ["FMT-REQUEST"]),
        ({"name": "x" * 201}, ["CRD-SCREEN-NAME"]),
    ]
    for body, rules in cases:
        answer = hub.post("/api/v1/credit/screen", json=body)
        assert (answer.status_code, sorted({p["rule_id"] for p in answer.json()["problems"]})) == (422, rules), body
