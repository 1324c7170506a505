"""Contract of a case's watch-list entry over REST: proposed on /api/v1/risk/cases/{id}/actions, refused to its
proposer (403 RSK-CASE-SELF-APPROVAL, by account), confirmed by a second officer whose answer names the entry, and
read on /api/v1/risk/lists with its case and provenance (the actors from the signed-in identities)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from tests.api.auth import client_for
from tests.integration.risk.cases.support import SUBJECTS, decide
from tests.zone import Zone

from cbec.accounts.service import create_api_key
from cbec.api.app import create_app
from cbec.risk.cases import gather

DAY = date(2026, 3, 2)


def test_a_watch_entry_is_proposed_confirmed_by_a_second_officer_and_listed(zone: Zone) -> None:
    ctx = zone.ctx
    decide(ctx, "E1", [("undervaluation", 40, "review", ["U1"])], day=DAY, at=ctx.clock.now())
    gather(ctx)
    li = client_for(ctx, "agency_officer", agency="customs", username="officer-li")
    second_key = create_api_key(ctx, username="officer-li", label="second", actor="test").key  # the same person
    li_again = TestClient(create_app(ctx), headers={"Authorization": f"Bearer {second_key}"})
    wang = client_for(ctx, "agency_officer", agency="customs", username="officer-wang")
    auditor = client_for(ctx, "auditor", username="auditor-a")
    [case] = li.get("/api/v1/risk/cases").json()
    assert (case["pivot_kind"], case["pivot_key"]) == ("enterprise", SUBJECTS["enterprise"])
    actions = f"/api/v1/risk/cases/{case['id']}/actions"
    unnamed = li.post(actions, json={"kind": "propose_list_entry", "comment": "低报", "list_name": "grey"})
    assert (unnamed.status_code, unnamed.json()["problems"][0]["rule_id"]) == (422, "RSK-CASE-LIST")
    proposed = li.post(actions, json={"kind": "propose_list_entry", "comment": "低报，列入关注", "list_name": "watch"})
    assert (proposed.status_code, proposed.json()["state"]) == (201, "proposed")
    decision = f"{actions}/{proposed.json()['id']}/decision"
    for same in (li, li_again):
        refused = same.post(decision, json={"decision": "confirm"})
        assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "RSK-CASE-SELF-APPROVAL")
    assert auditor.post(decision, json={"decision": "confirm"}).status_code == 403  # no risk.manage
    assert li.get("/api/v1/risk/lists", params={"kind": "watch"}).json() == []
    done = wang.post(decision, json={"decision": "confirm", "comment": "同意"})
    body = done.json()
    assert (done.status_code, body["state"], body["detail"]["list_name"], body["detail"]["condition"]) == (
        200,
        "confirmed",
        "watch",
        None,
    )
    [entry] = auditor.get("/api/v1/risk/lists", params={"kind": "watch"}).json()
    assert body["detail"]["list_entry"] == entry["id"]
    provenance = {k: entry["data"][k] for k in ("case_id", "action_id", "confirmed_on", "agency", "reason")}
    assert (entry["case_id"], entry["key"], entry["valid_from"], entry["valid_to"]) == (
        case["id"],
        SUBJECTS["enterprise"],
        "2026-03-02",
        "2027-03-01",
    )
    assert provenance == {
        "case_id": case["id"],
        "action_id": proposed.json()["id"],
        "confirmed_on": "2026-03-02",
        "agency": "customs",
        "reason": "低报，列入关注",
    }
    assert entry["data"]["proposed_by"].split(":")[0] == "officer-li"
    assert entry["data"]["confirmed_by"].split(":")[0] == "officer-wang"
    again = wang.post(decision, json={"decision": "confirm"})
    assert (again.status_code, again.json()["problems"][0]["rule_id"]) == (409, "RSK-CASE-NOT-PENDING")
    assert len(auditor.get("/api/v1/risk/lists", params={"kind": "watch"}).json()) == 1
