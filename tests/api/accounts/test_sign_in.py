"""Web and JSON sign-in: cookies, CSRF, throttling, sign-out, and who-am-I."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account
from cbec.api.app import create_app
from cbec.storage.context import Context

PASSWORD = "correct horse battery"


@pytest.fixture
def client(ctx: Context) -> TestClient:
    """An anonymous client, with a customs officer account to sign in as."""
    create_account(
        ctx,
        AccountCreate(username="officer", role="agency_officer", agency="customs", password=PASSWORD),
        actor="test",
    )
    return TestClient(create_app(ctx), follow_redirects=False)


def login_form(client: TestClient, next_path: str = "/") -> str:
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200
    assert "登录" in page.text and "Sign in" in page.text
    assert page.headers["cache-control"] == "no-store"
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def test_the_form_signs_in_and_the_cookie_is_http_only_and_lax(client: TestClient) -> None:
    token = login_form(client, "/api/v1/session")
    response = client.post(
        "/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token, "next": "/api/v1/session"},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/api/v1/session")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("cbec_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    me = client.get("/api/v1/session").json()
    assert (me["principal"]["name"], me["principal"]["role"], me["principal"]["agency"], me["via"]) == (
        "officer",
        "agency_officer",
        "customs",
        "session",
    )
    assert "clearance.decide" in me["permissions"]


def test_the_form_needs_its_token(client: TestClient) -> None:
    login_form(client)
    response = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert "cbec_session" not in client.cookies


def test_a_wrong_password_shows_the_form_again_and_five_pause_the_account(client: TestClient) -> None:
    for _ in range(5):
        token = login_form(client)
        wrong = client.post("/login", data={"username": "officer", "password": "not it at all", "csrf_token": token})
        assert wrong.status_code == 401
        assert "用户名或密码错误" in wrong.text
    token = login_form(client)
    paused = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
    assert (paused.status_code, paused.headers["retry-after"]) == (429, "901")
    assert "cbec_session" not in client.cookies


def test_next_stays_on_the_site(client: TestClient) -> None:
    token = login_form(client)
    response = client.post(
        "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"}
    )
    assert response.headers["location"] == "/"


def test_logout_needs_the_session_token(client: TestClient) -> None:
    token = login_form(client)
    client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    session = client.get("/api/v1/session").json()
    assert session["via"] == "session"
    out = client.post("/logout", data={"csrf_token": session["csrf_token"]})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/api/v1/session").status_code == 401


def test_json_sign_in_and_out(client: TestClient) -> None:
    refused = client.post("/api/v1/session", json={"username": "officer", "password": "wrong wrong"})
    assert (refused.status_code, refused.json()["error"]) == (401, "unauthenticated")
    signed = client.post("/api/v1/session", json={"username": "officer", "password": PASSWORD})
    assert signed.status_code == 200
    body = signed.json()
    assert body["principal"]["tenant"] == "hub" and len(body["csrf_token"]) == 43
    no_header = client.delete("/api/v1/session")
    assert (no_header.status_code, no_header.json()["problems"][0]["rule_id"]) == (403, "AUTH-CSRF")
    ended = client.delete("/api/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert (ended.status_code, ended.json()) == (200, {"ended": True})
    gone = client.get("/api/v1/session")
    assert (gone.status_code, gone.headers["www-authenticate"]) == (401, 'Bearer realm="cbec"')


def test_cookie_sessions_need_the_csrf_header_to_change_things(client: TestClient) -> None:
    signed = client.post("/api/v1/session", json={"username": "officer", "password": PASSWORD}).json()
    body = {"action": "release", "comment": "ok"}
    forged = client.post("/api/v1/clearance/inventories/X/decision", json=body)
    assert forged.status_code == 403
    allowed = client.post(
        "/api/v1/clearance/inventories/X/decision", json=body, headers={"X-CSRF-Token": signed["csrf_token"]}
    )
    assert allowed.status_code == 404


def test_bad_credentials_are_401(client: TestClient) -> None:
    for headers in ({"Authorization": "Bearer cbec_nope"}, {"X-API-Key": "nope"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/session", headers=headers)
        assert (response.status_code, response.json()["error"]) == (401, "unauthenticated")
    client.cookies.set("cbec_session", "stale")
    assert client.get("/api/v1/session").status_code == 401
