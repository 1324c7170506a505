"""Contract of `cbec risk conditions`: place, list, lift, refusals with their rule ids."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def test_place_list_lift_and_refusals(cli: CliRunner) -> None:
    placed = cli.invoke(
        app,
        ["risk", "conditions", "place", "enterprise", "4601960001", "--kind", "hard_block", "--reason", "严重失信"],
    )
    assert placed.exit_code == 0 and ": hard_block on enterprise:4601960001" in placed.output
    number = placed.output.split(":")[0].removeprefix("condition ")
    refused = cli.invoke(
        app, ["risk", "conditions", "place", "enterprise", "4601960001", "--kind", "override", "--reason", "AEO"]
    )
    assert refused.exit_code == 1 and "RSK-COND-HARD" in refused.output
    bad = cli.invoke(
        app,
        ["risk", "conditions", "place", "payer", "x", "--kind", "block", "--reason", "r", "--until", "2026-01-01"],
    )
    assert bad.exit_code == 1 and "RSK-COND-SUBJECT" in bad.output and "RSK-COND-UNTIL" in bad.output
    listed = cli.invoke(app, ["risk", "conditions", "list", "--in-force", "--format", "jsonl"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["id"], r["kind"], r["subject_key"], r["in_force"]) for r in rows] == [
        (int(number), "hard_block", "4601960001", True)
    ]
    assert cli.invoke(app, ["risk", "conditions", "lift", number, "--reason", "复核"]).exit_code == 0
    assert cli.invoke(app, ["risk", "conditions", "list", "--in-force", "--format", "jsonl"]).output == ""
    again = cli.invoke(app, ["risk", "conditions", "lift", number, "--reason", "复核"])
    assert again.exit_code == 1 and "RSK-COND-LIFTED" in again.output
    assert "1 conditions" in cli.invoke(app, ["risk", "conditions", "list"]).output


def test_sweep_exports_reports_what_it_assessed(cli: CliRunner) -> None:
    done = cli.invoke(app, ["risk", "sweep-exports", "--days", "30"])
    assert done.exit_code == 0, done.output
    assert "0 exports released by 2026-01-31 without a receipt of payment assessed, 0 alerts (ruleset 2026.6)" in (
        done.output
    )


def test_ml_train_says_why_the_term_is_off_or_names_its_model(cli: CliRunner) -> None:
    done = cli.invoke(app, ["risk", "ml-train", "--seed", "3"])
    assert done.exit_code == 0, done.output
    try:
        import sklearn.ensemble  # noqa: F401
    except ImportError:
        assert "ML term off: scikit-learn 未安装" in done.output and "(0 decisions)" in done.output
    else:
        assert "ML term off: 没有可训练的决定" in done.output  # no decision stored yet
    refused = cli.invoke(app, ["risk", "ml-train", "--cap-share", "1"])
    assert refused.exit_code == 1 and "RSK-ML-CAP" in refused.output


def test_sweep_deliveries_and_the_daily_sweeps_report_what_they_did(cli: CliRunner) -> None:
    done = cli.invoke(app, ["risk", "sweep-deliveries", "--days", "7"])
    assert done.exit_code == 0, done.output
    # no signing recorded yet: no release day can be judged (parcels may have been signed before risk kept them)
    assert "release days swept: none (up to 2026-02-15); 0 parcels, 0 with no signing assessed, 0 alerts" in (
        done.output.replace("\n", " ")
    )
    daily = cli.invoke(app, ["risk", "sweeps"])
    assert daily.exit_code == 0, daily.output
    assert daily.output.splitlines()[1:] == [
        "exports: 0 assessed, 0 alerts",
        "deliveries: 0 release days, 0 unsigned parcels assessed, 0 alerts",
    ]
