"""Webhook targets are checked when a subscription is made and again before every delivery pass (DNS may change)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from tests.builders import PARTIES, a_set
from tests.zone import Zone

import cbec.sharing.targets as targets
from cbec.sharing.delivery import PostResult, deliver_webhooks
from cbec.sharing.errors import SubscriptionInvalid
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import create_subscription, dead_letters

PUBLIC = "93.184.216.34"


def fixed(*addresses: str):  # type: ignore[no-untyped-def]
    def resolve(_host: str, _port: int) -> Sequence[str]:
        return addresses

    return resolve


def subscribe(zone: Zone, url: str) -> None:
    create_subscription(
        zone.ctx,
        SubscriptionCreate(name="customs-push", subscriber_kind="agency", subscriber_code="customs", webhook_url=url),
    )


def test_a_subscription_to_an_internal_address_is_refused(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets, "system_resolver", fixed("169.254.169.254"))
    with pytest.raises(SubscriptionInvalid) as refused:
        subscribe(zone, "http://metadata.example.com/latest")
    assert [(p.rule_id, p.field, p.message) for p in refused.value.problems] == [
        (
            "FEED-WEBHOOK-TARGET",
            "webhook_url",
            "推送地址不允许：metadata.example.com 解析到内网或保留地址 169.254.169.254 / webhook target not allowed:"
            " metadata.example.com resolves to non-public address 169.254.169.254",
        )
    ]
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"webhook_allow": ["169.254.0.0/16"]})
    subscribe(zone, "http://metadata.example.com/latest")  # the operator allowed that network


def test_delivery_checks_the_target_again_and_never_posts_to_a_rebound_name(
    zone: Zone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(targets, "system_resolver", fixed(PUBLIC))
    subscribe(zone, "https://hooks.example.com/in")
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"webhook_max_attempts": 1})
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    posted: list[str] = []

    def transport(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
        posted.append(url)
        return PostResult(True, 200)

    report = deliver_webhooks(zone.ctx, transport=transport, resolver=fixed("127.0.0.1"))
    assert (report.delivered, report.failed, report.dead, posted) == (0, 1, 1, [])
    [dead] = dead_letters(zone.ctx, "customs-push")
    assert dead.last_error == (
        "target refused: 推送地址不允许：hooks.example.com 解析到内网或保留地址 127.0.0.1 / webhook target not allowed:"
        " hooks.example.com resolves to non-public address 127.0.0.1"
    )


def test_delivery_to_a_public_target_goes_through(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets, "system_resolver", fixed(PUBLIC))
    subscribe(zone, "https://hooks.example.com/in")
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    posted: list[str] = []

    def transport(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
        posted.append(url)
        return PostResult(True, 200)

    report = deliver_webhooks(zone.ctx, transport=transport, resolver=fixed(PUBLIC))
    assert (report.delivered, report.failed) == (len(posted), 0)
    assert set(posted) == {"https://hooks.example.com/in"} and posted
