"""`cbec serve` warns about database settings that work against cbec (PostgreSQL only)."""

from __future__ import annotations

from sqlalchemy import text

from cbec.storage.context import Context
from cbec.storage.engine import make_engine, server_warnings


def test_settings_that_lose_commits_or_statistics_are_named(ctx: Context) -> None:
    if ctx.engine.dialect.name != "postgresql":
        assert server_warnings(ctx.engine) == []
        return
    url = ctx.engine.url.render_as_string(hide_password=False)
    risky = make_engine(url, connect_args={"options": "-c synchronous_commit=off"})
    try:
        with risky.connect() as conn:
            autovacuum = conn.execute(text("SHOW autovacuum")).scalar_one()
        warnings = server_warnings(risky)
    finally:
        risky.dispose()
    assert [w.split(":")[0] for w in warnings] == (["PostgreSQL autovacuum is off"] if autovacuum == "off" else []) + [
        "PostgreSQL synchronous_commit is off"
    ]
    assert "synchronous_commit is off" not in " ".join(server_warnings(ctx.engine))
