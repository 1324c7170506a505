"""Contract of /api/v1/statistics/index/editions: publish once, read, download, recompute, verify; scope."""

from __future__ import annotations

import json

from tests.api.auth import client_for
from tests.integration.statistics.test_index_editions import _observations
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.statistics import compute_index, parse_method, parse_observations
from cbec.statistics.index.edition import csv_rows

E = "/api/v1/statistics/index/editions"


def test_a_zone_office_publishes_an_edition_anyone_in_the_tree_can_recompute(zone: Zone) -> None:
    create_tenant(zone.ctx, TenantCreate(path="hub/a", name="A 分平台"), actor="test")
    create_tenant(zone.ctx, TenantCreate(path="hub/b", name="B 分平台"), actor="test")
    office = client_for(zone.ctx, "zone_admin", username="office")
    body = {"label": "2026-A", "seed": 11, "observations": _observations(), "actor": "mallory", "tenant": "hub/b"}
    done = office.post(E, json=body)
    assert done.status_code == 201
    summary = done.json()
    assert (summary["label"], summary["tenant"], summary["signed"]) == ("2026-A", "hub", False)
    assert summary["published_by"].split(":")[0] == "office"  # the key's user, never the body's "actor"
    again = office.post(E, json=body)
    assert (again.status_code, [p["rule_id"] for p in again.json()["problems"]]) == (409, ["IDX-EDITION-EXISTS"])
    bad = office.post(E, json={**body, "label": "no spaces please"})
    assert (bad.status_code, [p["rule_id"] for p in bad.json()["problems"]]) == (422, ["IDX-EDITION-LABEL"])
    empty = office.post(E, json={"label": "2026-B"})
    assert (empty.status_code, [p["rule_id"] for p in empty.json()["problems"]]) == (422, ["IDX-EDITION-INPUT"])

    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/a")
    assert [e["label"] for e in city.get(E).json()] == ["2026-A"]
    observations = city.get(f"{E}/2026-A/files/observations.csv")
    method = city.get(f"{E}/2026-A/files/method.json")
    assert observations.headers["content-disposition"] == 'attachment; filename="2026-A-observations.csv"'
    spec = parse_method(json.loads(method.text))
    again_digest = compute_index(parse_observations(csv_rows(observations.text), spec), spec, seed=11)["digest"]
    assert again_digest == summary["digest"] == city.get(f"{E}/2026-A").json()["result"]["digest"]
    check = city.get(f"{E}/2026-A/verify").json()
    assert (check["ok"], check["recomputed"], check["signature_valid"], check["problems"]) == (
        True,
        summary["digest"],
        None,
        [],
    )
    unknown = city.get(f"{E}/2026-A/files/secrets.txt")
    assert (unknown.status_code, unknown.json()["problems"][0]["rule_id"]) == (422, "IDX-EDITION-FILE")
    missing = city.get(f"{E}/2099-Z")
    assert (missing.status_code, missing.json()["problems"][0]["rule_id"]) == (404, "IDX-EDITION-NOT-FOUND")
    shop = client_for(zone.ctx, "enterprise_user", username="shop", enterprise_code="4601960002")
    assert shop.post(E, json={**body, "label": "2026-C"}).status_code == 403
