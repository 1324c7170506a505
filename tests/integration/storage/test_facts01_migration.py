"""Migration facts01: the trade fact table and the export_rate revision token come and go with it.

Runs on SQLite, and on PostgreSQL (a database of its own) when CBEC_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from tests.conftest import _fresh_postgres, _pg

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: SQLite, or a fresh PostgreSQL database in a PostgreSQL run."""
    base = os.environ.get("CBEC_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    url, name = _fresh_postgres(base)
    try:
        yield url
    finally:
        admin = create_engine(_pg(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


RELEASED, UNIQUE = "ix_trade_fact_released", "uq_trade_fact_direction_eport_no_line_no"
RATE = text(
    "INSERT INTO export_rate (kind, key, value, extra, note, source, valid_from) "
    "VALUES ('exchange', '502', 7.1, '1', NULL, 'test', '2026-02-18')"
)


def _state(url: str) -> tuple[bool, list[str], str | None]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        tables = set(found.get_table_names())
        indexes = []
        if "trade_fact" in tables:  # PostgreSQL also lists the unique constraint's index: named ones only
            indexes = sorted(
                i["name"] or "" for i in found.get_indexes("trade_fact") if (i["name"] or "").startswith("ix_")
            )
            indexes += sorted(u["name"] or "" for u in found.get_unique_constraints("trade_fact"))
        with engine.connect() as conn:
            token = conn.execute(text("SELECT token FROM data_revision WHERE name = 'export_rate'")).scalar()
        return "trade_fact" in tables, indexes, token
    finally:
        engine.dispose()


def test_facts01_makes_the_table_and_the_rate_token_and_downgrade_removes_them(scratch_url: str) -> None:
    upgrade(scratch_url, "trust02")
    assert _state(scratch_url) == (False, [], None)
    upgrade(scratch_url, "facts01")
    present, indexes, first = _state(scratch_url)
    assert (present, indexes, first is not None) == (True, [RELEASED, UNIQUE], True)
    engine = make_engine(scratch_url)
    with engine.begin() as conn:  # a write to the rates gives the token a new value (the triggers)
        conn.execute(RATE)
    engine.dispose()
    assert _state(scratch_url)[2] not in (None, first)
    command.downgrade(alembic_config(scratch_url), "trust02")
    assert _state(scratch_url) == (False, [], None)
    engine = make_engine(scratch_url)
    with engine.begin() as conn:  # the triggers are gone with it
        conn.execute(text("DELETE FROM export_rate"))
        conn.execute(RATE)
    engine.dispose()
    assert _state(scratch_url) == (False, [], None)
    upgrade(scratch_url, "facts01")
    assert _state(scratch_url)[:2] == (True, [RELEASED, UNIQUE])
