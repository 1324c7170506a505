"""Webhooks: a receiver that is down for a while gets every event once it is back, in order per business key."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.builders import PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.sharing.delivery import deliver_webhooks
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import create_subscription, dead_letters, read_feed, replay_webhook


class Receiver:
    """A local HTTP endpoint that records what it was sent; ``failing`` positions answer 500."""

    def __init__(self, port: int, secret: str) -> None:
        self.port, self.secret = port, secret.encode()
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.failing: set[int] = set()
        self.server: ThreadingHTTPServer | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Cbec-Timestamp"]
                expected = hmac.new(receiver.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                if self.headers["X-Cbec-Signature"] != f"sha256={expected}":
                    receiver.bad_signatures += 1
                event = json.loads(body)["event"]
                assert int(self.headers["X-Cbec-Event"]) == event["position"]
                if event["position"] in receiver.failing:
                    self.send_response(500)
                else:
                    receiver.received.append(event)
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    @contextmanager
    def up(self) -> Iterator[Receiver]:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def release(zone: Zone, order_no: str) -> None:
    s = a_set(order_no, items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)


def webhook(zone: Zone, port: int, **fields: object) -> str:
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={
            "webhook_backoff_seconds": 2.0,
            "webhook_backoff_max_seconds": 30.0,
            "webhook_max_attempts": 50,
            "webhook_allow": ["127.0.0.1/32"],  # the receiver runs on loopback, refused unless allowed
        }
    )
    created = create_subscription(
        zone.ctx,
        SubscriptionCreate(
            name="customs-push",
            subscriber_kind="agency",
            subscriber_code="customs",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            **fields,  # type: ignore[arg-type]
        ),
    )
    assert created.webhook_secret
    return created.webhook_secret


def drain(zone: Zone, *, passes: int = 60) -> None:
    """Run delivery passes, moving the clock past every back-off, until two passes in a row do nothing."""
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    idle = 0
    for _ in range(passes):
        report = deliver_webhooks(zone.ctx)
        idle = 0 if (report.delivered or report.failed) else idle + 1
        if idle == 2:
            return
        clock.advance(timedelta(seconds=31))
    raise AssertionError("delivery did not settle")


def expected_positions(zone: Zone, name: str) -> list[int]:
    return [e.position for e in read_feed(zone.ctx, name, after=0, limit=1000).events]


def assert_in_order_per_key(received: list[dict]) -> None:
    by_key: dict[str, list[int]] = {}
    for event in received:
        by_key.setdefault(event["business_key"], []).append(event["position"])
    for key, positions in by_key.items():
        first_seen = list(dict.fromkeys(positions))
        assert first_seen == sorted(first_seen), key


def test_a_receiver_down_for_a_while_gets_every_event_in_order_per_key(zone: Zone) -> None:
    port = free_port()
    secret = webhook(zone, port)
    release(zone, "ORD20260302000001")
    release(zone, "ORD20260302000002")
    receiver = Receiver(port, secret)
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    for _ in range(5):  # the receiver is down: nothing gets through, nothing is lost
        report = deliver_webhooks(zone.ctx)
        assert (report.delivered, report.failed) == (0, 1)
        clock.advance(timedelta(seconds=31))
    release(zone, "ORD20260302000003")  # events keep coming while it is down
    with receiver.up():
        drain(zone)
    wanted = expected_positions(zone, "customs-push")
    assert len(wanted) > 40
    assert sorted({e["position"] for e in receiver.received}) == wanted
    assert_in_order_per_key(receiver.received)
    assert receiver.bad_signatures == 0
    assert dead_letters(zone.ctx, "customs-push") == []


def test_a_refused_event_holds_back_only_its_own_key(zone: Zone) -> None:
    port = free_port()
    secret = webhook(zone, port, document_types=["CEB312Message", "CEB622Message"])
    release(zone, "ORD20260302000001")
    events = read_feed(zone.ctx, "customs-push", after=0).events
    order_receipt = next(e.position for e in events if e.document_type == "CEB312Message")
    first_inventory = next(e.position for e in events if e.document_type == "CEB622Message")
    receiver = Receiver(port, secret)
    receiver.failing = {first_inventory}
    with receiver.up():
        deliver_webhooks(zone.ctx)
        assert [e["position"] for e in receiver.received] == [order_receipt]  # inventory key blocked, order went
        receiver.failing = set()
        drain(zone)
    assert sorted(e["position"] for e in receiver.received) == [e.position for e in events]
    assert_in_order_per_key(receiver.received)


def test_events_refused_too_often_are_dead_lettered_and_can_be_replayed(zone: Zone) -> None:
    port = free_port()
    secret = webhook(zone, port, document_types=["CEB312Message"])
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"webhook_max_attempts": 3})
    release(zone, "ORD20260302000001")
    [event] = read_feed(zone.ctx, "customs-push", after=0).events
    receiver = Receiver(port, secret)
    receiver.failing = {event.position}
    with receiver.up():
        drain(zone)
        [dead] = dead_letters(zone.ctx, "customs-push")
        assert (dead.position, dead.attempts, dead.last_error) == (event.position, 3, "HTTP 500")
        receiver.failing = set()
        assert replay_webhook(zone.ctx, "customs-push", actor="admin", dead=True) == 1
        drain(zone)
    assert [e["position"] for e in receiver.received] == [event.position]
    assert dead_letters(zone.ctx, "customs-push") == []


def test_replay_from_a_position_delivers_again(zone: Zone) -> None:
    port = free_port()
    secret = webhook(zone, port, document_types=["CEB312Message", "CEB412Message"])
    release(zone, "ORD20260302000001")
    receiver = Receiver(port, secret)
    with receiver.up():
        drain(zone)
        first = [e["position"] for e in receiver.received]
        assert len(first) == 2
        assert replay_webhook(zone.ctx, "customs-push", actor="admin", from_position=first[0]) == 2
        drain(zone)
    assert [e["position"] for e in receiver.received] == first + first
