"""1+M+N over REST: filing at a sub-platform, roll-up to the hub, and one filing per enterprise."""

from __future__ import annotations

from tests.api.auth import client_for
from tests.unit.enterprises.builders import enterprise

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.storage.context import Context


def body(n: int, **overrides: str) -> dict[str, object]:
    data = enterprise(n).model_dump(exclude={"zone", "actor"})
    data.update(overrides)
    return data


def test_a_city_files_at_home_and_the_hub_sees_it(ctx: Context) -> None:
    for path in ("hub/zhengzhou", "hub/zhengzhou/window-3", "hub/luoyang"):
        create_tenant(ctx, TenantCreate(path=path, name=path), actor="test")
    city = client_for(ctx, "zone_admin", tenant="hub/zhengzhou", username="zz-office")
    hub = client_for(ctx, "zone_admin")
    luoyang = client_for(ctx, "agency_officer", agency="customs", tenant="hub/luoyang")

    filed = city.post("/api/v1/enterprises", json=body(1))
    assert (filed.status_code, filed.json()["zone"]) == (201, "hub/zhengzhou")
    at_window = city.post("/api/v1/enterprises", json=body(2, zone="hub/zhengzhou/window-3"))
    assert (at_window.status_code, at_window.json()["zone"]) == (201, "hub/zhengzhou/window-3")
    elsewhere = city.post("/api/v1/enterprises", json=body(3, zone="hub/luoyang"))
    assert (elsewhere.status_code, elsewhere.json()["problems"][0]["rule_id"]) == (403, "ENT-ZONE-SCOPE")
    unknown = city.post("/api/v1/enterprises", json=body(3, zone="hub/zhengzhou/window-9"))
    assert (unknown.status_code, unknown.json()["problems"][0]["rule_id"]) == (422, "ENT-ZONE-UNKNOWN")
    again = hub.post("/api/v1/enterprises", json=body(1, zone="hub/luoyang"))
    assert (again.status_code, again.json()["problems"][0]["rule_id"]) == (409, "ENT-TAKEN")

    assert [e["zone"] for e in hub.get("/api/v1/enterprises").json()["items"]] == [
        "hub/zhengzhou",
        "hub/zhengzhou/window-3",
    ]
    assert luoyang.get("/api/v1/enterprises").json()["total"] == 0
    assert luoyang.get(f"/api/v1/enterprises/{filed.json()['id']}").status_code == 404
    trail = hub.get(f"/api/v1/enterprises/{filed.json()['id']}/audit").json()
    assert trail[0]["actor"].startswith("zz-office:cbec_")
    approved = hub.post(f"/api/v1/enterprises/{filed.json()['id']}/approve", json={"reason": "资料齐全"})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    session = city.get("/api/v1/session").json()["principal"]
    assert (session["tenant"], session["tenants_visible"]) == (
        "hub/zhengzhou",
        ["hub/zhengzhou", "hub/zhengzhou/window-3"],
    )
