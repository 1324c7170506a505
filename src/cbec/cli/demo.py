"""`cbec demo`: a pilot zone's day of retail imports, run through the platform and checked (演示数据)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.format import console, text
from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.demo.export_month import ExportDemoOptions, ExportDemoReport, run_export_demo
from cbec.demo.generator import DemoOptions, run_demo, zone_is_set_up
from cbec.demo.plan import EXPECTED, Fault, Outcome
from cbec.demo.report import DemoReport, OrderResult
from cbec.demo.wire import Sent


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text}") from exc


def _parse_threshold(text: str) -> Decimal | None:
    if text.strip().lower() in {"", "0", "none", "off"}:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise typer.BadParameter(f"not an amount: {text}") from exc
    if value <= 0:
        raise typer.BadParameter("the review threshold must be above zero (or 'off')")
    return value


def print_report(report: DemoReport, *, every_fault: bool = False) -> None:
    """Print the counts, the taxes, the faults by kind (every faulty order with every_fault) and the failures."""
    counts = Table(title=f"演示结果 / demo day {report.business_day}", show_header=True)
    counts.add_column("outcome")
    counts.add_column("receipt status")
    counts.add_column("orders", justify="right")
    rows = [
        (Outcome.RELEASED, "800 放行"),
        (Outcome.HELD, "300 人工审核 / 500 查验"),
        (Outcome.REFUSED, "100 退单 or negative"),
        (Outcome.WAITING, "2 申报中 (waiting for a partner)"),
        (Outcome.CANCELLED, "CEB623 撤单"),
        (Outcome.RETURNED, "800 + CEB625 退货 (partial)"),
    ]
    for outcome, label in rows:
        counts.add_row(outcome.value, label, str(report.by_outcome.get(outcome.value, 0)))
    unknown = report.by_outcome.get("unknown", 0)
    if unknown:
        counts.add_row("unknown", "-", str(unknown))
    console().print(counts)
    console().print(
        f"{report.orders} orders from {report.buyers} buyers; {report.messages} messages "
        f"({report.envelopes} in DxpMsg envelopes), {report.documents} documents, {report.receipts} receipts, "
        f"{report.tax_bills} tax bills (CEB816). Tax on released inventories: [bold]{report.total_tax:,.2f}[/bold] CNY."
    )
    if report.ledger_used is not None:
        console().print(
            f"Quota ledger: {report.ledger_used:,.2f} used; counted inventories: {report.ledger_counted:,.2f}."
        )
    console().print(every_fault_table(report) if every_fault else fault_kinds_table(report))
    print_next_steps(report)
    console().print("Timings (s): " + ", ".join(f"{k} {v}" for k, v in report.timings.items()))
    for note in report.notes:
        console().print(f"[yellow]note:[/yellow] {escape(note)}")
    if report.failures:
        console().print(f"[red bold]{len(report.failures)} expectation(s) not met:[/red bold]")
        for failure in report.failures:
            console().print(f"  [red]✗[/red] {escape(failure)}")
    else:
        console().print("[green bold]Every order ended where its label said.[/green bold]")


def fault_kinds_table(report: DemoReport) -> Table:
    """Return one row per kind of fault: the rule it should trip and how many of its orders did."""
    table = Table(title="故障订单 / faulty orders by kind (every order: --faults or --faults-out FILE)")
    for column in ("fault", "expected rule", "orders", "as labelled", "what it is"):
        table.add_column(column, justify="right" if column in ("orders", "as labelled") else "left")
    kinds: dict[Fault, list[OrderResult]] = {}
    for result in report.faults:
        assert result.order.fault is not None
        kinds.setdefault(result.order.fault, []).append(result)
    for fault, results in kinds.items():
        met = sum(1 for r in results if r.ok)
        mark = "[green]✓[/green]" if met == len(results) else "[red]✗[/red]"
        expectation = EXPECTED[fault]
        table.add_row(
            fault.value, expectation.rule_id, str(len(results)), f"{met} {mark}", escape(expectation.description)
        )
    return table


def every_fault_table(report: DemoReport) -> Table:
    """Return one row per faulty order: expected rule, the rules the platform gave, its status and fix hint."""
    faults = Table(title="故障订单 / faulty orders: expected rule vs what the platform said", show_lines=False)
    for column in ("order", "fault", "expected", "actual", "status", "", "fix"):
        faults.add_column(column, overflow="fold")
    for row in fault_rows(report):
        faults.add_row(
            *(escape(cell) for cell in row[:5]),
            "[green]✓[/green]" if row[5] == "yes" else "[red]✗[/red]",
            escape(row[6]),
        )
    return faults


FAULT_COLUMNS = ("order", "fault", "expected_rule", "actual_rules", "status", "as_labelled", "fix")


def fault_rows(report: DemoReport) -> list[tuple[str, ...]]:
    """Return every faulty order as plain cells (FAULT_COLUMNS)."""
    rows: list[tuple[str, ...]] = []
    for result in report.faults:
        fault = result.order.fault
        assert fault is not None
        expectation = EXPECTED[fault]
        rows.append(
            (
                result.order.order_no,
                f"{fault.value}: {expectation.description}",
                expectation.rule_id,
                ", ".join(result.rule_ids) or "-",
                result.status,
                "yes" if result.ok else "no",
                result.hints[0] if result.hints else expectation.hint,
            )
        )
    return rows


def write_faults(report: DemoReport, path: Path) -> None:
    """Write every faulty order as CSV (UTF-8 with BOM, so that spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FAULT_COLUMNS)
    writer.writerows(fault_rows(report))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")


def print_next_steps(report: DemoReport) -> None:
    """Print the numbers the README's tour uses, as commands to paste."""
    held = [r.summary.inventory_no for r in report.results if r.outcome == Outcome.HELD and r.summary]
    shown = [n for n in held[:5] if n]
    if shown:
        console().print(
            f"Held for an officer ({len(held)}; all: cbec clearance held): {', '.join(shown)}"
            + (" …" if len(held) > 5 else "")
        )
        console().print(f"  cbec clearance decide {shown[0]} --action release --comment '核验发票无误'")
    if report.quota_example:
        name, id_number = report.quota_example
        console().print(f"A buyer's annual quota: cbec quota show --id-number {id_number} --name {name}")
    if report.waiting_return is not None:
        console().print(
            f"A return waiting for its goods (all: cbec clearance returns): "
            f"cbec clearance return-arrived {report.waiting_return}"
        )
    if report.flows_example is not None:
        platform, order_no = report.flows_example
        console().print(f"An order's three flows: cbec clearance flows {platform} {order_no}")


def print_export_report(report: ExportDemoReport) -> None:
    """Print the export month: statuses, summaries, ledgers and failed checks."""
    table = Table(title=f"出口演示 / export month {report.month}")
    for column in ("what", "count"):
        table.add_column(column)
    for status, count in sorted(report.inventories_by_status.items()):
        table.add_row(f"inventories {status}", str(count))
    for mode, count in sorted(report.by_trade_mode.items()):
        table.add_row(f"trade mode {mode}", str(count))
    table.add_row("summary applications (CEB701)", str(len(report.applications)))
    table.add_row("declarations (CEB792)", str(report.declarations))
    console().print(table)
    ledgers = Table(title=f"出口税收台账 / export tax ledgers {report.month} (CNY)")
    for column in ("shop", "inventories", "revenue by regime", "returns", "CIT (36号)", "reconciles"):
        ledgers.add_column(column)
    for shop, ledger in report.ledgers.items():
        ledgers.add_row(
            shop,
            text(ledger.get("inventories")),
            text(ledger.get("revenue_by_regime")),
            text(ledger.get("returns")),
            text(ledger.get("cit")),
            text(ledger.get("reconciles")),
        )
    console().print(ledgers)
    console().print(f"{report.messages} export messages, {report.receipts} receipts.")
    for failure in report.failures:
        console().print(f"  [red]✗[/red] {escape(failure)}")
    if report.ok:
        console().print(
            "[green bold]Every export closed on departure, was summarised; the ledgers reconcile.[/green bold]"
        )


def register(app: typer.Typer) -> None:
    """Add the `demo` command."""

    @app.command("demo")
    def demo(
        buyers: int = typer.Option(2000, "--buyers", min=3, help="How many consumers to make."),
        orders: int = typer.Option(1000, "--orders", min=1, help="How many orders in the day."),
        seed: int = typer.Option(20260302, "--seed", help="Seed of every random choice (same seed, same day)."),
        out: Path | None = typer.Option(None, "--out", help="Write the messages, receipts and tax bills here."),
        if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing if enterprises are already filed."),
        day: str | None = typer.Option(None, "--date", help="Business day YYYY-MM-DD (default: today)."),
        exports: bool = typer.Option(
            True, "--exports/--no-exports", help="Also run last month's exports (9610/9710/9810, summary, tax)."
        ),
        review_at: str = typer.Option(
            "8000", "--review-at", help="Hold inventories worth at least this for manual review ('off' to disable)."
        ),
        faults: bool = typer.Option(False, "--faults", help="Print every faulty order, not one row per kind."),
        faults_out: Path | None = typer.Option(
            None, "--faults-out", help="Write every faulty order (rule, status, fix hint) to this CSV file."
        ),
    ) -> None:
        """Generate a day of orders (about 10 % faulty), run them through the platform, and check every outcome."""
        ctx = state.context()
        if if_empty and zone_is_set_up(ctx):
            console().print("Enterprises are already filed; demo data not generated (--if-empty).")
            return
        options = DemoOptions(
            buyers=buyers,
            orders=orders,
            seed=seed,
            business_day=_parse_day(day),
            out=out,
            review_value_at_or_above=_parse_threshold(review_at),
        )
        with console().status("演示开始 / starting") as status:

            def on_message(sent: Sent) -> None:
                status.update(f"{sent.number} messages sent — {sent.name}")

            try:
                report = run_demo(ctx, options, progress=console().print, on_message=on_message)
            except DomainError as exc:
                fail(exc)
        print_report(report, every_fault=faults)
        if faults_out is not None:
            write_faults(report, faults_out)
            console().print(f"Every faulty order written to {faults_out}")
        export_report = None
        if exports:
            try:
                export_report = run_export_demo(ctx, ExportDemoOptions(seed=seed, out=out), progress=console().print)
            except DomainError as exc:
                fail(exc)
            print_export_report(export_report)
        if out is not None:
            console().print(f"Messages and answers written to {out}/messages and {out}/receipts")
        if not report.ok or (export_report is not None and not export_report.ok):
            raise typer.Exit(1)
