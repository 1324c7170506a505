"""Rate limits shared by the workers through Redis, and the in-process fallback when Redis is away."""

from __future__ import annotations

import logging
import uuid

import pytest

from cbec.config import Settings
from cbec.web.ratelimit import RateLimiter, RedisRateLimiter, SharedRateLimiter, build_limits, check_keys


def redis_or_skip():  # type: ignore[no-untyped-def]
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379: {exc}")
    return client


def test_the_in_process_window_answers_the_wait() -> None:
    now = [100.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert [limiter.hit("a"), limiter.hit("a"), limiter.hit("a"), limiter.hit("b")] == [0, 0, 61, 0]
    now[0] = 159.5
    assert limiter.hit("a") == 1
    now[0] = 160.0
    assert limiter.hit("a") == 0


def test_every_key_must_allow_the_request() -> None:
    limiter = RateLimiter(1, 60.0, clock=lambda: 0.0)
    assert check_keys(limiter, ["ip:1", "account:7"]) == 0
    assert check_keys(limiter, ["ip:2", "account:7"]) == 61  # a new address, the same account
    assert check_keys(limiter, ["ip:1", "account:8"]) == 61  # the same address, another account


def test_two_workers_share_one_window_in_redis() -> None:
    client = redis_or_skip()
    name = f"test-{uuid.uuid4().hex[:8]}"
    first = SharedRateLimiter(RateLimiter(3), RedisRateLimiter(client, name, 3, 60.0))
    second = SharedRateLimiter(RateLimiter(3), RedisRateLimiter(client, name, 3, 60.0))
    try:
        answers = [first.hit("ip:1"), second.hit("ip:1"), first.hit("ip:1"), second.hit("ip:1")]
        assert answers[:3] == [0, 0, 0]
        assert 59 <= answers[3] <= 61
        assert (first.backend, second.backend) == ("redis", "redis")
        assert second.hit("ip:2") == 0
    finally:
        first.reset()
    assert first.hit("ip:1") == 0


def test_an_unreachable_redis_falls_back_to_memory_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("redis", reason="the redis package is not installed")
    settings = Settings(redis_url="redis://127.0.0.1:1/0", quota_api_per_minute=2)
    limits = build_limits(settings)
    with caplog.at_level(logging.WARNING, logger="cbec.web.ratelimit"):
        answers = [limits.quota_api.hit("ip:1") for _ in range(3)]
    assert answers[:2] == [0, 0] and 59 <= answers[2] <= 61
    assert limits.quota_api.backend == "memory"
    [record] = [r for r in caplog.records if r.name == "cbec.web.ratelimit"]
    assert record.getMessage().startswith("rate limit quota-api: Redis unavailable (")
    assert record.getMessage().endswith("); counting in this process for 30s")


def test_without_a_redis_url_each_process_counts_alone() -> None:
    limits = build_limits(Settings(redis_url="", quota_page_per_minute=1))
    assert (limits.quota_page.backend, limits.quota_page.hit("ip:1")) == ("memory", 0)
    assert 59 <= limits.quota_page.hit("ip:1") <= 61
