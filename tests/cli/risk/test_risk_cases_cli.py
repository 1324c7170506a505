"""Contract of `cbec risk cases …` and `cbec risk review`: list, show, act, confirm (second officer), snooze,
labels in `cbec risk alerts --format jsonl`, review figures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from tests.integration.risk.cases.support import decide
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state

DAY = date(2026, 3, 2)


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_cases_from_the_command_line(cli: CliRunner, zone: Zone) -> None:
    decide(zone.ctx, "E1", [("fake_order", 70, "hold", ["F1", "F2"])], day=DAY, at=zone.ctx.clock.now())
    decide(zone.ctx, "E2", [("undervaluation", 40, "review", ["U1"])], day=DAY, at=zone.ctx.clock.now())
    assert "2 alerts: 2 cases opened, 0 joined, 0 snoozed" in run(cli, "risk", "cases", "gather")
    listed = json.loads(run(cli, "risk", "cases", "list", "--format", "json"))
    assert [(c["pivot_kind"], c["score"]) for c in listed] == [("phone", 70), ("enterprise", 40)]
    case = listed[0]["id"]
    assert "2 cases" in run(cli, "risk", "cases", "list")
    proposed = run(cli, "risk", "cases", "act", str(case), "return", "--comment", "退运", "--actor", "li")
    assert proposed.startswith("action ") and proposed.strip().endswith(" return proposed")
    action = proposed.split()[1]
    refused = run(cli, "risk", "cases", "confirm", str(case), action, "--actor", "li", code=1)
    assert "RSK-CASE-SELF-APPROVAL" in refused
    confirmed = run(cli, "risk", "cases", "confirm", str(case), action, "--actor", "wang")
    assert confirmed.strip() == f"action {action} return confirmed by wang"
    assert ": F1 on phone until" in run(cli, "risk", "cases", "snooze", str(case), "--rule", "F1", "--days", "7")
    run(cli, "risk", "cases", "act", str(case), "close", "--outcome", "confirmed", "--actor", "li")
    shown = json.loads(run(cli, "risk", "cases", "show", str(case), "--format", "json"))
    assert (shown["case"]["state"], shown["case"]["outcome"]) == ("closed", "confirmed")
    assert "RSK-CASE-CLOSED" in run(cli, "risk", "cases", "act", str(case), "note", "--comment", "x", code=1)
    outcomes = {
        json.loads(line)["eport_no"]: json.loads(line)["outcome"]
        for line in run(cli, "risk", "alerts", "--format", "jsonl").splitlines()
    }
    assert outcomes == {"E1": "confirmed", "E2": "open"}
    figures = json.loads(run(cli, "risk", "review", "--format", "json"))
    assert [(t["name"], t["alerts"], t["labelled"], t["precision"]) for t in figures["typologies"]] == [
        ("fake_order", 1, 1, "1.0000"),
        ("undervaluation", 1, 0, None),
    ]
    assert "precision" in run(cli, "risk", "review", "--since", "2026-03-01")
