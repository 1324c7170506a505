"""entk01: the enterprise's contact phone key, empty for enterprises filed before (``cbec enterprises
fill-contact-keys`` writes it); the downgrade drops the column and keeps the enterprise."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test


def _state(url: str) -> tuple[bool, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        has = "contact_phone_key" in {c["name"] for c in inspect(engine).get_columns("enterprise")}
        chosen = "customs_code, contact_phone_key" if has else "customs_code"
        with engine.connect() as conn:
            return has, [tuple(r) for r in conn.execute(text(f"SELECT {chosen} FROM enterprise"))]
    finally:
        engine.dispose()


def test_the_key_starts_empty_and_the_downgrade_keeps_the_enterprise(scratch_url: str) -> None:
    upgrade(scratch_url, "rskb01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise (uscc, customs_code, name, zone, status, filed_at, updated_at) VALUES"
                " ('91460100MA5T000001', '4601960002', '海口全球购', 'hub', 'approved',"
                " '2026-03-02 00:00:00', '2026-03-02 00:00:00')"
            )
        )
    engine.dispose()
    upgrade(scratch_url, "entk01")
    assert _state(scratch_url) == (True, [("4601960002", None)])
    command.downgrade(alembic_config(scratch_url), "rskb01")
    assert _state(scratch_url) == (False, [("4601960002",)])
