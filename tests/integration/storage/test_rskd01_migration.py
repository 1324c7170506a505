"""rskd01: a decision stage (``entry`` for every decision made before) with the unique key (eport_no, stage), and
the tables risk_signing and risk_sweep. An entry decision stored before the upgrade keeps its values; a delivery
decision of the same inventory may then be stored beside it, a second of the same stage may not; the downgrade
removes the delivery decisions (and their alerts) and the new tables, and keeps the entry decision."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

COLUMNS = (
    "eport_no, order_no, parties, business_day, ruleset_version, ruleset_sha256, score, band, expected_revenue,"
    " subjects, trace, event_position, decided_at"
)
VALUES = "'B20260302000000001', 'ORD1', '[]', '2026-03-02', '2026.5', 'x', {score}, 'none', 0, '{{}}', '{{}}', 7,"
NOW = "'2026-03-02 02:00:00+00'"


def _insert(url: str, score: int, stage: str | None = None) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            names = COLUMNS + (", stage" if stage else "")
            values = VALUES.format(score=score) + NOW + (f", '{stage}'" if stage else "")
            conn.execute(text(f"INSERT INTO risk_decision ({names}) VALUES ({values})"))
    finally:
        engine.dispose()


def _state(url: str) -> tuple[set[str], list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        columns = {c["name"] for c in inspect(engine).get_columns("risk_decision")}
        chosen = "eport_no, score" + (", stage" if "stage" in columns else "")
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(f"SELECT {chosen} FROM risk_decision ORDER BY id"))]
        return tables, rows
    finally:
        engine.dispose()


def test_entry_decisions_keep_their_rows_and_a_delivery_decision_may_stand_beside_one(scratch_url: str) -> None:
    upgrade(scratch_url, "entk01")
    _insert(scratch_url, 40)
    upgrade(scratch_url, "rskd01")
    tables, rows = _state(scratch_url)
    assert {"risk_signing", "risk_sweep"} <= tables
    assert rows == [("B20260302000000001", 40, "entry")]
    _insert(scratch_url, 70, "delivery")
    with pytest.raises(IntegrityError):
        _insert(scratch_url, 10, "delivery")  # once per inventory and stage
    assert _state(scratch_url)[1] == [("B20260302000000001", 40, "entry"), ("B20260302000000001", 70, "delivery")]
    command.downgrade(alembic_config(scratch_url), "entk01")
    tables, rows = _state(scratch_url)
    assert not {"risk_signing", "risk_sweep"} & tables
    assert rows == [("B20260302000000001", 40)]
    with pytest.raises(IntegrityError):
        _insert(scratch_url, 10)  # eport_no is unique again
