"""Webhook delivery (推送): every event of a subscription, signed, retried with back-off, dead-lettered.

One pass per subscription: events after its cursor are posted in position order. A failed event
blocks the later events of its business key until it is delivered or dead-lettered, so each key's
events arrive in order; an unreachable endpoint ends the pass. Delivery is at least once: receivers
deduplicate by ``X-Cbec-Event`` (the event position). A lease on the cursor row keeps two workers
from delivering the same subscription at once. HTTP calls are made outside any transaction.

Before each pass the webhook's host is resolved and checked again (sharing/targets.py: public addresses or
``CBEC_WEBHOOK_ALLOW``); a refused target fails the pass like an unreachable one (retried, then dead-lettered),
and the POST connects to the checked addresses themselves, without following redirects.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cbec.sharing import repository as repo
from cbec.sharing.models import OutboxEvent, WebhookDelivery
from cbec.sharing.rules import backoff_seconds, signature_header
from cbec.sharing.service import event_read, facts_of, filter_of, webhook_cursor_name
from cbec.sharing.targets import Resolver, Target, WebhookTargetRefused, vet_target
from cbec.storage.context import Context

log = logging.getLogger(__name__)

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(frozen=True, slots=True)
class PostResult:
    """What one POST achieved; ``unreachable`` means the endpoint itself is down (no HTTP answer)."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    unreachable: bool = False


Transport = Callable[[str, bytes, dict[str, str], float], PostResult]


def http_post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, *, addresses: tuple[str, ...] = ()
) -> PostResult:
    """POST a body to a URL, connecting to ``addresses`` (checked ones) when given; any 2xx is success.

    Redirects are not followed (a 3xx is a failure): a redirect could point anywhere, unchecked.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    if addresses:
        connection._create_connection = _pinned(addresses)  # type: ignore[attr-defined]
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        code = int(response.status)
        response.read(64 * 1024)
    except (http.client.HTTPException, TimeoutError, ConnectionError, OSError) as exc:
        return PostResult(False, None, f"unreachable: {exc}", unreachable=True)
    finally:
        connection.close()
    return PostResult(200 <= code < 300, code, None if 200 <= code < 300 else f"HTTP {code}")


def _pinned(addresses: tuple[str, ...]) -> Callable[..., socket.socket]:
    """Return a create_connection that dials the checked addresses in turn instead of resolving the host again."""

    def create_connection(
        address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        failure: OSError | None = None
        for ip in addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as exc:
                failure = exc
        raise failure or OSError("no address to connect to")

    return create_connection


def pinned_post(target: Target) -> Transport:
    """Return the transport that posts to a checked target's addresses."""

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
        return http_post(url, body, headers, timeout, addresses=target.addresses)

    return post


@dataclass(slots=True)
class DeliveryReport:
    """What one delivery pass did, in total and per subscription."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    subscriptions: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # subscription -> why its last failed delivery failed


@dataclass(slots=True)
class _Outcome:
    position: int
    business_key: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    error: str | None


def worker_name() -> str:
    """Return this process's name in delivery leases (host and process id)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver_webhooks(
    ctx: Context, *, transport: Transport | None = None, owner: str | None = None, resolver: Resolver | None = None
) -> DeliveryReport:
    """Run one delivery pass over every active subscription with a webhook.

    ``transport`` defaults to an HTTP POST to the checked addresses; ``resolver`` to the system's DNS.
    """
    owner = owner or worker_name()
    report = DeliveryReport()
    with ctx.uow() as uow:
        names = [s.name for s in repo.subscriptions(uow.session, webhooks_only=True, active_only=True)]
    for name in names:
        counts, error = _deliver(ctx, name, transport, owner, resolver)
        report.subscriptions[name] = counts
        if error is not None:
            report.errors[name] = error
        report.delivered += counts["delivered"]
        report.failed += counts["failed"]
        report.dead += counts["dead"]
    return report


def _deliver(
    ctx: Context, name: str, transport: Transport | None, owner: str, resolver: Resolver | None
) -> tuple[dict[str, int], str | None]:
    """Deliver one subscription's due events; return counts and why the last failed delivery failed."""
    settings = ctx.settings
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        sub = repo.subscription_by_name(session, name)
        if sub is None or sub.webhook_url is None or not sub.active:
            return counts, None
        cursor = repo.cursor(session, webhook_cursor_name(name), now, for_update=True)
        if cursor.lease_until is not None and cursor.lease_until > now and cursor.lease_owner != owner:
            return counts, None  # another worker holds this subscription
        cursor.lease_owner, cursor.lease_until = owner, now + timedelta(seconds=settings.webhook_lease_seconds)
        watermark = cursor.position
        event_filter = filter_of(sub)
        states = {d.position: d for d in repo.deliveries(session, sub.id)}
        replays = repo.events_at(session, [p for p, d in states.items() if p <= watermark and d.status == PENDING])
        scan = repo.events_after(session, watermark, event_filter, limit=settings.webhook_batch_size)
        scanned_to = scan[-1].position if scan else watermark
        fresh = [e for e in scan if event_filter.matches(facts_of(e))]
        url, subscription_id = sub.webhook_url, sub.id
        secret = ctx.cipher.decrypt(sub.secret_enc).encode("utf-8") if sub.secret_enc else b""
        uow.commit()

    refusal: str | None = None
    try:
        target = vet_target(url, settings.webhook_allow, resolver)  # again: DNS may have changed since
        post = transport or pinned_post(target)
    except WebhookTargetRefused as exc:
        refusal = exc.problems[0].message
        log.warning("webhook %s: %s", name, refusal)
    outcomes: dict[int, _Outcome] = {}
    last_error: str | None = None
    blocked: set[str] = set()
    for event in [*replays, *fresh]:
        assert event.position is not None
        state = states.get(event.position)
        replay = event.position <= watermark
        if state is not None and state.status != PENDING and not replay:
            continue
        if event.business_key in blocked:
            continue
        if state is not None and state.next_attempt_at is not None and state.next_attempt_at > now:
            blocked.add(event.business_key)
            continue
        if refusal is not None:
            result = PostResult(False, None, f"target refused: {refusal}", unreachable=True)
        else:
            result = post(url, *_request(name, event, secret, now), settings.webhook_timeout_seconds)
        attempts = (state.attempts if state is not None else 0) + 1
        if result.ok:
            outcomes[event.position] = _Outcome(event.position, event.business_key, DELIVERED, attempts, None, None)
            counts["delivered"] += 1
            continue
        blocked.add(event.business_key)
        counts["failed"] += 1
        last_error = result.error
        if attempts >= settings.webhook_max_attempts:
            status, next_at = DEAD, None
            counts["dead"] += 1
            log.warning(
                "webhook %s: event %s dead-lettered after %s attempts: %s", name, event.position, attempts, result.error
            )
        else:
            wait = backoff_seconds(
                attempts, base=settings.webhook_backoff_seconds, cap=settings.webhook_backoff_max_seconds
            )
            status, next_at = PENDING, now + timedelta(seconds=wait)
            log.info("webhook %s: event %s failed (%s), retry in %.0fs", name, event.position, result.error, wait)
        outcomes[event.position] = _Outcome(event.position, event.business_key, status, attempts, next_at, result.error)
        if result.unreachable:
            break  # the endpoint is down: later events would fail the same way

    with ctx.uow() as uow:
        session = uow.session
        stamp = ctx.clock.now()
        for outcome in outcomes.values():
            row = repo.delivery(session, subscription_id, outcome.position)
            if row is None:
                row = WebhookDelivery(subscription_id=subscription_id, position=outcome.position)
                session.add(row)
            row.business_key, row.status, row.attempts = outcome.business_key, outcome.status, outcome.attempts
            row.next_attempt_at, row.last_error, row.updated_at = outcome.next_attempt_at, outcome.error, stamp
        advanced = _advance(watermark, scanned_to, fresh, states, outcomes)
        cursor = repo.cursor(session, webhook_cursor_name(name), stamp, for_update=True)
        if cursor.lease_owner == owner:
            cursor.position = max(cursor.position, advanced)
            cursor.lease_owner, cursor.lease_until, cursor.updated_at = None, None, stamp
            session.flush()
            repo.forget_delivered(session, subscription_id, cursor.position)
        uow.commit()
    if counts["delivered"]:
        log.info("webhook %s: %s events delivered", name, counts["delivered"])
    return counts, last_error


def _advance(
    watermark: int,
    scanned_to: int | None,
    fresh: list[OutboxEvent],
    states: dict[int, WebhookDelivery],
    outcomes: dict[int, _Outcome],
) -> int:
    """Return the new cursor: past every event that is delivered or dead, up to the first one that is not."""
    for event in fresh:
        assert event.position is not None
        outcome = outcomes.get(event.position)
        state = states.get(event.position)
        status = outcome.status if outcome is not None else (state.status if state is not None else PENDING)
        if status == PENDING:
            return watermark
        watermark = event.position
    return max(watermark, scanned_to or 0)


def _request(name: str, event: OutboxEvent, secret: bytes, now: datetime) -> tuple[bytes, dict[str, str]]:
    """Return the signed body and headers of one event's POST."""
    body = json.dumps(
        {"subscription": name, "event": event_read(event).model_dump(mode="json")},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode("utf-8")
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "cbec-webhook/1",
        "X-Cbec-Subscription": name,
        "X-Cbec-Event": str(event.position),
        "X-Cbec-Business-Key": urllib.parse.quote(event.business_key, safe="/:"),
        "X-Cbec-Timestamp": timestamp,
        "X-Cbec-Signature": signature_header(secret, timestamp, body),
    }
    return body, headers
