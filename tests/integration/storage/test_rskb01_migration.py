"""rskb01: unit-value bands keyed by HS6, origin and brand. A stored HS6 band keeps its values under its HS6 as key;
the downgrade keeps the HS6 bands and drops the finer ones."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test


def _run(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.begin() as conn:
        result = conn.execute(text(sql))
        rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


def test_hs6_bands_carry_over_and_the_downgrade_keeps_only_them(scratch_url: str) -> None:
    upgrade(scratch_url, "fctw01")
    _run(
        scratch_url,
        "INSERT INTO risk_band (hs6, lines, median, mad, computed_at)"
        " VALUES ('190110', 40, 298, 14.9, '2026-03-02 00:00:00')",
    )
    upgrade(scratch_url, "rskb01")
    assert _run(scratch_url, "SELECT key, hs6, lines FROM risk_band") == [("190110", "190110", 40)]
    _run(
        scratch_url,
        "INSERT INTO risk_band (key, hs6, lines, median, mad, computed_at)"
        " VALUES ('190110|116', '190110', 25, 310, 12, '2026-03-02 00:00:00')",
    )
    command.downgrade(alembic_config(scratch_url), "fctw01")
    assert _run(scratch_url, "SELECT hs6, lines FROM risk_band") == [("190110", 40)]
