"""Where webhooks may go (推送目标): public addresses, or the zone's intranet named in ``CBEC_WEBHOOK_ALLOW``.

A webhook URL is a request the platform makes on a subscriber's behalf, so a URL naming loopback, a private or
link-local network (the cloud metadata service at 169.254.169.254), multicast or a reserved range would let
whoever manages subscriptions probe the zone's own network (SSRF). The host is resolved and *every* address it
resolves to must be public or inside an allowed network; IPv4-mapped, 6to4 and Teredo IPv6 addresses are
judged by the IPv4 address they carry. The check runs when a subscription is made (problem
``FEED-WEBHOOK-TARGET``) and again before each delivery pass — DNS may have changed — and the delivery then
connects to the very addresses that were checked, so a second lookup cannot swap them.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from cbec.common.errors import InvalidInput, Problem

RULE_TARGET = "FEED-WEBHOOK-TARGET"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses it resolves to (strings); raises OSError when it does not resolve.
Resolver = Callable[[str, int], Sequence[str]]


class WebhookTargetRefused(InvalidInput):
    """The webhook URL names a host the platform must not call."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked webhook target: the URL's host and port and the addresses to connect to."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host name with the system resolver (every address family)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _carried_ipv4(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def is_public(address: IPAddress) -> bool:
    """Tell whether an address is a public unicast address (not loopback, private, link-local, multicast …)."""
    inner = _carried_ipv4(address)
    for candidate in {address, inner}:
        if (
            candidate.is_loopback
            or candidate.is_private
            or candidate.is_link_local
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
            or not candidate.is_global
        ):
            return False
    return True


def parse_allow(entries: Sequence[str]) -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    """Split the allow-list into networks (CIDRs or single addresses) and host names (lower case)."""
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return tuple(networks), frozenset(hosts)


def _refused(url: str, zh: str, en: str) -> WebhookTargetRefused:
    problem = Problem(
        RULE_TARGET,
        "webhook_url",
        f"推送地址不允许：{zh} / webhook target not allowed: {en}",
        "使用公网地址；内网接收方须由运维列入 CBEC_WEBHOOK_ALLOW / use a public address; an intranet receiver must"
        " be listed in CBEC_WEBHOOK_ALLOW by the operator",
    )
    return WebhookTargetRefused(f"webhook target {url!r} not allowed: {en}", problems=[problem])


def vet_target(url: str, allow: Sequence[str] = (), resolver: Resolver | None = None) -> Target:
    """Return the checked target of a webhook URL; raise WebhookTargetRefused when it must not be called."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _refused(url, "URL 无法解析", "the URL cannot be parsed") from None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        raise _refused(url, "须为带主机名的 http(s) URL", "it must be an http(s) URL with a host")
    networks, hosts = parse_allow(allow)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            found = list((resolver or system_resolver)(host, port))
        except (OSError, UnicodeError) as exc:
            raise _refused(url, f"主机名 {host} 无法解析", f"{host} does not resolve ({exc})") from None
        if not found:
            raise _refused(url, f"主机名 {host} 无法解析", f"{host} does not resolve")
    if host in hosts:
        return Target(url, host, port, tuple(found))
    for text in found:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            raise _refused(url, f"{host} 解析为无效地址", f"{host} resolves to {text!r}") from None
        if is_public(address) or any(a in n for n in networks for a in {address, _carried_ipv4(address)}):
            continue
        raise _refused(
            url, f"{host} 解析到内网或保留地址 {address}", f"{host} resolves to non-public address {address}"
        )
    return Target(url, host, port, tuple(found))
