"""End to end: the demo day through every domain, each faulty order refused or held for its labelled reason."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cbec.clearance.codes import QUOTA_HOLDING
from cbec.clearance.models import InventoryRecord
from cbec.clearance.queries import inventory_detail
from cbec.demo.generator import DemoOptions, run_demo
from cbec.demo.plan import EXPECTED, Fault, Outcome, Scenario
from cbec.demo.report import DemoReport
from cbec.quota.models import QuotaAccount
from cbec.storage.context import Context

SMALL = DemoOptions(buyers=200, orders=150, seed=7)


def test_demo_day_meets_every_label(ctx: Context) -> None:
    report = run_demo(ctx, SMALL)

    assert_faults_trip_exactly_their_rules(report)
    assert_valid_orders_released_with_tax_bills(ctx, report)
    assert_cancels_and_return_as_planned(report)
    waiting = [r for r in report.results if r.order.fault == Fault.NO_PAYMENT]
    assert [(r.status, r.summary.waiting_for if r.summary else None) for r in waiting] == [("2", "payment")]
    assert_ledger_equals_counted_inventories(ctx, report)
    assert (report.failures, report.notes) == ([], [])


def assert_faults_trip_exactly_their_rules(report: DemoReport) -> None:
    """Every kind of fault occurs, and each ends as labelled, for exactly the labelled rule."""
    assert {r.order.fault for r in report.faults} == set(Fault)
    for result in report.faults:
        assert result.order.fault is not None
        expected = EXPECTED[result.order.fault]
        assert (result.outcome, result.rule_ids) == (expected.outcome, (expected.rule_id,)), result.order.order_no


def assert_valid_orders_released_with_tax_bills(ctx: Context, report: DemoReport) -> None:
    """Every valid order is released (800) and has a live electronic tax bill matching its taxes."""
    kept = (None, Scenario.INVENTORY_FIRST, Scenario.QUOTA_FILLER)
    valid = [r for r in report.results if r.order.fault is None and r.order.scenario in kept]
    assert len(valid) > 100
    for result in valid:
        assert result.outcome == Outcome.RELEASED, result.order.order_no
        assert result.summary is not None and result.summary.inventory_no is not None
        bill = inventory_detail(ctx, result.summary.inventory_no).tax_bill
        assert bill is not None and bill.status == "1", result.order.order_no
        assert (bill.customs_duty, bill.vat, bill.consumption_tax) == (
            result.summary.customs_duty,
            result.summary.vat,
            result.summary.consumption_tax,
        )


def assert_cancels_and_return_as_planned(report: DemoReport) -> None:
    """The cancels (before arrival, after release) and the partial return end as planned."""
    by_scenario: dict[Scenario | None, list[Outcome | None]] = defaultdict(list)
    for result in report.results:
        by_scenario[result.order.scenario].append(result.outcome)
    assert by_scenario[Scenario.CANCEL_BEFORE_ARRIVAL] == [Outcome.CANCELLED]
    assert by_scenario[Scenario.CANCEL_AFTER_RELEASE] == [Outcome.CANCELLED]
    assert by_scenario[Scenario.PARTIAL_RETURN] == [Outcome.RETURNED]


def assert_ledger_equals_counted_inventories(ctx: Context, report: DemoReport) -> None:
    """Per buyer, the quota ledger equals the dutiable value of the inventories that count against it."""
    counted: dict[str, Decimal] = defaultdict(Decimal)
    with ctx.uow() as uow:
        for row in uow.session.scalars(select(InventoryRecord)):
            if row.status in QUOTA_HOLDING and row.cancelled_at is None:
                counted[row.buyer_key] += row.dutiable_value or Decimal(0)
        ledger = {a.buyer_key: Decimal(a.used_fen) / 100 for a in uow.session.scalars(select(QuotaAccount))}
    assert {k: v for k, v in ledger.items() if v} == {k: v for k, v in counted.items() if v}
    assert report.ledger_used == report.ledger_counted == sum(counted.values(), Decimal(0))


def test_cli_demo_on_a_fresh_sqlite_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cbec.cli.main import app
    from cbec.cli.state import state

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CBEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CBEC_DATABASE_URL", url)
    monkeypatch.setenv("CBEC_NOW", "2026-03-02T10:00:00+08:00")
    state._ctx = None
    runner = CliRunner()
    try:
        upgraded = runner.invoke(app, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        result = runner.invoke(app, ["demo", "--buyers", "50", "--orders", "40", "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        assert "Every order ended where its label said." in result.output
        assert any((tmp_path / "out" / "messages").glob("*_CEB621Message_*.xml"))
        assert any((tmp_path / "out" / "receipts").glob("*_CEB816Message.xml"))
        again = runner.invoke(app, ["demo", "--if-empty"])
        assert again.exit_code == 0 and "already filed" in again.output
    finally:
        if state._ctx is not None:
            state._ctx.engine.dispose()
        state._ctx = None
