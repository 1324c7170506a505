"""A pooled PostgreSQL connection is pinged only after idling (cbec.storage.engine), and a dead one is replaced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from cbec.storage.context import Context
from cbec.storage.engine import make_engine


def _engine(ctx: Context, seconds: float) -> Any:
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("the idle ping is PostgreSQL's (SQLite has no server connection to lose)")
    return make_engine(ctx.engine.url.render_as_string(hide_password=False), idle_ping_seconds=seconds, pool_size=1)


def _pings(engine: Any) -> list[str]:
    seen: list[str] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        seen.append("ping")
        return bool(ping(dbapi_connection))

    engine.dialect.do_ping = counted
    return seen


def test_a_connection_used_a_moment_ago_is_not_pinged(ctx: Context) -> None:
    engine = _engine(ctx, 60.0)
    pings = _pings(engine)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []
    engine.dispose()


def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(ctx: Context) -> None:
    engine = _engine(ctx, 0.0)
    pings = _pings(engine)
    connects: list[int] = []
    event.listen(engine, "connect", lambda dbapi, _record: connects.append(dbapi.info.backend_pid))
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with ctx.engine.connect() as admin:  # the server ends the pooled connection while it idles
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar() is True
    with engine.connect() as conn:  # pinged, found dead, replaced: the caller never sees the dead one
        second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    assert second != first
    assert connects == [first, second]
    assert pings == ["ping"]  # the dead connection's failed ping; a connection just made is not pinged
    engine.dispose()
