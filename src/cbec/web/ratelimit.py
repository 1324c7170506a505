"""Rate limits (访问频率限制) of the quota look-ups: sliding windows of request times per key.

Keys are client addresses (``ip:…``) and accounts (``account:…``). With ``CBEC_REDIS_URL`` the windows live in
Redis, so every worker process of ``cbec serve --workers N`` counts against the same limit; without it (or
while Redis is unreachable: a warning is logged, no request fails) each process counts alone in memory.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cbec.config import Settings

log = logging.getLogger(__name__)

# Atomic sliding window on a sorted set, timed by the Redis server's clock (the workers' clocks may differ):
# returns 0 when the request is counted, else the whole seconds until the oldest counted request leaves.
_SLIDING_WINDOW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.floor(tonumber(oldest[2]) + window - t) + 1)
end
redis.call('ZADD', KEYS[1], t, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return 0
"""


class Limiter(Protocol):
    """Counts requests per key; ``hit`` answers 0 when allowed, else the seconds to wait."""

    def hit(self, key: str) -> int: ...

    def reset(self) -> None: ...


class RateLimiter:
    """Allows at most ``limit`` requests per ``window`` seconds for each key, in this process."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a request for a key; tell whether it is within the limit."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget(now)
            return True

    def retry_after(self, key: str) -> int:
        """Return the seconds until a key may try again."""
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return 0
            return max(1, int(self.window - (self.clock() - hits[0])) + 1)

    def hit(self, key: str) -> int:
        """Count a request; return 0 when it is allowed, else the seconds until the key may try again."""
        return 0 if self.allow(key) else self.retry_after(key)

    def reset(self) -> None:
        """Forget every request (tests)."""
        with self._lock:
            self._hits.clear()

    def _forget(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= self.window]:
            del self._hits[key]


class RedisRateLimiter:
    """The same sliding window kept in Redis (shared by every worker); raises redis errors to its caller."""

    def __init__(self, client: Any, name: str, limit: int, window: float = 60.0) -> None:
        self.client, self.name, self.limit, self.window = client, name, limit, window
        self._script = client.register_script(_SLIDING_WINDOW)

    def hit(self, key: str) -> int:
        """Count a request in Redis; return 0 when allowed, else the seconds to wait."""
        member = uuid.uuid4().hex
        return int(self._script(keys=[f"cbec:rate:{self.name}:{key}"], args=[self.window, self.limit, member]))

    def reset(self) -> None:
        """Forget every request of this limiter (tests)."""
        for found in self.client.scan_iter(match=f"cbec:rate:{self.name}:*"):
            self.client.delete(found)


class SharedRateLimiter:
    """Redis when configured and reachable, else the in-process window; a Redis failure never fails a request."""

    def __init__(self, local: RateLimiter, shared: RedisRateLimiter | None = None, *, pause: float = 30.0) -> None:
        self.local, self.shared, self.pause = local, shared, pause
        self._down_until = 0.0

    @property
    def backend(self) -> str:
        """Name the store counting right now: redis or memory."""
        return "redis" if self.shared is not None and time.monotonic() >= self._down_until else "memory"

    def hit(self, key: str) -> int:
        """Count a request; 0 when allowed, else the seconds until the key may try again."""
        if self.shared is not None and time.monotonic() >= self._down_until:
            try:
                return self.shared.hit(key)
            except Exception as exc:  # redis.RedisError, OSError …: degrade, never fail the request
                self._down_until = time.monotonic() + self.pause
                log.warning(
                    "rate limit %s: Redis unavailable (%s); counting in this process for %.0fs",
                    self.shared.name,
                    exc,
                    self.pause,
                )
        return self.local.hit(key)

    def reset(self) -> None:
        """Forget every request (tests)."""
        self.local.reset()
        if self.shared is not None:
            try:
                self.shared.reset()
            except Exception as exc:  # same degradation as hit()
                log.warning("rate limit %s: Redis unavailable on reset (%s)", self.shared.name, exc)


@dataclass(frozen=True, slots=True)
class Limits:
    """The limiters of one application: the quota API and the public quota page."""

    quota_api: SharedRateLimiter
    quota_page: SharedRateLimiter


def redis_client(url: str) -> Any:
    """Return a Redis client with short timeouts (a slow Redis must not hold requests)."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5, health_check_interval=30)


def build_limits(settings: Settings, client: Any | None = None) -> Limits:
    """Build the limiters from the settings: Redis-backed when ``redis_url`` (or a client) is given."""
    if client is None and settings.redis_url:
        client = redis_client(settings.redis_url)

    def limiter(name: str, limit: int) -> SharedRateLimiter:
        shared = RedisRateLimiter(client, name, limit, 60.0) if client is not None else None
        return SharedRateLimiter(RateLimiter(limit, 60.0), shared)

    return Limits(
        quota_api=limiter("quota-api", settings.quota_api_per_minute),
        quota_page=limiter("quota-page", settings.quota_page_per_minute),
    )


def check_keys(limiter: Limiter, keys: list[str]) -> int:
    """Count a request under every key in turn; return the first refusal's wait (0 when every key allows it)."""
    for key in keys:
        wait = limiter.hit(key)
        if wait:
            return wait
    return 0


def limits_of(app: Any) -> Limits:
    """Return an application's limiters, built from its context's settings on first use."""
    limits = getattr(app.state, "limits", None)
    if not isinstance(limits, Limits):
        limits = build_limits(app.state.ctx.settings)
        app.state.limits = limits
    return limits
