"""The trust boundary of `cbec serve`: bounded bodies, archives, attributes and values; rate-limited quota look-ups.

Every refusal is a 4xx with a problem (rule id, field, bilingual message, hint), never a 500.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.auth import key_for
from tests.builders import PARTIES
from tests.zone import Zone

from cbec.api.app import create_app
from cbec.api.middleware import BodyLimitMiddleware
from cbec.config import Settings
from cbec.messages import parse_format_receipt
from cbec.storage.context import Context

FORM = {"content-type": "application/x-www-form-urlencoded"}
BODY_PROBLEM = {
    "rule_id": "LIMIT-BODY-SIZE",
    "field": "body",
    "message": "请求体超过 1024 字节上限 / the request body is larger than 1024 bytes",
    "hint": "拆分为较小的请求（报文每个最多 100 票）/ send smaller requests: split messages (at most 100 documents"
    " each) or archives",
    "code": None,
    "severity": "error",
}


def small(ctx: Context, **update: Any) -> Context:
    ctx.settings = ctx.settings.model_copy(
        update={"max_body_bytes": 1024, "max_message_bytes": 4096, "max_upload_bytes": 8192, **update}
    )
    return ctx


def client_of(ctx: Context, role: str = "zone_admin", **account: str) -> TestClient:
    key = key_for(ctx, role, **account)  # type: ignore[arg-type]
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {key}"})


def rule_ids(body: dict[str, Any]) -> list[str]:
    return [p["rule_id"] for p in body["problems"]]


# --- bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/api/v1/session", {"content-type": "application/json"}),
        ("POST", "/login", FORM),
        ("POST", "/quota", FORM),
        ("POST", "/api/v1/enterprises", {"content-type": "application/json"}),
    ],
)
def test_a_declared_body_over_the_small_limit_is_refused_unread(
    ctx: Context, method: str, path: str, headers: dict[str, str]
) -> None:
    client = TestClient(create_app(small(ctx)))
    answer = client.request(method, path, content=b"x" * 1025, headers=headers)
    assert answer.status_code == 413
    assert answer.json() == {
        "error": "limit_exceeded",
        "message": BODY_PROBLEM["message"],
        "problems": [BODY_PROBLEM],
    }


def test_ceb_takes_up_to_a_message_and_the_rest_a_small_body(zone: Zone) -> None:
    shop = client_of(small(zone.ctx), "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    refused = shop.post("/ceb", content=b"<x/>" + b" " * 4093)
    assert (refused.status_code, rule_ids(refused.json())) == (413, ["LIMIT-BODY-SIZE"])
    assert refused.json()["message"] == "请求体超过 4096 字节上限 / the request body is larger than 4096 bytes"
    read = shop.post("/ceb", content=b"<x/>" + b" " * 2000)  # over 1 KiB, within a message: read, then refused
    assert read.status_code == 422
    assert parse_format_receipt(read.content).status == "-1"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/session", "application/json"),
        ("/login", "application/x-www-form-urlencoded"),
        ("/quota", "application/x-www-form-urlencoded"),
    ],
)
def test_a_chunked_body_over_the_limit_is_a_413_whatever_the_route_does_with_the_refusal(
    ctx: Context, path: str, kind: str
) -> None:
    def chunks():  # no Content-Length: sent with Transfer-Encoding: chunked
        for _ in range(64):
            yield b"x" * 1024

    client = TestClient(create_app(small(ctx)), raise_server_exceptions=False)
    answer = client.post(path, content=chunks(), headers={"content-type": kind})
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert rule_ids(answer.json()) == ["LIMIT-BODY-SIZE"]


def run_middleware(limit: int, chunks: list[bytes]) -> tuple[list[dict[str, Any]], int, bool]:
    """Run the body limit around an app that reads the whole body; return what was sent, chunks pulled, app done."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    finished = False

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal finished
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        finished = True

    settings = Settings(max_body_bytes=limit)
    middleware = BodyLimitMiddleware(app, settings=lambda: settings)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/session",
        "headers": [(b"transfer-encoding", b"chunked")],
    }
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    return sent, pulled, finished


def test_a_chunked_body_is_counted_as_it_arrives_and_refused_at_the_chunk_that_passes_the_limit() -> None:
    sent, pulled, finished = run_middleware(2048, [b"x" * 1000] * 100)
    assert (sent[0]["status"], pulled, finished) == (413, 3, False)  # 3 000 bytes read of 100 000
    assert (b"connection", b"close") in sent[0]["headers"]
    sent, pulled, finished = run_middleware(2048, [b"x" * 1000, b"x" * 1000])
    assert (sent[0]["status"], pulled, finished) == (200, 2, True)


# --- values ---------------------------------------------------------------------------------------


VALUE_PROBLEM = {
    "rule_id": "FMT-VALUE",
    "field": "body",
    "message": "取值超出范围或含非法字符 / a value is out of range or holds a forbidden character (a number past 64"
    " bits, a NUL character)",
    "hint": "检查编号与数字是否在 64 位整数范围内，文本中不得含 NUL (0x00) / use ids and numbers within 64-bit range"
    " and text without NUL (0x00) characters",
    "code": None,
    "severity": "error",
}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/enterprises/99999999999999999999",
        "/api/v1/enterprises/-99999999999999999999/audit",
        "/api/v1/products/99999999999999999999",
    ],
)
def test_ids_past_64_bits_are_a_422(ctx: Context, path: str) -> None:
    answer = client_of(ctx).get(path)
    assert (answer.status_code, answer.json()["problems"]) == (422, [VALUE_PROBLEM])


def test_nul_characters_never_reach_a_500(ctx: Context) -> None:
    client = client_of(ctx)
    session = client.post("/api/v1/session", json={"username": "a\u0000b", "password": "x"})
    assert session.status_code in (401, 422)  # SQLite stores NUL, PostgreSQL refuses it: 4xx either way
    anon = TestClient(create_app(ctx))
    form = anon.post("/login", content=b"username=a%00b&password=x&csrf_token=t", headers=FORM)
    assert form.status_code == 422
    assert form.json()["problems"] == [
        {
            "rule_id": "FMT-NUL",
            "field": "username",
            "message": "字段含 NUL (0x00) 字符 / the field holds a NUL (0x00) character",
            "hint": "删除该字段中的控制字符 / remove the control characters from the field",
            "code": None,
            "severity": "error",
        }
    ]
    many = anon.post("/quota", content=b"&".join(b"f%d=1" % n for n in range(30)), headers=FORM)
    assert (many.status_code, rule_ids(many.json())) == (422, ["FMT-FORM"])


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_nan_and_infinity_are_not_a_net_content(zone: Zone, value: str) -> None:
    product = {
        "owner_code": PARTIES.ecommerce.code,
        "item_no": "SKU-NAN",
        "name": "精华液",
        "hs_code": "3304990099",
        "specification": "50ml/瓶",
        "origin_country": "116",
        "transaction_unit": "142",
        "legal_unit": "035",
        "net_content": value,
        "net_content_unit": "096",
    }
    answer = client_of(zone.ctx).post("/api/v1/products", json=product)
    assert answer.status_code == 422
    assert [(p["rule_id"], p["field"]) for p in answer.json()["problems"]] == [("FMT-REQUEST", "net_content")]


# --- XML ------------------------------------------------------------------------------------------


def test_a_root_with_sixty_thousand_attributes_is_refused_before_any_is_looked_at(zone: Zone) -> None:
    shop = client_of(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    attributes = " ".join(f'a{n}="1"' for n in range(60_000))
    xml = f'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0" {attributes}/>'
    answer = shop.post("/ceb", content=xml.encode(), headers={"content-type": "application/xml"})
    assert answer.status_code == 422
    assert parse_format_receipt(answer.content).info == (
        "[FMT-XML;;元素属性超过 64 个 / an element has more than 64 attributes;删除报文规范未定义的属性 / remove the"
        " attributes the specification does not define]"
    )


def test_a_nul_byte_in_xml_is_a_format_receipt(zone: Zone) -> None:
    shop = client_of(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    answer = shop.post("/ceb", content=b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">\x00</x>')
    assert answer.status_code == 422
    assert parse_format_receipt(answer.content).info.startswith(
        "[FMT-XML;;XML 格式错误：Invalid character: Char 0x0 out of allowed range"
    )


# --- rate limits ----------------------------------------------------------------------------------


QUERY = {"id_number": "11010519491231002X", "name": "张三", "year": 2026}


def test_quota_look_ups_are_limited_per_account_and_per_address(ctx: Context) -> None:
    small(ctx, quota_api_per_minute=2)
    app = create_app(ctx)
    first = TestClient(app, headers={"X-API-Key": key_for(ctx, "consumer")})
    second = TestClient(app, headers={"X-API-Key": key_for(ctx, "consumer")})
    answers = [first.post("/api/v1/quota/query", json=QUERY) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    refused = answers[2]
    assert 59 <= int(refused.headers["retry-after"]) <= 61
    [problem] = refused.json()["problems"]
    assert (refused.json()["error"], problem["rule_id"], problem["field"]) == ("rate_limited", "RATE-LIMIT", "client")
    assert problem["message"].startswith("请求过于频繁，请 ") and " s" in problem["message"]
    # Another account from the same address: the address is spent too.
    assert second.post("/api/v1/quota/query", json=QUERY).status_code == 429


def test_the_quota_page_answers_429_with_retry_after(ctx: Context) -> None:
    small(ctx, quota_page_per_minute=1)
    client = TestClient(create_app(ctx))
    form = {"id_number": "11010519491231002X", "name": "张三"}
    assert client.post("/quota", data=form).status_code == 404
    refused = client.post("/quota", data=form)
    assert refused.status_code == 429 and 59 <= int(refused.headers["retry-after"]) <= 61
    assert 'data-rule="RATE-LIMIT"' in refused.text


def test_the_workers_share_the_quota_limit_through_redis(ctx: Context) -> None:
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379: {exc}")
    small(ctx, quota_api_per_minute=2, redis_url=url)
    workers = [create_app(ctx), create_app(ctx)]  # two processes of `cbec serve --workers 2`
    workers[0].state.limits.quota_api.reset()
    key = key_for(ctx, "consumer")
    clients = [TestClient(app, headers={"X-API-Key": key}) for app in workers]
    try:
        answers = [clients[n % 2].post("/api/v1/quota/query", json=QUERY).status_code for n in range(3)]
        assert answers == [404, 404, 429]
        assert workers[1].state.limits.quota_api.backend == "redis"
    finally:
        workers[0].state.limits.quota_api.reset()


# --- zip uploads ----------------------------------------------------------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def uploader(zone: Zone) -> tuple[TestClient, dict[str, str]]:
    from tests.web.support import Portal, csrf_of

    client = Portal(zone).client("shop")
    return client, {"X-CSRF-Token": csrf_of(client.get("/workspace/products").text)}


def test_a_zip_bomb_upload_is_refused_member_by_member(zone: Zone) -> None:
    small(zone.ctx, max_zip_total_bytes=10_000)
    client, headers = uploader(zone)
    bomb = zipped({"a.xml": b"\0" * 5_000_000, "b.xml": b"<x/>"})
    assert len(bomb) < 8192
    answer = client.post("/workspace/upload", content=bomb, headers={**headers, "X-File-Name": "bomb.zip"})
    assert answer.status_code == 200
    assert answer.text.count('data-outcome="unreadable"') == 1
    assert "<code>FMT-ZIP-SIZE</code>" in answer.text and "<dd>报文超过 4096 字节</dd>" in answer.text
    assert 'data-outcome="format_error"' in answer.text  # b.xml was read and ingested


@pytest.mark.parametrize(
    "body",
    [b"PK\x03\x04broken", zipped({"a.xml": b"<a/>" * 200})[:70]],
    ids=["garbage", "truncated"],
)
def test_a_malformed_zip_upload_is_a_422_with_its_problem(zone: Zone, body: bytes) -> None:
    client, headers = uploader(zone)
    answer = client.post("/workspace/upload", content=body, headers={**headers, "X-File-Name": "b.zip"})
    assert answer.status_code == 422
    assert "<code>FMT-ZIP</code>" in answer.text and "<dd>压缩包无法打开</dd>" in answer.text
    assert 'data-outcome="unreadable"' in answer.text
