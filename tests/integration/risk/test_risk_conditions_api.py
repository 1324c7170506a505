"""Contract of /api/v1/risk/conditions: risk.read and the hub's scope to list, risk.manage and the hub's scope to
place and lift; the actor is the signed-in principal; refusals carry their RSK-COND rule ids (422, 409, 404); a
block is a supervision hold at once and ends with its lift. Also a CSV list over /api/v1/risk/lists."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from tests.api.auth import client_for
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.supervision import SubjectKind, measures_in_force

URL = "/api/v1/risk/conditions"
SHOP = "4601960002"


def _holds(zone: Zone) -> int:
    with zone.ctx.uow() as uow:
        at = zone.ctx.clock.now() + timedelta(minutes=1)
        found = measures_in_force(uow.session, [(SubjectKind.ENTERPRISE, SHOP)], at)
        uow.commit()
    return sum(len(m) for m in found.values())


def test_conditions_over_rest(zone: Zone) -> None:
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    officer = client_for(zone.ctx, "agency_officer", agency="customs", username="placer")
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/zhengzhou")
    admin = client_for(zone.ctx, "zone_admin", username="adm")
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    block = {"subject_kind": "enterprise", "subject_key": SHOP.lower(), "kind": "block", "reason": "核查"}

    assert tax.get(URL).status_code == 403  # no risk.read
    assert admin.post(URL, json=block).status_code == 403  # risk.read only
    refused = city.post(URL, json=block)
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")
    assert city.get(URL).status_code == 403

    until = (zone.ctx.clock.now() + timedelta(days=10)).isoformat()
    placed = officer.post(URL, json={**block, "valid_until": until, "actor": "mallory"})
    assert placed.status_code == 201
    body = placed.json()
    assert (body["subject_key"], body["kind"], body["in_force"], body["origin"]) == (SHOP, "block", True, "officer")
    assert body["created_by"].partition(":")[0] == "placer"  # the principal, never a request field
    assert _holds(zone) == 1
    hard = officer.post(URL, json={**block, "kind": "hard_block", "reason": "确认"}).json()
    override = officer.post(URL, json={**block, "kind": "override", "reason": "AEO"})
    assert (override.status_code, override.json()["problems"][0]["rule_id"]) == (409, "RSK-COND-HARD")
    bad = officer.post(URL, json={**block, "kind": "ban", "reason": ""})
    assert bad.status_code == 422
    assert sorted(p["rule_id"] for p in bad.json()["problems"]) == ["RSK-COND-KIND", "RSK-COND-REASON"]
    assert [c["id"] for c in admin.get(URL, params={"in_force": True}).json()] == [hard["id"], body["id"]]

    lifted = officer.post(f"{URL}/{body['id']}/lift", json={"reason": "核查完毕"})
    assert (lifted.status_code, lifted.json()["in_force"]) == (200, False)
    assert lifted.json()["lifted_by"].partition(":")[0] == "placer"
    again = officer.post(f"{URL}/{body['id']}/lift", json={"reason": "again"})
    assert (again.status_code, again.json()["problems"][0]["rule_id"]) == (422, "RSK-COND-LIFTED")
    missing = officer.post(f"{URL}/999999/lift", json={"reason": "x"})
    assert (missing.status_code, missing.json()["problems"][0]["rule_id"]) == (404, "RSK-COND-NOT-FOUND")
    assert _holds(zone) == 1  # the hard block still holds
    officer.post(f"{URL}/{hard['id']}/lift", json={"reason": "复核后撤销"})
    assert _holds(zone) == 0
    assert admin.get(URL, params={"in_force": True}).json() == []
    assert [c["id"] for c in admin.get(URL, params={"subject": SHOP}).json()] == [hard["id"], body["id"]]


def test_a_csv_list_over_rest(zone: Zone) -> None:
    officer = client_for(zone.ctx, "agency_officer", agency="customs", username="loader")
    text = "enterprise,agency,reason,valid_from,valid_to\n4601969901,SAMR,抽检不合格,2026-01-01,\n"
    missing = officer.post("/api/v1/risk/lists/watch", json={"csv": text})
    assert [(p["rule_id"], p["field"]) for p in missing.json()["problems"]] == [("RSK-LIST-PROVENANCE", "provenance")]
    bad = officer.post("/api/v1/risk/lists/watch", json={"csv": text.replace("4601969901", "46019"), "provenance": "x"})
    assert [(p["rule_id"], p["field"]) for p in bad.json()["problems"]] == [("RSK-LIST-FIELD", "line 2.enterprise")]
    done = officer.post("/api/v1/risk/lists/watch", json={"csv": text, "provenance": "SAMR 通报", "source": "w.csv"})
    assert done.status_code == 201
    assert (done.json()["entries"], done.json()["sha256"]) == (1, hashlib.sha256(text.encode()).hexdigest())
    listed = officer.get("/api/v1/risk/lists?kind=watch").json()
    assert [(e["key"], e["data"]["agency"], e["valid_to"]) for e in listed] == [("4601969901", "SAMR", None)]
