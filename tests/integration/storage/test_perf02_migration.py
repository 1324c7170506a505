"""Migration perf02: product and account tokens come with their triggers, and go with them on downgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from cbec.storage.migrate import alembic_config, upgrade

INSERT_KEY = (
    "INSERT INTO api_key (account_id, label, prefix, key_hash, created_by, created_at, expires_at) "
    "VALUES (1, 'k', 'cbec_x', :hash, 't', '2026-01-01', '2027-01-01')"
)


def test_tokens_of_products_and_accounts_change_with_their_tables_and_go_on_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "head")
    engine = create_engine(url)

    def token(name: str) -> str | None:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT token FROM data_revision WHERE name = :n"), {"n": name})

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO account (username, display_name, role, tenant, active, created_at, updated_at) "
                "VALUES ('a', 'a', 'zone_admin', 'hub', 1, '2026-01-01', '2026-01-01')"
            )
        )
        conn.execute(text(INSERT_KEY), {"hash": "h1"})
    first = token("account")
    assert first is not None and token("product") == "tok01"  # seeded by tok01, not written yet
    with engine.begin() as conn:
        conn.execute(text("UPDATE api_key SET last_used_at = '2026-02-01'"))  # not a change of who it is
        conn.execute(text("UPDATE account SET last_login_at = '2026-02-01'"))
    assert token("account") == first
    with engine.begin() as conn:
        conn.execute(text("UPDATE api_key SET revoked_at = '2026-02-01'"))
    assert token("account") not in (None, first)
    command.downgrade(alembic_config(url), "perf01")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM data_revision WHERE name = 'account'")) == 0
        triggers = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'api_key%'"))
        assert list(triggers) == []
    upgrade(url, "head")
    with engine.begin() as conn:
        conn.execute(text(INSERT_KEY), {"hash": "h2"})
    assert token("account") is not None
    engine.dispose()
