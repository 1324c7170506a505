"""The vectorised backtest over a columnar snapshot of the stored decisions gives the report of the row-by-row
backtest over the database (SQLite and PostgreSQL), on planted traffic: one export, then an incremental part with
the next day's decisions; the snapshot holds no subject keys; it is never overwritten and refuses an altered part."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from tests.builders import MILK, PARTIES, SERUM
from tests.integration.risk.test_risk_traffic import START, _send
from tests.integration.risk.versions.test_versions_flow import candidate_text
from tests.zone import Zone

from cbec.common.errors import DomainError
from cbec.demo.risk_traffic import RiskTraffic, plan_risk_traffic
from cbec.risk.service import apply_events
from cbec.risk.versions import draft, list_versions, run_backtest
from cbec.risk.versions.snapshot import MANIFEST, VOCABULARY, snapshot_inputs, take_snapshot

TIMING = {"seconds", "cpu_seconds", "workers"}
SCORES = {"ml_terms", "score_changed"}  # the database backtest's score figures: a snapshot holds no scores (None)


def _day(traffic: RiskTraffic, k: int) -> RiskTraffic:
    return RiskTraffic([traffic.days[k]], {}, {})


def _same(zone: Zone, folder: Path, **window: object) -> None:
    for version in ("2026.7", "2026.6"):
        database = run_backtest(zone.ctx, version, actor="t", **window)  # type: ignore[arg-type]
        for workers in (1, 2):
            columnar = run_backtest(zone.ctx, version, snapshot=folder, workers=workers, actor="t", **window)  # type: ignore[arg-type]
            assert columnar.model_dump(exclude=TIMING | SCORES) == database.model_dump(exclude=TIMING | SCORES)
            assert (columnar.ml_terms, columnar.score_changed, database.ml_terms) == (None, None, 0)


def test_the_snapshot_backtest_reports_what_the_database_backtest_reports(zone: Zone, tmp_path: Path) -> None:
    traffic = plan_risk_traffic(PARTIES, (MILK, SERUM), seed=7, start=START)
    ctx = zone.ctx
    _send(zone, _day(traffic, 0))
    first = apply_events(ctx).assessed
    list_versions(ctx)
    draft(ctx, candidate_text(), actor="officer.a")
    folder = tmp_path / "snap"
    manifest = take_snapshot(ctx, folder, batch=7)
    assert (manifest["decisions"], len(manifest["parts"]), manifest["labels"]) == (first, 1, False)
    _same(zone, folder)

    _send(zone, _day(traffic, 1))
    second = apply_events(ctx).assessed
    assert second > 0
    manifest = take_snapshot(ctx, folder)  # incremental: a second part with the decisions after the last id
    assert [p["decisions"] for p in manifest["parts"]] == [first, second]
    assert manifest["parts"][1]["first_id"] == manifest["parts"][0]["last_id"] + 1
    assert json.loads((folder / MANIFEST).read_text("utf-8")) == manifest
    report = run_backtest(ctx, "2026.7", snapshot=folder, actor="t")
    assert report.decisions == first + second and report.changed > 0
    assert report.missing_inputs == []
    _same(zone, folder)
    moment = START + timedelta(days=1)
    _same(zone, folder, since=moment)
    _same(zone, folder, until=moment)
    assert take_snapshot(ctx, folder) == manifest  # nothing new: no part written

    # what it holds: ids, times, bands and inputs — no subject keys, no document numbers
    columns = {
        row[0]
        for row in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{folder / 'part-00001.parquet'}')").fetchall()
    }
    assert columns == {"id", "decided_at", "business_day", "outcome"} | {f"live_{t}" for t in VOCABULARY} | set(
        snapshot_inputs(ctx)
    )

    # never overwritten; an altered part is refused
    (folder / "part-00003.parquet").write_bytes(b"")
    with pytest.raises(DomainError) as exists:
        take_snapshot(ctx, folder)
    assert exists.value.problems[0].rule_id == "RSK-SNAPSHOT-EXISTS"
    (folder / "part-00001.parquet").write_bytes(b"altered")
    with pytest.raises(DomainError) as altered:
        run_backtest(ctx, "2026.7", snapshot=folder, actor="t")
    assert altered.value.problems[0].rule_id == "RSK-SNAPSHOT-DIGEST"
    with pytest.raises(DomainError) as missing:
        run_backtest(ctx, "2026.7", snapshot=tmp_path / "none", actor="t")
    assert missing.value.problems[0].rule_id == "RSK-SNAPSHOT-MISSING"


def test_snapshot_and_backtest_from_the_command_line(zone: Zone, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cbec.cli.main import app
    from cbec.cli.state import state

    traffic = plan_risk_traffic(PARTIES, (MILK, SERUM), seed=7, start=START)
    _send(zone, _day(traffic, 0))
    decided = apply_events(zone.ctx).assessed
    state._ctx = zone.ctx
    try:
        cli = CliRunner()
        folder = tmp_path / "snap"
        made = cli.invoke(app, ["risk", "snapshot", "--out", str(folder)])
        assert made.exit_code == 0, made.output
        assert f"{decided} decisions to id" in made.output and "in 1 part(s)" in made.output
        database = cli.invoke(app, ["risk", "rules", "backtest", "2026.6", "--format", "json"])
        columnar = cli.invoke(
            app,
            ["risk", "rules", "backtest", "2026.6", "--format", "json", "--snapshot", str(folder), "--workers", "2"],
        )
        assert columnar.exit_code == 0, columnar.output
        mine, theirs = json.loads(columnar.output), json.loads(database.output)
        assert {k: v for k, v in mine.items() if k not in TIMING | SCORES} == {
            k: v for k, v in theirs.items() if k not in TIMING | SCORES
        }
        assert (mine["score_changed"], theirs["score_changed"]) == (None, 0)
        assert mine["decisions"] == decided and mine["changed"] == 0  # the live version against itself
        refused = cli.invoke(app, ["risk", "rules", "backtest", "2026.6", "--snapshot", str(tmp_path / "x")])
        assert refused.exit_code == 1 and "RSK-SNAPSHOT-MISSING" in refused.output
    finally:
        state._ctx = None
