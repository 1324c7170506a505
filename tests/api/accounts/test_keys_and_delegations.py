"""API keys and delegations over REST; POST /ceb accepts only the caller or an enterprise that delegated to it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.auth import client_for, key_for
from tests.builders import PARTIES, a_set
from tests.zone import Zone

from cbec.api.app import create_app
from cbec.demo.builders import build_message
from cbec.intake.models import MessageRecord
from cbec.messages import render_message
from cbec.messages.signature import sign_document
from cbec.storage.context import Context


def with_key(ctx: Context, key: str) -> TestClient:
    return TestClient(create_app(ctx), headers={"X-API-Key": key})


def messages_stored(ctx: Context) -> int:
    with ctx.session_factory() as session:
        return session.scalar(select(func.count()).select_from(MessageRecord)) or 0


def test_own_keys_are_shown_once_scoped_listed_and_revoked(zone: Zone) -> None:
    ctx = zone.ctx
    shop = client_for(ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code, username="shop")
    scopes = ["clearance.read", "apikeys.own"]
    issued = shop.post("/api/v1/accounts/api-keys", json={"label": "订单系统", "scopes": scopes, "days": 7})
    assert issued.status_code == 201
    body = issued.json()
    assert (body["username"], body["scopes"], body["key"][:5]) == ("shop", ["apikeys.own", "clearance.read"], "cbec_")
    assert body["expires_at"] == "2026-03-09T02:00:00Z"
    listed = shop.get("/api/v1/accounts/api-keys").json()
    assert [(k["label"], k["scopes"]) for k in listed] == [
        ("test", None),
        ("订单系统", ["apikeys.own", "clearance.read"]),
    ]
    assert all("key" not in k for k in listed)
    narrow = with_key(ctx, body["key"])
    assert narrow.get("/api/v1/clearance/inventories").status_code == 200
    assert narrow.post("/ceb", content=b"<x/>").status_code == 403
    wider = narrow.post("/api/v1/accounts/api-keys", json={"label": "more", "scopes": ["ceb.submit"]})
    assert (wider.status_code, wider.json()["problems"][0]["rule_id"]) == (422, "ACC-SCOPE")
    same = narrow.post("/api/v1/accounts/api-keys", json={"label": "same"}).json()
    assert same["scopes"] == ["apikeys.own", "clearance.read"]
    read_only = with_key(
        ctx, narrow.post("/api/v1/accounts/api-keys", json={"label": "r", "scopes": ["clearance.read"]}).json()["key"]
    )
    assert read_only.post("/api/v1/accounts/api-keys", json={"label": "x"}).status_code == 403
    assert shop.post(f"/api/v1/accounts/api-keys/{body['id']}/revoke").status_code == 200
    assert narrow.get("/api/v1/clearance/inventories").status_code == 401


def test_keys_of_others_are_for_administrators(zone: Zone) -> None:
    ctx = zone.ctx
    key_for(ctx, "consumer", username="buyer")
    shop = client_for(ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    refused = shop.post("/api/v1/accounts/api-keys", json={"label": "x", "username": "buyer"})
    assert refused.status_code == 403
    admin = client_for(ctx, "zone_admin", username="admin")
    made = admin.post("/api/v1/accounts/api-keys", json={"label": "x", "username": "buyer"})
    assert (made.status_code, made.json()["username"], made.json()["created_by"]) == (
        201,
        "buyer",
        made.json()["created_by"],
    )
    assert made.json()["created_by"].startswith("admin:cbec_")
    assert shop.post(f"/api/v1/accounts/api-keys/{made.json()['id']}/revoke").status_code == 404
    assert admin.post(f"/api/v1/accounts/api-keys/{made.json()['id']}/revoke").status_code == 200


def test_an_agent_sends_for_an_enterprise_only_under_a_mandate(zone: Zone) -> None:
    ctx = zone.ctx
    shop = client_for(ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code, username="shop")
    agent = client_for(ctx, "declaring_agent", enterprise_code=PARTIES.agent.code, username="agent")
    order = sign_document(render_message(build_message([a_set().order], PARTIES.ecommerce)), zone.signer)
    refused = agent.post("/ceb", content=order)
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SENDER")
    assert messages_stored(ctx) == 0
    until = (ctx.clock.now() + timedelta(days=30)).isoformat()
    granted = shop.post(
        "/api/v1/accounts/delegations",
        json={"agent_code": PARTIES.agent.code, "scopes": ["ceb.submit", "clearance.read"], "valid_to": until},
    )
    assert granted.status_code == 201, granted.text
    mandate = granted.json()
    assert (mandate["grantor_code"], mandate["granted_by"].split(":")[0]) == (PARTIES.ecommerce.code, "shop")
    assert agent.get("/api/v1/session").json()["principal"]["acting_for"] == [PARTIES.ecommerce.code]
    assert agent.post("/ceb", content=order).status_code == 200
    assert [d["id"] for d in agent.get("/api/v1/accounts/delegations").json()] == [mandate["id"]]
    assert agent.post(f"/api/v1/accounts/delegations/{mandate['id']}/revoke", json={"reason": "x"}).status_code == 404
    ended = shop.post(f"/api/v1/accounts/delegations/{mandate['id']}/revoke", json={"reason": "合同到期"})
    assert (ended.status_code, ended.json()["revoked_by"].split(":")[0]) == (200, "shop")
    again = sign_document(
        render_message(build_message([a_set("ORD20260302000002").order], PARTIES.ecommerce)), zone.signer
    )
    assert agent.post("/ceb", content=again).status_code == 403
    assert agent.post("/ceb", content=order).status_code == 403  # not even the receipts of a message it once sent
    assert messages_stored(ctx) == 1


def test_an_enterprise_delegates_only_in_its_own_name(zone: Zone) -> None:
    shop = client_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    until = (zone.ctx.clock.now() + timedelta(days=30)).isoformat()
    response = shop.post(
        "/api/v1/accounts/delegations",
        json={
            "agent_code": PARTIES.agent.code,
            "scopes": ["ceb.submit"],
            "valid_to": until,
            "grantor_code": PARTIES.platform.code,
        },
    )
    assert (response.status_code, response.json()["problems"][0]["rule_id"]) == (403, "ACC-GRANTOR")


def test_administrators_manage_accounts_and_tenants_of_their_subtree(ctx: Context) -> None:
    hub = client_for(ctx, "zone_admin")
    assert hub.post("/api/v1/accounts/tenants", json={"path": "hub/zhengzhou", "name": "郑州"}).status_code == 201
    assert hub.post("/api/v1/accounts/tenants", json={"path": "hub/luoyang", "name": "洛阳"}).status_code == 201
    city = client_for(ctx, "zone_admin", tenant="hub/zhengzhou")
    made = city.post("/api/v1/accounts/tenants", json={"path": "hub/zhengzhou/window-3", "name": "三号窗口"})
    assert made.status_code == 201
    assert city.post("/api/v1/accounts/tenants", json={"path": "hub/kaifeng", "name": "x"}).status_code == 403
    officer = city.post(
        "/api/v1/accounts/users", json={"username": "zz.customs", "role": "agency_officer", "agency": "customs"}
    )
    assert (officer.status_code, officer.json()["tenant"]) == (201, "hub/zhengzhou")
    elsewhere = city.post(
        "/api/v1/accounts/users",
        json={"username": "ly.customs", "role": "agency_officer", "agency": "customs", "tenant": "hub/luoyang"},
    )
    assert elsewhere.status_code == 403
    assert [t["path"] for t in city.get("/api/v1/accounts/tenants").json()] == [
        "hub/zhengzhou",
        "hub/zhengzhou/window-3",
    ]
    assert [u["username"] for u in city.get("/api/v1/accounts/users").json()] == [
        next(u["username"] for u in city.get("/api/v1/accounts/users").json() if u["role"] == "zone_admin"),
        "zz.customs",
    ]
    disabled = city.post("/api/v1/accounts/users/zz.customs/disable")
    assert (disabled.status_code, disabled.json()["active"]) == (200, False)


def test_a_malformed_message_in_another_senders_name_leaves_no_trace(zone: Zone) -> None:
    """A message that fails to parse was logged before the sender check; now a visible foreign copCode is refused."""
    ctx = zone.ctx
    shop = client_for(ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code, username="shop")
    broken = b"<ceb:CEB311Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'><ceb:Order><oops/>" + (
        b"<ceb:BaseTransfer><ceb:copCode>" + PARTIES.payment.code.encode() + b"</ceb:copCode></ceb:BaseTransfer>"
        b"</ceb:CEB311Message>"
    )
    refused = shop.post("/ceb", content=broken)
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SENDER")
    assert messages_stored(ctx) == 0
    own = broken.replace(PARTIES.payment.code.encode(), PARTIES.ecommerce.code.encode())
    answered = shop.post("/ceb", content=own)
    assert answered.status_code == 422  # a CEB900 format receipt, logged for its own sender
    assert messages_stored(ctx) == 1
