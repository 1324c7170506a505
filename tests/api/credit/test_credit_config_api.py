"""REST of the credit configuration: every credit reader lists and shows the effective-dated documents; the hub's zone
office loads them all or none with the rule ids of `cbec credit config load`; a ruleset is proposed instead.

The world's day is 2026-03-02: the Decree 251 scheme is in force, Decree 282 from 2026-04-01.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.api import test_authorization as authz
from tests.api.test_authorization import World
from tests.api.test_trust_boundary import client_of, name_of

from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import seed_configuration

world = authz.world


@pytest.fixture
def credit(world: World) -> World:
    seed_configuration(world.app.state.ctx)
    return world


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def lists_v3() -> dict[str, Any]:
    """A catalogue after the shipped ones (zone-lists@1 and @2), in force from the test's day."""
    doc = copy.deepcopy([v for k, v in shipped_documents() if k == ConfigKind.LISTS][-1])
    doc.update(version="3", effective_from="2026-03-02")
    return doc


def test_readers_list_and_show_the_documents_in_force(credit: World) -> None:
    for caller in ("shop_b", "city_customs", "auditor"):
        schemes = client_of(credit, caller).get("/api/v1/credit/config?kind=scheme").json()
        assert [(d["code"], d["version"], d["in_force"], d["value"]) for d in schemes] == [
            ("GACC-251", "1", True, None),
            ("GACC-282", "1", False, None),
        ], caller
    every = client_of(credit, "shop_a").get("/api/v1/credit/config").json()
    assert sorted({d["kind"] for d in every}) == sorted(ConfigKind.ALL)
    shown = client_of(credit, "shop_a").get("/api/v1/credit/config/scheme/GACC-282/1").json()
    assert (shown["effective_from"], shown["in_force"], shown["value"]["code"]) == ("2026-04-01", False, "GACC-282")
    unknown = client_of(credit, "shop_a").get("/api/v1/credit/config/scheme/gacc-999/1")
    assert (unknown.status_code, rules(unknown)) == (404, ["CRD-CONFIG-UNKNOWN"])
    odd = client_of(credit, "shop_a").get("/api/v1/credit/config?kind=weather")
    assert (odd.status_code, rules(odd)) == (422, ["CRD-CONFIG-KIND"])
    assert client_of(credit, "consumer").get("/api/v1/credit/config").status_code == 403


def test_the_zone_office_loads_all_or_none(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    url = "/api/v1/credit/config"
    broken = lists_v3()
    broken["lists"]["zone"]["measures"][0]["legal_basis"] = ""
    both = {"documents": [{"kind": "lists", "document": lists_v3()}, {"kind": "lists", "document": broken}]}
    refused = admin.post(url, json=both)
    assert refused.status_code == 422
    assert {(p["rule_id"], p["field"].split(".")[0]) for p in refused.json()["problems"]} == {
        ("CRD-LISTS", "document[1]")
    }
    assert [d["version"] for d in admin.get(f"{url}?kind=lists").json()] == ["1", "2"]  # nothing was loaded
    loaded = admin.post(url, json={"documents": [{"kind": "lists", "document": lists_v3()}]})
    assert (loaded.status_code, loaded.json()) == (201, {"loaded": ["lists:zone-lists@3"], "unchanged": []})
    listed = admin.get(f"{url}?kind=lists").json()
    assert [(d["version"], d["in_force"], d["loaded_by"]) for d in listed] == [
        ("1", False, "cli"),
        ("2", False, "cli"),
        ("3", True, name_of(credit, "zone_admin")),
    ]
    again = admin.post(url, json={"documents": [{"kind": "lists", "document": lists_v3()}]})
    assert again.json() == {"loaded": [], "unchanged": ["lists:zone-lists@3"]}
    changed = lists_v3()
    changed["legal_basis"] = "changed"
    clash = admin.post(url, json={"documents": [{"kind": "lists", "document": changed}]})
    assert (clash.status_code, rules(clash)) == (409, ["CRD-CONFIG-CHANGED"])
    ruleset = next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)
    proposed = admin.post(url, json={"documents": [{"kind": "ruleset", "document": ruleset}]})
    assert (proposed.status_code, rules(proposed)) == (422, ["CRD-CONFIG-RULESET"])
    shapeless = admin.post(url, json={"documents": [{"document": {}}, {"kind": "weather", "document": {}}]})
    assert (shapeless.status_code, rules(shapeless)) == (422, ["CRD-REQUIRED"])
    weather = admin.post(url, json={"documents": [{"kind": "weather", "document": {}}]})
    assert (weather.status_code, rules(weather)) == (422, ["CRD-CONFIG-KIND"])


def test_only_the_hubs_zone_office_loads(credit: World) -> None:
    body = {"documents": [{"kind": "lists", "document": lists_v3()}]}
    city = client_of(credit, "city_admin").post("/api/v1/credit/config", json=body)
    assert (city.status_code, rules(city)) == (403, ["AUTH-SCOPE"])
    agency = client_of(credit, "customs").post("/api/v1/credit/config", json=body)
    assert (agency.status_code, rules(agency)) == (403, ["CRD-SOURCE-SCOPE"])
    assert client_of(credit, "shop_a").post("/api/v1/credit/config", json=body).status_code == 403
