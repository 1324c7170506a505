"""Contract of /api/v1/risk/lists: risk.read to read the external lists, risk.manage and the hub's scope to load one,
all or nothing with every problem's rule id, who loaded it from the signed-in principal."""

from __future__ import annotations

import json

from tests.api.auth import client_for
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.risk.lists import ListKind, sample_text


def test_lists_over_rest_with_scope_and_all_or_nothing(zone: Zone) -> None:
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    officer = client_for(zone.ctx, "agency_officer", agency="customs", username="loader")
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/zhengzhou")
    auditor = client_for(zone.ctx, "auditor", username="aud")
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    document = json.loads(sample_text(ListKind.IPR))

    assert auditor.get("/api/v1/risk/lists").json() == []
    assert tax.get("/api/v1/risk/lists").status_code == 403  # no risk.read
    assert auditor.post("/api/v1/risk/lists/ipr", json={"document": document}).status_code == 403  # no risk.manage
    refused = city.post("/api/v1/risk/lists/ipr", json={"document": document})
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")

    loaded = officer.post("/api/v1/risk/lists/ipr", json={"document": document, "source": "gacc-ipr.json"})
    assert loaded.status_code == 201
    body = loaded.json()
    assert (body["kind"], body["entries"], body["replaced"], body["source"]) == ("ipr", 3, 0, "gacc-ipr.json")
    assert body["loaded_by"].partition(":")[0] == "loader"  # the principal, never a request field
    listed = auditor.get("/api/v1/risk/lists?kind=ipr").json()
    assert sorted(e["key"] for e in listed) == ["KIWIMILK", "NORDLYS", "SOLBRIS"]

    bad = dict(document, entries=[{"brand": "", "valid_from": "2026-13-01"}])
    invalid = officer.post("/api/v1/risk/lists/ipr", json={"document": bad})
    assert invalid.status_code == 422
    assert [(p["rule_id"], p["field"]) for p in invalid.json()["problems"]] == [
        ("RSK-LIST-FIELD", "entries[0].valid_from"),
        ("RSK-LIST-FIELD", "entries[0].brand"),
        ("RSK-LIST-FIELD", "entries[0].owner"),
    ]
    wrong = officer.post("/api/v1/risk/lists/recall", json={"document": document})  # an IPR file as recalls
    assert wrong.status_code == 422
    unknown = officer.post("/api/v1/risk/lists/smuggling", json={"document": document})
    assert unknown.status_code == 422
    # nothing of the refused loads was kept: the IPR entries are those of the good load
    assert sorted(e["key"] for e in auditor.get("/api/v1/risk/lists").json()) == ["KIWIMILK", "NORDLYS", "SOLBRIS"]
