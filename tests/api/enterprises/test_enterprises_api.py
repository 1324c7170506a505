"""REST contract of enterprise filing under /api/v1/enterprises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.auth import admin_client
from tests.unit.enterprises.builders import customs_code_for, enterprise, uscc_for

from cbec.enterprises.models import Enterprise
from cbec.storage.context import Context


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    """A client of a zone administrator on the application."""
    with admin_client(ctx) as test_client:
        yield test_client


def body(n: int = 1, **overrides: Any) -> dict[str, Any]:
    return enterprise(n, **overrides).model_dump()


def filed(client: TestClient, n: int = 1, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/enterprises", json=body(n, **overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_file_returns_the_masked_filing(client: TestClient) -> None:
    created = filed(client)
    assert {k: created[k] for k in ("uscc", "customs_code", "status", "roles", "contact_name", "contact_phone")} == {
        "uscc": uscc_for(1),
        "customs_code": customs_code_for(1),
        "status": "pending",
        "roles": ["ecommerce_enterprise"],
        "contact_name": "王*",
        "contact_phone": "138****8000",
    }
    assert client.get(f"/api/v1/enterprises/{created['id']}").json() == created


def test_invalid_filing_is_422_with_every_problem(client: TestClient, ctx: Context) -> None:
    response = client.post("/api/v1/enterprises", json=body(uscc="91110000600037341N", customs_code="1", roles=[]))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert [(p["rule_id"], p["field"]) for p in response.json()["problems"]] == [
        ("USCC-CHECKSUM", "uscc"),
        ("CUSTOMS-CODE-LENGTH", "customs_code"),
        ("ENT-ROLES", "roles"),
    ]
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_duplicate_is_409(client: TestClient) -> None:
    filed(client)
    response = client.post("/api/v1/enterprises", json=body(2, uscc=uscc_for(1)))
    assert (response.status_code, response.json()["error"]) == (409, "already_exists")


def test_lifecycle_and_audit(client: TestClient) -> None:
    created = filed(client)
    base = f"/api/v1/enterprises/{created['id']}"
    for action, status in (("approve", "approved"), ("suspend", "suspended"), ("reinstate", "approved")):
        response = client.post(f"{base}/{action}", json={"reason": f"{action} reason", "actor": "officer"})
        assert (response.status_code, response.json()["status"]) == (200, status)
    refused = client.post(f"{base}/approve", json={"reason": "again", "actor": "officer"})
    assert (refused.status_code, refused.json()["error"], refused.json()["status"]) == (409, "conflict", "approved")
    no_reason = client.post(f"{base}/revoke", json={"reason": "", "actor": "officer"})
    assert (no_reason.status_code, [p["rule_id"] for p in no_reason.json()["problems"]]) == (422, ["ENT-REASON"])
    trail = client.get(f"{base}/audit").json()
    assert [(a["action"], a["before"], a["after"], a["reason"]) for a in trail] == [
        ("enterprises.enterprise.filed", None, trail[0]["after"], None),
        ("enterprises.enterprise.approved", {"status": "pending"}, {"status": "approved"}, "approve reason"),
        ("enterprises.enterprise.suspended", {"status": "approved"}, {"status": "suspended"}, "suspend reason"),
        ("enterprises.enterprise.reinstated", {"status": "suspended"}, {"status": "approved"}, "reinstate reason"),
    ]
    assert trail[0]["after"]["contact_phone"] == "138****8000"


def test_list_with_filters_and_paging(client: TestClient) -> None:
    for n in (1, 2, 3):
        filed(client, n, roles=["logistics_company"] if n == 2 else ["ecommerce_enterprise"])
    page = client.get("/api/v1/enterprises", params={"role": "ecommerce_enterprise", "limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [e["customs_code"] for e in page["items"]] == [customs_code_for(3)]
    assert page["items"][0]["contact_phone"] == "138****8000"
    assert client.get("/api/v1/enterprises", params={"status": "approved"}).json()["total"] == 0
    bad = client.get("/api/v1/enterprises", params={"role": "bank"})
    assert bad.status_code == 422


def test_unknown_enterprise_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/enterprises/12345").status_code == 404
    response = client.post("/api/v1/enterprises/12345/approve", json={"reason": "x", "actor": "y"})
    assert response.status_code == 404
