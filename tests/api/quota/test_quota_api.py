"""POST /api/v1/quota/query: the consumer's annual quota over REST."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.api.auth import key_for

from cbec.api.errors import install_error_handlers
from cbec.api.routes.quota import router
from cbec.common.clock import SHANGHAI
from cbec.quota import buyer_key_for, name_key_for, reserve
from cbec.storage.context import Context

ID_NUMBER = "11010519491231002X"
NAME = "张三"


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    """A consumer's client of an app carrying only the quota router, around the test context."""
    app = FastAPI()
    app.state.ctx = ctx
    install_error_handlers(app)
    app.include_router(router)
    with TestClient(app, headers={"X-API-Key": key_for(ctx, "consumer")}) as test_client:
        yield test_client


def consume(ctx: Context, ref: str, amount: str, when: datetime) -> None:
    with ctx.uow() as uow:
        reserve(
            uow.session,
            buyer_key=buyer_key_for(ctx.cipher, ID_NUMBER),
            name_key=name_key_for(ctx.cipher, NAME),
            year=when.year,
            amount=Decimal(amount),
            annual_limit=Decimal("26000.00"),
            inventory_ref=ref,
            order_no=f"O-{ref}",
            platform_name="测试平台",
            declared_at=when,
        )
        uow.commit()


def test_query_returns_the_masked_statement(ctx: Context, client: TestClient) -> None:
    consume(ctx, "4601:INV001", "320.00", datetime(2026, 2, 1, 9, 30, tzinfo=SHANGHAI))
    response = client.post("/api/v1/quota/query", json={"id_number": ID_NUMBER, "name": NAME, "year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id_number": "110105********002X",
        "name": "张*",
        "year": 2026,
        "annual_limit": "26000.00",
        "used": "320.00",
        "remaining": "25680.00",
        "entries": [
            {
                "inventory_ref": "4601:INV001",
                "order_no": "O-4601:INV001",
                "platform_name": "测试平台",
                "declared_at": "2026-02-01T09:30:00+08:00",
                "amount": "320.00",
                "restored": "0.00",
            }
        ],
    }
    assert ID_NUMBER not in response.text


def test_year_defaults_to_the_current_one(ctx: Context, client: TestClient) -> None:
    consume(ctx, "inv-1", "10.00", datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))
    response = client.post("/api/v1/quota/query", json={"id_number": ID_NUMBER, "name": NAME})
    assert (response.status_code, response.json()["year"], response.json()["used"]) == (200, 2026, "10.00")


def test_wrong_name_is_a_404_that_reveals_nothing(ctx: Context, client: TestClient) -> None:
    consume(ctx, "inv-1", "10.00", datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))
    wrong = client.post("/api/v1/quota/query", json={"id_number": ID_NUMBER, "name": "李四"})
    unknown = client.post("/api/v1/quota/query", json={"id_number": "110105198001011238", "name": NAME})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "not_found"


def test_invalid_id_number_is_a_422_with_problems(client: TestClient) -> None:
    response = client.post("/api/v1/quota/query", json={"id_number": "110105491231002", "name": NAME})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert [p["rule_id"] for p in body["problems"]] == ["ID-LENGTH"]


def test_malformed_body_is_rejected(client: TestClient) -> None:
    assert client.post("/api/v1/quota/query", json={"id_number": ID_NUMBER}).status_code == 422
    assert (
        client.post("/api/v1/quota/query", json={"id_number": ID_NUMBER, "name": NAME, "year": 1999}).status_code == 422
    )
