"""REST contract of the reference data: GET /api/v1/reference/{table} and /goods/{hs_code}."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.api.auth import admin_client

from cbec.reference import seed_builtin
from cbec.storage.context import Context


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    """A client on an application whose reference data is seeded."""
    seed_builtin(ctx)
    with admin_client(ctx) as test_client:
        yield test_client


def test_goods_rule(client: TestClient) -> None:
    response = client.get("/api/v1/reference/goods/3304990099", params={"on": "2026-03-02"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("hs_code", "on", "hs8", "on_positive_list", "tariff_prefix")} == {
        "hs_code": "3304990099",
        "on": "2026-03-02",
        "hs8": "33049900",
        "on_positive_list": True,
        "tariff_prefix": "33049900",
    }
    assert {k: body[k] for k in ("duty_rate", "vat_rate", "ct_kind", "ct_rate", "ct_threshold")} == {
        "duty_rate": "0.01",
        "vat_rate": "0.13",
        "ct_kind": "ad_valorem",
        "ct_rate": "0.15",
        "ct_threshold": "10",
    }


def test_goods_rule_defaults_to_today_and_follows_dates(client: TestClient) -> None:
    assert client.get("/api/v1/reference/goods/9504502000").json()["on_positive_list"] is True
    old = client.get("/api/v1/reference/goods/9504502000", params={"on": "2021-01-01"})
    assert (old.status_code, old.json()["on_positive_list"]) == (200, False)


def test_unknown_and_malformed_goods(client: TestClient) -> None:
    missing = client.get("/api/v1/reference/goods/0101210000")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    bad = client.get("/api/v1/reference/goods/33-04")
    assert bad.status_code == 422
    assert [p["rule_id"] for p in bad.json()["problems"]] == ["REF-HS-FORMAT"]


def test_code_table(client: TestClient) -> None:
    response = client.get("/api/v1/reference/trade_mode", params={"code": "9710"})
    assert response.status_code == 200
    body = response.json()
    assert (body["table"], body["on"], body["total"]) == ("trade_mode", "2026-03-02", 1)
    [item] = body["items"]
    assert (item["code"], item["name_zh"], item["valid_from"], item["valid_to"]) == (
        "9710",
        "跨境电商B2B直接出口",
        "2020-07-01",
        None,
    )
    assert client.get("/api/v1/reference/trade_mode", params={"code": "9710", "on": "2020-01-01"}).json()["total"] == 0


def test_paging_and_history(client: TestClient) -> None:
    page = client.get("/api/v1/reference/country", params={"limit": 2, "offset": 0}).json()
    assert (page["total"], [i["code"] for i in page["items"]]) == (243, ["101", "102"])
    history = client.get("/api/v1/reference/tax-parameters", params={"all": "true", "code": "single_limit"}).json()
    assert [(i["value"], i["valid_to"]) for i in history["items"]] == [("2000", "2018-12-31"), ("5000", None)]


def test_unknown_table(client: TestClient) -> None:
    response = client.get("/api/v1/reference/planets")
    assert response.status_code == 404
    assert response.json()["table"] == "planets"
