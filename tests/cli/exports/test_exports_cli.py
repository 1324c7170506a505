"""Contract of `cbec export ...`: rates, warehouses, summarise and reminders from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cbec.storage.context import Context


@pytest.fixture
def runner(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    from cbec.cli.state import state

    monkeypatch.setattr(state, "_ctx", ctx)
    return CliRunner()


def test_rates_seed_summarise_and_reminders(runner: CliRunner) -> None:
    from cbec.cli.main import app

    seeded = runner.invoke(app, ["export", "rates", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert "parameter: 16 rows, 16 inserted" in seeded.output
    assert "rebate: 16 rows, 16 inserted" in seeded.output
    run = runner.invoke(app, ["export", "summarise", "--month", "2026-02", "--include-unapplied"])
    assert run.exit_code == 0, run.output
    assert "0 application(s) answered, 0 declaration(s)." in run.output
    bad = runner.invoke(app, ["export", "summarise", "--month", "2026-13"])
    assert bad.exit_code == 1
    reminders = runner.invoke(app, ["export", "reminders", "--date", "2026-04-20"])
    assert "Every closed summary-flag inventory of past months is summarised." in reminders.output


def test_overdue_records_nothing_when_every_month_is_summarised(runner: CliRunner) -> None:
    from cbec.cli.main import app

    found = runner.invoke(app, ["export", "overdue", "--date", "2026-04-20"])
    assert found.exit_code == 0, found.output
    assert found.output.strip().splitlines()[-1] == "0 recorded, 0 known already"
