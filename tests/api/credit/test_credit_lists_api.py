"""REST of the negative lists: entries in force (published to every reader), a subject's measures in scope, and the
screening alerts of the caller's scope decided by the signed-in officer."""

from __future__ import annotations

import pytest
from tests.api import test_authorization as authz
from tests.api.test_authorization import SHOP_B, World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.credit.service import alert_enterprises, apply_events, seed_configuration

A, B = PARTIES.ecommerce.code, SHOP_B.code
JOINT = ["CRT-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"]
world = authz.world


@pytest.fixture
def listed(world: World) -> World:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    body = {
        "subject": A,
        "fact_type": "list_entry",
        "source": "court",
        "severity": "serious",
        "list_type": "court_dishonest",
        "decided_on": "2026-03-01",
        "document_no": "(2026)琼01执77号",
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定",
    }
    assert client_of(world, "zone_admin").post("/api/v1/credit/facts", json=body).status_code == 201
    return world


def test_entries_in_force_are_published_to_every_reader(listed: World) -> None:
    for caller in ("zone_admin", "shop_b", "city_customs"):
        page = client_of(listed, caller).get("/api/v1/credit/lists?type=court_dishonest").json()
        shown = [(e["name"], e["measures"]) for e in page["items"]]
        assert (page["total"], shown) == (1, [(PARTIES.ecommerce.name, JOINT)]), caller
    assert client_of(listed, "zone_admin").get("/api/v1/credit/lists?type=zone").json()["total"] == 0
    assert client_of(listed, "consumer").get("/api/v1/credit/lists").status_code == 403


def test_a_subjects_measures_are_read_in_scope(listed: World) -> None:
    url = f"/api/v1/credit/measures?subject={A}"
    mine = client_of(listed, "shop_a").get(url).json()
    assert [(m["measure_code"], m["scope"], m["ended_on"]) for m in mine] == [
        (code, "own" if code == "CRT-PUBLISH" else "joint", None) for code in JOINT
    ]
    for caller in ("shop_b", "city_admin"):
        answer = client_of(listed, caller).get(url)
        assert (answer.status_code, answer.json()["error"]) == (404, "not_found"), caller


def test_alerts_are_the_scoped_officers_and_the_reviewer_is_the_caller(listed: World) -> None:
    assert alert_enterprises(listed.app.state.ctx).alerts_new == 1
    hub = client_of(listed, "zone_admin").get("/api/v1/credit/alerts").json()
    assert [(a["customs_code"], a["matched"], a["score"], a["state"]) for a in hub["items"]] == [
        (A, "uscc", 1.0, "open")
    ]
    alert = hub["items"][0]["id"]
    assert client_of(listed, "city_admin").get("/api/v1/credit/alerts").json()["total"] == 0
    assert client_of(listed, "shop_a").get("/api/v1/credit/alerts").status_code == 403
    url = f"/api/v1/credit/alerts/{alert}/decision"
    assert client_of(listed, "city_admin").post(url, json={"action": "confirm"}).status_code == 404
    forged = client_of(listed, "zone_admin").post(url, json={"action": "confirm", "reviewer": "someone"})
    assert forged.status_code == 422
    bare = client_of(listed, "zone_admin").post(url, json={"action": "dismiss"})
    assert (bare.status_code, [p["rule_id"] for p in bare.json()["problems"]]) == (422, ["CRD-DECISION-NOTE"])
    done = client_of(listed, "zone_admin").post(url, json={"action": "confirm", "note": "同一企业"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["reviewer"]) == ("confirmed", name_of(listed, "zone_admin"))
    again = client_of(listed, "zone_admin").post(url, json={"action": "dismiss", "note": "x"})
    assert (again.status_code, [p["rule_id"] for p in again.json()["problems"]]) == (409, ["CRD-ALERT-DECIDED"])
    # recording the confirmed match: never by the confirming account, an agency only its own source's entries
    record = {"action": "record"}
    mine = client_of(listed, "zone_admin").post(url, json=record)
    assert (mine.status_code, [p["rule_id"] for p in mine.json()["problems"]]) == (403, ["CRD-MAKER-CHECKER"])
    agency = client_of(listed, "customs").post(url, json=record)
    assert (agency.status_code, [p["rule_id"] for p in agency.json()["problems"]]) == (403, ["CRD-SOURCE-SCOPE"])
    assert client_of(listed, "city_admin").post(url, json=record).status_code == 404
