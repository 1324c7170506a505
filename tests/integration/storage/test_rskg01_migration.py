"""rskg01: risk_decision.trace becomes jsonb on PostgreSQL (SQLite unchanged). A trace stored as json before the
upgrade reads back equal after it — its numbers are decimal strings (inputs, values, bands) or integers (weights,
scores), so jsonb's normalisation of numbers and key order changes nothing — and replays to its stored score; the
downgrade turns the column back into json."""

from __future__ import annotations

import json
from decimal import Decimal

from alembic import command
from sqlalchemy import text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.risk.rules import evaluate, replay, shipped_ruleset
from cbec.risk.service import trace_of
from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

INPUTS = {
    "buyer.value.1d": Decimal("5000.01"),
    "buyer.inventories.1d": Decimal("2"),
    "doc.robust_z_min": Decimal("-3.5001"),
    "doc.value_ratio_min": Decimal("0.4999"),
    "doc.value_cny": Decimal("1000.00"),
    "phone.buyers.30d": Decimal("10"),
    "doc.payer_differs": Decimal("0"),
}


def _column_type(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "postgresql":
                return "sqlite"
            return str(
                conn.execute(
                    text(
                        "SELECT data_type FROM information_schema.columns "
                        "WHERE table_name = 'risk_decision' AND column_name = 'trace'"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_stored_trace_reads_back_equal_and_replays_after_the_upgrade(scratch_url: str) -> None:
    upgrade(scratch_url, "crde01")
    ruleset = shipped_ruleset()
    assessment = evaluate(ruleset, INPUTS)
    trace = trace_of(assessment, ruleset)
    trace["ml"] = {"digest": "ab" * 32, "points": 7, "anomaly": "0.675000", "deviations": [["doc.lines", "3", "2.00"]]}
    stored = json.dumps(trace)
    engine = make_engine(scratch_url)
    cast = "CAST(:trace AS json)" if engine.dialect.name == "postgresql" else ":trace"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO risk_decision (eport_no, order_no, tenant, parties, business_day, ruleset_version,"
                " ruleset_sha256, score, band, expected_revenue, subjects, trace, event_position, decided_at)"
                f" VALUES ('E1', 'O1', 'hub', '[]', '2026-03-02', :v, :s, :score, :band, 0, '{{}}', {cast}, 1,"
                " '2026-03-02 10:00:00+00:00')"
            ),
            {
                "v": ruleset.version,
                "s": ruleset.sha256,
                "score": assessment.score + 7,
                "band": assessment.band.value,
                "trace": stored,
            },
        )
    engine.dispose()
    before = _column_type(scratch_url)
    upgrade(scratch_url, "head")
    after = _column_type(scratch_url)
    assert (before, after) in {("json", "jsonb"), ("sqlite", "sqlite")}
    engine = make_engine(scratch_url)
    with engine.connect() as conn:
        read, score = conn.execute(text("SELECT trace, score FROM risk_decision")).one()
    engine.dispose()
    read = read if isinstance(read, dict) else json.loads(read)
    assert read == json.loads(stored)  # every value as stored: decimal strings stay strings, integers integers
    assert replay(ruleset, read["inputs"]).score + read["ml"]["points"] == score
    assert [(t["typology"], t["score"], t["band"]) for t in read["typologies"]] == [
        (s.typology.value, s.score, s.band.value) for s in assessment.scores
    ]
    command.downgrade(alembic_config(scratch_url), "crde01")
    assert _column_type(scratch_url) in {"json", "sqlite"}
