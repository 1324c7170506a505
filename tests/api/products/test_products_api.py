"""REST contract of product filing under /api/v1/products."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.auth import admin_client
from tests.unit.enterprises.builders import approved, product

from cbec.reference import seed_builtin
from cbec.storage.context import Context


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    """A zone administrator's client on an application with reference data and one approved shop."""
    seed_builtin(ctx)
    approved(ctx, 1)
    with admin_client(ctx) as test_client:
        yield test_client


def body(**overrides: Any) -> dict[str, Any]:
    return product("4601900001", **overrides).model_dump(mode="json")


def test_file_read_approve_and_audit(client: TestClient) -> None:
    response = client.post("/api/v1/products", json=body())
    assert response.status_code == 201, response.text
    created = response.json()
    assert {
        k: created[k] for k in ("owner_code", "item_no", "hs_code", "net_content", "net_content_unit", "status")
    } == {
        "owner_code": "4601900001",
        "item_no": "SKU-SERUM-50",
        "hs_code": "3304990099",
        "net_content": "50",
        "net_content_unit": "096",
        "status": "pending",
    }
    base = f"/api/v1/products/{created['id']}"
    assert client.get(base).json() == created
    approved_product = client.post(f"{base}/approve", json={"reason": "核对无误", "actor": "officer"})
    assert (approved_product.status_code, approved_product.json()["status"]) == (200, "approved")
    revoked = client.post(f"{base}/revoke", json={"reason": "停售", "actor": "officer"})
    assert revoked.json()["status"] == "revoked"
    again = client.post(f"{base}/approve", json={"reason": "x", "actor": "officer"})
    assert again.status_code == 409
    assert [a["action"] for a in client.get(f"{base}/audit").json()] == [
        "products.product.filed",
        "products.product.approved",
        "products.product.revoked",
    ]


def test_invalid_product_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/products", json=body(hs_code="9999999999", origin_country="000"))
    assert response.status_code == 422
    assert [p["rule_id"] for p in response.json()["problems"]] == ["PRD-HS-UNKNOWN", "PRD-COUNTRY"]
    assert client.get("/api/v1/products").json()["total"] == 0


def test_a_unit_gross_weight_is_filed_and_shown_and_a_bad_one_is_422(client: TestClient) -> None:
    created = client.post("/api/v1/products", json=body(unit_gross_weight="0.110"))
    assert created.status_code == 201, created.text
    assert created.json()["unit_gross_weight"] == "0.11"
    refused = client.post("/api/v1/products", json=body(item_no="SKU-2", unit_gross_weight="0"))
    assert refused.status_code == 422
    assert [(p["rule_id"], p["field"]) for p in refused.json()["problems"]] == [
        ("PRD-GROSS-WEIGHT", "unit_gross_weight")
    ]


def test_duplicate_item_is_409(client: TestClient) -> None:
    assert client.post("/api/v1/products", json=body()).status_code == 201
    assert client.post("/api/v1/products", json=body()).status_code == 409


def test_list_filters(client: TestClient) -> None:
    client.post("/api/v1/products", json=body())
    client.post("/api/v1/products", json=body(item_no="SKU-2"))
    page = client.get("/api/v1/products", params={"owner_code": "4601900001", "limit": 1}).json()
    assert (page["total"], [p["item_no"] for p in page["items"]]) == (2, ["SKU-SERUM-50"])
    assert client.get("/api/v1/products", params={"status": "approved"}).json()["total"] == 0
    assert client.get("/api/v1/products/999").status_code == 404
