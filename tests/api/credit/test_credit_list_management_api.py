"""REST of list management (名单管理): entries added, ended early and corrected as new facts; a serious list's change
counts only once another account confirms it; agencies manage their own source's entries; measures follow.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform; the world's day is 2026-03-02.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api import test_authorization as authz
from tests.api.credit.test_credit_office_api import second_key
from tests.api.test_authorization import SHOP_B, World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.common.ids import make_resident_id
from cbec.credit.service import apply_events, seed_configuration

A, B = PARTIES.ecommerce.code, SHOP_B.code
JOINT = ["CRT-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"]
world = authz.world


@pytest.fixture
def credit(world: World) -> World:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    return world


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def court(subject: str = A, **extra: str) -> dict[str, str]:
    return {
        "subject": subject,
        "list_type": "court_dishonest",
        "source": "court",
        "severity": "serious",
        "decided_on": "2026-03-01",
        "document_no": "(2026)琼01执88号",
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定",
        **extra,
    }


def other_officer(world: World) -> TestClient:
    """A second zone officer: another account of the hub's zone office."""
    if "second_officer" not in world.keys:
        world.keys["second_officer"] = authz.key_for(world.app.state.ctx, "zone_admin", username="second-officer")
    key = world.keys["second_officer"]
    return TestClient(world.app, headers={"Authorization": f"Bearer {key}"}, raise_server_exceptions=False)


def measures(world: World) -> list[tuple[int, str, str | None, str | None]]:
    answer = client_of(world, "zone_admin").get(f"/api/v1/credit/measures?subject={A}").json()
    return [(m["fact_id"], m["measure_code"], m["ended_on"], m["lift_cause"]) for m in answer]


def in_force(world: World) -> list[tuple[int, str, str]]:
    page = client_of(world, "zone_admin").get("/api/v1/credit/lists").json()
    return [(e["fact_id"], e["list_type"], e["severity"]) for e in page["items"]]


def test_a_serious_entry_counts_once_another_account_confirms_it(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    added = admin.post("/api/v1/credit/lists/entries", json=court())
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["action"], body["status"], body["serious"], body["fact_id"], body["proposed_by"]) == (
        "add",
        "pending",
        True,
        None,
        name_of(credit, "zone_admin"),
    )
    assert (in_force(credit), measures(credit)) == ([], [])  # nothing counts yet
    url = f"/api/v1/credit/lists/requests/{body['id']}/decision"
    same = second_key(credit, "zone_admin").post(url, json={"action": "confirm"})
    assert (same.status_code, rules(same)) == (403, ["CRD-MAKER-CHECKER"])
    assert client_of(credit, "city_admin").post(url, json={"action": "confirm"}).status_code == 404
    forged = other_officer(credit).post(url, json={"action": "confirm", "actor": "someone"})
    assert forged.status_code == 422
    done = other_officer(credit).post(url, json={"action": "confirm", "note": "核对判决书"})
    assert done.status_code == 200, done.json()
    fact = done.json()["fact_id"]
    assert (done.json()["status"], done.json()["decided_by"][:15]) == ("recorded", "second-officer:")
    assert in_force(credit) == [(fact, "court_dishonest", "serious")]
    assert measures(credit) == [(fact, code, None, None) for code in JOINT]
    again = other_officer(credit).post(url, json={"action": "reject", "note": "x"})
    assert (again.status_code, rules(again)) == (409, ["CRD-STATUS"])
    facts = admin.get(f"/api/v1/credit/subjects/{A}/facts").json()
    assert [(f["id"], f["recorded_by"]) for f in facts if f["fact_type"] == "list_entry"] == [
        (fact, name_of(credit, "zone_admin"))
    ]
    duplicate = admin.post("/api/v1/credit/lists/entries", json=court())
    assert (duplicate.status_code, rules(duplicate)) == (422, ["CRD-DUPLICATE"])


def test_a_zone_entry_is_recorded_at_once_and_ended_early(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    zone = court(list_type="zone", source="zone", severity="general", document_no="琼自贸信〔2026〕9号")
    added = admin.post("/api/v1/credit/lists/entries", json=zone).json()
    assert (added["status"], added["serious"], added["decided_by"]) == ("recorded", False, None)
    entry = added["fact_id"]
    assert measures(credit) == [(entry, "ZON-INSPECT", None, None), (entry, "ZON-PUBLISH", None, None)]
    url = f"/api/v1/credit/lists/entries/{entry}/end"
    city = client_of(credit, "city_admin").post(url, json={"ends_on": "2026-03-02", "reason": "攻击"})
    assert city.status_code == 404  # A's entry is the hub's
    bare = admin.post(url, json={"ends_on": "2026-03-02", "reason": " "})
    assert (bare.status_code, rules(bare)) == (422, ["CRD-LIST-REASON"])
    early = admin.post(url, json={"ends_on": "2026-03-01", "reason": "法院撤销"})
    assert (early.status_code, rules(early)) == (422, ["CRD-LIST-END"])
    ended = admin.post(url, json={"ends_on": "2026-03-02", "reason": "整改完毕，提前移出"})
    assert ended.status_code == 201, ended.json()
    assert (ended.json()["action"], ended.json()["status"], ended.json()["target_fact_id"]) == (
        "end",
        "recorded",
        entry,
    )
    new = ended.json()["fact_id"]
    assert in_force(credit) == []
    assert measures(credit) == [
        (entry, "ZON-INSPECT", "2026-03-02", "ended"),
        (entry, "ZON-PUBLISH", "2026-03-02", "ended"),
    ]
    rows = {f["id"]: f for f in admin.get(f"/api/v1/credit/subjects/{A}/facts").json()}
    assert (rows[new]["supersedes"], rows[new]["valid_to"], rows[entry]["valid_to"]) == (entry, "2026-03-02", None)
    twice = admin.post(url, json={"ends_on": "2026-03-02", "reason": "again"})
    assert (twice.status_code, rules(twice)) == (409, ["CRD-LIST-ENTRY"])


def test_a_correction_supersedes_the_entry_and_the_measures_follow(credit: World) -> None:
    admin, checker = client_of(credit, "zone_admin"), other_officer(credit)
    added = admin.post("/api/v1/credit/lists/entries", json=court()).json()
    entry = checker.post(f"/api/v1/credit/lists/requests/{added['id']}/decision", json={"action": "confirm"}).json()
    old = entry["fact_id"]
    fields = {k: v for k, v in court().items() if k != "subject"}
    body = {**fields, "severity": "general", "reason": "判决书载明为一般失信"}
    url = f"/api/v1/credit/lists/entries/{old}/correction"
    assert client_of(credit, "city_admin").post(url, json=body).status_code == 404
    proposed = admin.post(url, json=body)
    assert (proposed.status_code, proposed.json()["status"]) == (201, "pending"), proposed.json()
    held = admin.post(f"/api/v1/credit/lists/entries/{old}/end", json={"ends_on": "2026-03-05", "reason": "x"})
    assert (held.status_code, rules(held)) == (409, ["CRD-LIST-OPEN"])
    assert in_force(credit) == [(old, "court_dishonest", "serious")]  # the correction waits
    done = checker.post(f"/api/v1/credit/lists/requests/{proposed.json()['id']}/decision", json={"action": "confirm"})
    new = done.json()["fact_id"]
    assert in_force(credit) == [(new, "court_dishonest", "general")]
    lifted = [(code, end, cause) for fact, code, end, cause in measures(credit) if fact == old]
    assert lifted == [(code, "2026-03-02", "corrected") for code in JOINT]
    assert [code for fact, code, _, _ in measures(credit) if fact == new] == ["CRT-PUBLISH"]  # no joint measures
    assert client_of(credit, "city_admin").get("/api/v1/credit/lists/requests").json() == []
    pending = admin.get("/api/v1/credit/lists/requests?status=pending").json()
    assert pending == []
    listed = [(r["action"], r["status"]) for r in admin.get("/api/v1/credit/lists/requests").json()]
    assert listed == [("correct", "recorded"), ("add", "recorded")]
    bad = admin.get("/api/v1/credit/lists/requests?status=open")
    assert (bad.status_code, rules(bad)) == (422, ["CRD-STATUS"])


def test_a_rejection_needs_a_note_and_records_nothing(credit: World) -> None:
    added = client_of(credit, "zone_admin").post("/api/v1/credit/lists/entries", json=court()).json()
    url = f"/api/v1/credit/lists/requests/{added['id']}/decision"
    bare = other_officer(credit).post(url, json={"action": "reject"})
    assert (bare.status_code, rules(bare)) == (422, ["CRD-DECISION-NOTE"])
    odd = other_officer(credit).post(url, json={"action": "approve"})
    assert (odd.status_code, rules(odd)) == (422, ["CRD-ACTION"])
    done = other_officer(credit).post(url, json={"action": "reject", "note": "文书号有误"})
    assert (done.json()["status"], done.json()["fact_id"], done.json()["decision_note"]) == (
        "rejected",
        None,
        "文书号有误",
    )
    assert in_force(credit) == []


def test_agencies_manage_their_own_source_and_scope_holds(credit: World) -> None:
    customs = client_of(credit, "customs").post("/api/v1/credit/lists/entries", json=court())
    assert (customs.status_code, rules(customs)) == (403, ["CRD-SOURCE-SCOPE"])
    own = court(list_type="customs_serious", source="customs", document_no="海关〔2026〕3号")
    assert client_of(credit, "customs").post("/api/v1/credit/lists/entries", json=own).status_code == 201
    city = client_of(credit, "city_admin").post("/api/v1/credit/lists/entries", json=court(A))
    assert city.status_code == 404  # A is the hub's
    assert client_of(credit, "shop_a").post("/api/v1/credit/lists/entries", json=court()).status_code == 403
    person = {**court(), "subject": None, "person_id": make_resident_id("460100", date(1980, 5, 6), 12)}
    assert client_of(credit, "city_admin").post("/api/v1/credit/lists/entries", json=person).status_code == 404
    stored = client_of(credit, "zone_admin").post("/api/v1/credit/lists/entries", json=person).json()
    assert stored["subject"].startswith("person:") and "person_id" not in stored["payload"]
    assert person["person_id"] not in str(stored)
    both = client_of(credit, "zone_admin").post("/api/v1/credit/lists/entries", json={**court(), "person_id": "1"})
    assert (both.status_code, rules(both)) == (422, ["CRD-SUBJECT"])
    positive = client_of(credit, "zone_admin").post("/api/v1/credit/lists/entries", json=court(severity="positive"))
    assert (positive.status_code, rules(positive)) == (422, ["CRD-SEVERITY"])
    assert B  # B is the city's: its entries are the city's to manage
    city_b = client_of(credit, "city_admin").post(
        "/api/v1/credit/lists/entries", json=court(B, list_type="zone", source="zone", severity="minor")
    )
    assert (city_b.status_code, city_b.json()["status"]) == (201, "recorded")
