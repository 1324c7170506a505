"""tok01: every revision token exists after the upgrade, so caches work before the first write; downgrade removes
only the seeded values."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from tests.integration.storage.test_revision_triggers import TOKENS
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test


def tokens(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {name: token for name, token in connection.execute(text("SELECT name, token FROM data_revision"))}
    finally:
        engine.dispose()


def test_every_token_is_seeded_and_a_write_replaces_it(scratch_url: str) -> None:
    upgrade(scratch_url, "head")
    seeded = tokens(scratch_url)
    assert set(seeded) >= TOKENS
    assert seeded["account"] == "tok01" and seeded["supervision"] in {"tok01", "sup01"}
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tenant (path, name, kind, parent_id, created_at) VALUES ('hub/t1', 'T', 'city', NULL, :at)"
            ),
            {"at": "2026-03-02 10:00:00+00:00"},
        )
    engine.dispose()
    assert tokens(scratch_url)["account"] not in {"tok01", "sup01"}
    command.downgrade(alembic_config(scratch_url), "sup01")
    assert "account" in tokens(scratch_url)  # a real token stays; only seeded values go
