"""`cbec check` exit statuses and already-processed bytes; `cbec clearance held` / `returns` lists and `-q`."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.builders import PARTIES, a_set
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.demo.builders import build_message
from cbec.demo.generator import DemoOptions, run_demo
from cbec.messages import render_message
from cbec.storage.context import Context


@pytest.fixture
def cli(zone: Zone):
    state._ctx = zone.ctx
    yield CliRunner(env={"COLUMNS": "200"})
    state._ctx = None


def flat(text: str) -> str:
    return " ".join(text.split())


def test_check_exits_0_when_nothing_would_be_refused_and_1_when_something_would(
    zone: Zone, cli: CliRunner, tmp_path: Path
) -> None:
    s = a_set()
    good = tmp_path / "good.xml"
    good.write_bytes(render_message(build_message([s.order], PARTIES.ecommerce)))
    accepted = cli.invoke(app, ["check", str(good)])
    assert accepted.exit_code == 0, accepted.output
    assert "120×1" in accepted.output
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"<not-ceb/>")
    refused = cli.invoke(app, ["check", str(good), str(garbage)])
    assert refused.exit_code == 1, refused.output
    assert "format error (CEB900)" in flat(refused.output)


def test_check_of_bytes_already_ingested_says_already_processed_with_their_receipts(
    zone: Zone, cli: CliRunner, tmp_path: Path
) -> None:
    s = a_set()
    order = tmp_path / "order.xml"
    order.write_bytes(render_message(build_message([s.order], PARTIES.ecommerce)))
    assert cli.invoke(app, ["ingest", str(order), "--out", str(tmp_path / "out")]).exit_code == 0
    again = cli.invoke(app, ["check", str(order)])
    assert again.exit_code == 0, again.output
    output = flat(again.output)
    assert "already processed" in output and "120×1" in output
    assert " processed " not in output.replace("already processed", "")


def test_problems_are_summarised_by_rule_and_listed_with_details(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    from dataclasses import replace

    orders = [a_set(order_no=f"ORD-R1-{n}").order for n in range(3)]
    wrong = [replace(o, actual_paid=o.actual_paid + 1) for o in orders]
    file = tmp_path / "orders.xml"
    file.write_bytes(render_message(build_message(wrong, PARTIES.ecommerce)))
    summary = cli.invoke(app, ["check", str(file)])
    assert summary.exit_code == 1
    assert "problems by rule (every one: --details)" in summary.output
    [row] = [line for line in summary.output.splitlines() if "CEB-R1" in line]
    assert "│         3 │" in row
    details = cli.invoke(app, ["check", str(file), "--details"])
    assert sum(1 for line in details.output.splitlines() if "CEB-R1" in line) == 3


def test_held_and_returns_list_what_the_tour_acts_on(ctx: Context, tmp_path: Path) -> None:
    run_demo(ctx, DemoOptions(buyers=200, orders=150, seed=7))
    state._ctx = ctx
    cli = CliRunner(env={"COLUMNS": "200"})
    try:
        held = cli.invoke(app, ["clearance", "held", "-q"])
        assert held.exit_code == 0
        first = held.stdout.split()[0]
        assert first.startswith("46012026I")
        table = cli.invoke(app, ["clearance", "held"])
        assert "300 人工审核 / manual review" in table.output and f"cbec clearance decide {first}" in table.output
        waiting = cli.invoke(app, ["clearance", "returns", "--waiting", "-q"]).stdout.split()
        everything = cli.invoke(app, ["clearance", "returns", "--state", "completed", "-q"]).stdout.split()
        assert (len(waiting), len(everything)) == (1, 1)
        done = cli.invoke(app, ["clearance", "return-arrived", waiting[0]])
        assert done.exit_code == 0, done.output
        assert "CEB626Message 399" in done.output
        again = cli.invoke(app, ["clearance", "return-arrived", waiting[0]])
        assert again.exit_code == 1
        assert f"return {waiting[0]} is completed, not waiting for goods" in flat(again.output)
        assert cli.invoke(app, ["clearance", "returns", "--waiting", "-q"]).stdout == ""
        decided = cli.invoke(app, ["clearance", "decide", first, "--action", "release", "--comment", "核验无误"])
        assert decided.exit_code == 0 and "CEB622Message 800" in decided.output
        flows = cli.invoke(app, ["clearance", "flows", "--inventory", first])
        assert flows.exit_code == 0, flows.output
        assert "at (Asia/Shanghai)" in flows.output and "+08:00" not in flows.output
    finally:
        state._ctx = None
