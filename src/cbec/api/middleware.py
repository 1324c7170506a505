"""Pure-ASGI middleware of the trust boundary (信任边界): bounded request bodies and security headers.

Both wrap the raw ASGI callables (no ``BaseHTTPMiddleware``): the body limit counts the chunks as the
application reads them, so an oversized body is refused after at most one chunk past the limit, whatever the
client declares (Content-Length) or does not (chunked transfer).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cbec.common.errors import Problem
from cbec.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RULE_BODY_SIZE = "LIMIT-BODY-SIZE"
# Routes that take whole CEB messages or archives; every other body (JSON API, sign-in, forms) is small.
MESSAGE_ROUTES = frozenset({"/ceb"})
UPLOAD_ROUTES = frozenset({"/workspace/upload"})
# The portal's pages need nothing from elsewhere: no inline script or style, no frames, forms post to itself.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from jsDelivr and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})


class BodyTooLarge(Exception):
    """The request body passed its route's limit while being read."""


def body_limit_for(settings: Settings, path: str) -> int:
    """Return the largest body a route accepts: a CEB message, an upload, or a small form or JSON document."""
    if path in MESSAGE_ROUTES:
        return settings.max_message_bytes
    if path in UPLOAD_ROUTES:
        return settings.max_upload_bytes
    return settings.max_body_bytes


def too_large_body(limit: int) -> bytes:
    """Return the 413 answer in the error shape of api/errors.py."""
    problem = Problem(
        RULE_BODY_SIZE,
        "body",
        f"请求体超过 {limit} 字节上限 / the request body is larger than {limit} bytes",
        "拆分为较小的请求（报文每个最多 100 票）/ send smaller requests: split messages (at most 100 documents"
        " each) or archives",
    )
    content = {"error": "limit_exceeded", "message": problem.message, "problems": [problem.as_dict()]}
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class BodyLimitMiddleware:
    """Answer 413 when a request body is declared or turns out larger than its route's limit."""

    def __init__(self, app: ASGIApp, *, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(self.settings(), str(scope.get("path", "")))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer_413(send, limit, close=True)
            return
        received = 0
        started = exceeded = False

        async def bounded_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                # The application caught the refusal and answers on its own (FastAPI: 400 "error parsing the
                # body"): answer 413 in its place and drop what it sends.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _answer_413(send, limit, close=True)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await _answer_413(send, limit, close=True)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _answer_413(send: Send, limit: int, *, close: bool) -> None:
    body = too_large_body(limit)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))  # the unread rest of the body is not worth draining
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Add the browser hardening headers to every response (pages, API, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") in DOCS_PATHS else PAGE_CSP
        extra = [
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                headers = list(message.get("headers", ()))
                headers.extend((name, value) for name, value in extra if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
