"""Webhook targets: public addresses only, unless the zone's allow-list names the network or host (no real DNS)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cbec.sharing.targets import Target, WebhookTargetRefused, vet_target


def resolver(table: dict[str, Sequence[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in table:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return table[host]

    return resolve


DNS = resolver(
    {
        "hooks.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "sneaky.example.com": ["93.184.216.34", "10.0.0.7"],
        "intranet.zone.local": ["10.20.3.4"],
    }
)


def refusal(url: str, allow: Sequence[str] = ()) -> str:
    with pytest.raises(WebhookTargetRefused) as refused:
        vet_target(url, allow, DNS)
    [problem] = refused.value.problems
    assert (problem.rule_id, problem.field) == ("FEED-WEBHOOK-TARGET", "webhook_url")
    assert problem.hint.endswith("must be listed in CBEC_WEBHOOK_ALLOW by the operator")
    return problem.message


def test_a_public_host_is_a_target_with_every_address() -> None:
    assert vet_target("https://hooks.example.com/in?x=1", (), DNS) == Target(
        "https://hooks.example.com/in?x=1",
        "hooks.example.com",
        443,
        ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
    )


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1"),
        ("http://localhost.:8080/", None),
        ("http://10.1.2.3/", "10.1.2.3"),
        ("http://172.16.0.1/", "172.16.0.1"),
        ("http://192.168.1.1/", "192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://224.0.0.1/", "224.0.0.1"),
        ("http://240.0.0.1/", "240.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://[fe80::1]/", "fe80::1"),
        ("http://[fc00::1]/", "fc00::1"),
        ("http://[ff02::1]/", "ff02::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe"),
        ("http://[2002:a00:1::]/", "2002:a00:1::"),
    ],
)
def test_loopback_private_link_local_multicast_and_reserved_addresses_are_refused(
    url: str, address: str | None
) -> None:
    message = refusal(url)
    if address is None:
        assert message == (
            "推送地址不允许：主机名 localhost 无法解析 / webhook target not allowed: localhost does not resolve"
            " ([Errno -2] Name or service not known: localhost)"
        )
    else:
        assert message.endswith(f"resolves to non-public address {address}")


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    assert refusal("https://sneaky.example.com/").endswith("sneaky.example.com resolves to non-public address 10.0.0.7")


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/", "https:///path", "http://[::1/"])
def test_urls_without_an_http_host_are_refused(url: str) -> None:
    assert refusal(url).startswith("推送地址不允许：")


def test_the_allow_list_admits_intranet_networks_and_hosts() -> None:
    assert vet_target("http://intranet.zone.local:9000/h", ["10.20.0.0/16"], DNS).addresses == ("10.20.3.4",)
    assert vet_target("http://intranet.zone.local/h", ["intranet.zone.local"], DNS).port == 80
    assert vet_target("http://[::ffff:10.20.0.9]/", ["10.20.0.0/16"], DNS).addresses == ("::ffff:a14:9",)
    assert vet_target("http://127.0.0.1:8000/", ["127.0.0.1"], DNS).addresses == ("127.0.0.1",)
    assert refusal("http://intranet.zone.local/h", ["10.21.0.0/16"]).endswith("non-public address 10.20.3.4")
