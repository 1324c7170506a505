"""`cbec export ...`: export clearance, summaries (清单核放、汇总申报), overseas warehouses and export tax."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from cbec.cli.format import text
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.exports.ledger_files import ledger_csv, ledger_tables, ledger_xlsx
from cbec.exports.queries import export_inventory_detail, search_export_inventories
from cbec.exports.schemas import WarehouseCreate
from cbec.exports.service import (
    build_ledger,
    decide_held_export,
    flag_overdue_summaries,
    list_warehouses,
    register_warehouse,
    reminders,
    summarise,
)
from cbec.exports.service.reference import load_export_rates, seed_export_reference
from cbec.messages import render_receipts, render_summary_results

console = Console(width=160)


def fail(exc: DomainError) -> NoReturn:
    """Print a domain error with every problem, then exit with status 1."""
    err = Console(stderr=True, width=160)
    err.print(f"[red]error ({exc.code}):[/red] {exc.message}")
    for problem in exc.problems:
        err.print(f"  {problem.rule_id} {problem.field}: {problem.message} — {problem.hint}")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `export` command group."""
    export = typer.Typer(
        help="Exports (出口): 9610/1210/9710/9810 clearance, summaries, warehouses, tax.", no_args_is_help=True
    )
    rates = typer.Typer(help="Export reference data: parameters, rebate rates, exchange rates.", no_args_is_help=True)
    warehouse = typer.Typer(help="Zone registry of overseas warehouses (海外仓登记).", no_args_is_help=True)
    export.add_typer(rates, name="rates")
    export.add_typer(warehouse, name="warehouse")

    @rates.command("seed")
    def rates_seed() -> None:
        """Load the export parameters and rebate rates shipped with cbec."""
        for report in seed_export_reference(state.context()):
            console.print(f"{report.kind}: {report.rows} rows, {report.inserted} inserted, {report.updated} updated")

    @rates.command("load")
    def rates_load(
        path: Path = typer.Argument(..., exists=True, dir_okay=False),
        kind: str = typer.Option(..., "--kind", help="rebate | parameter | exchange | excluded"),
    ) -> None:
        """Validate and load an export reference file (all rows or none)."""
        try:
            report = load_export_rates(state.context(), path, kind)
        except DomainError as exc:
            fail(exc)
        console.print(f"{report.kind}: {report.rows} rows, {report.inserted} inserted, {report.updated} updated")

    @export.command("summarise")
    def summarise_month(
        month: str = typer.Option(..., "--month", help="YYYY-MM of the closed inventories."),
        include_unapplied: bool = typer.Option(
            False, "--include-unapplied", help="Also summarise, per consignor, closed inventories nobody applied for."
        ),
        out: Path | None = typer.Option(None, "--out", help="Write the CEB792 results and CEB702 receipts here."),
    ) -> None:
        """Answer the month's CEB701 applications with CEB792 summary results (one per declaration)."""
        try:
            run = summarise(state.context(), month, include_unapplied=include_unapplied)
        except DomainError as exc:
            fail(exc)
        table = Table(
            "summary",
            "declaration (统一编号)",
            "entry id (报关单号)",
            "consignor",
            "items",
            "lines",
            title=f"汇总 {month}",
        )
        for result in run.results:
            items = len({line.goods_seq_no for line in result.lines})
            table.add_row(
                result.summary_no,
                result.declaration_seq_no,
                result.entry_id or "",
                result.ecommerce_code,
                str(items),
                str(len(result.lines)),
            )
        console.print(table)
        console.print(f"{len(run.applications)} application(s) answered, {len(run.results)} declaration(s).")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for start in range(0, len(run.results), 100):
                (out / f"CEB792Message_{month}_{start // 100 + 1:03d}.xml").write_bytes(
                    render_summary_results(run.results[start : start + 100])
                )
            if run.receipts:
                from cbec.intake.receipts import receipt_from_row

                (out / f"CEB702Message_{month}.xml").write_bytes(
                    render_receipts([receipt_from_row(r) for r in run.receipts][:100])
                )
            console.print(f"Written to {out}")

    @export.command("reminders")
    def show_reminders(
        on: str | None = typer.Option(None, "--date", help="Today (YYYY-MM-DD); default: the platform date."),
    ) -> None:
        """List enterprises whose closed summary-flag (B) inventories of past months are not summarised."""
        found = reminders(state.context(), today=date.fromisoformat(on) if on else None)
        table = Table("consignor", "name", "month", "inventories", "value", "due", "overdue", title="汇总申报提醒")
        for r in found:
            value = ", ".join(f"{v} ({c})" for c, v in sorted(r.value_by_currency.items()))
            table.add_row(
                r.ecommerce_code,
                r.ecommerce_name,
                r.month,
                str(r.inventories),
                value,
                r.due_on.isoformat(),
                "yes" if r.overdue else "no",
            )
        console.print(table)
        if not found:
            console.print("Every closed summary-flag inventory of past months is summarised.")

    @export.command("overdue")
    def overdue(
        on: str | None = typer.Option(None, "--date", help="Today (YYYY-MM-DD); default: the platform date."),
    ) -> None:
        """Record each enterprise's export month not summarised by its due day (once, with its outbox event)."""
        report = flag_overdue_summaries(state.context(), today=date.fromisoformat(on) if on else None)
        for code, month in report.recorded:
            console.print(f"overdue: {code} {month}")
        console.print(f"{len(report.recorded)} recorded, {len(report.known)} known already")

    @export.command("ledger")
    def ledger(
        enterprise: str = typer.Option(..., "--enterprise", help="Consignor (ebcCode)."),
        period: str = typer.Option(..., "--period", help="2026, 2026-03 or 2026-Q1."),
        csv_path: Path | None = typer.Option(None, "--csv", help="Write the ledger lines as CSV."),
        xlsx_path: Path | None = typer.Option(
            None, "--xlsx", help="Write the ledger as XLSX (lines, returns, totals)."
        ),
    ) -> None:
        """Build an enterprise's export tax ledger: regime per line, rebates, 36号 CIT, returns, FX threshold."""
        try:
            result = build_ledger(state.context(), enterprise, period)
        except DomainError as exc:
            fail(exc)
        table = Table("item", "value", title=f"出口税收台账 {enterprise} {period}")
        for row in ledger_tables(result)["totals"][1:]:
            table.add_row(text(row[0]), text(row[1]))  # revenue_cny[taxable]: escaped, not read as markup
        console.print(table)
        if csv_path is not None:
            csv_path.write_bytes(ledger_csv(result))
        if xlsx_path is not None:
            xlsx_path.write_bytes(ledger_xlsx(result))

    @export.command("inventories")
    def inventories(
        status: str | None = typer.Option(None, "--status"),
        trade_mode: str | None = typer.Option(None, "--trade-mode"),
        limit: int = typer.Option(50, "--limit"),
    ) -> None:
        """List export inventories, newest first."""
        rows, total = search_export_inventories(state.context(), status=status, trade_mode=trade_mode, limit=limit)
        table = Table(
            "inventory",
            "order",
            "parcel",
            "mode",
            "flag",
            "value",
            "status",
            "waiting for",
            title=f"{total} export inventories",
        )
        for row in rows:
            table.add_row(
                row.inventory_no or row.eport_no,
                row.order_no,
                row.logistics_no,
                row.trade_mode,
                row.statistics_flag,
                f"{row.goods_value} ({row.currency})",
                row.status,
                row.waiting_for or "",
            )
        console.print(table)

    @export.command("show")
    def show(number: str = typer.Argument(..., help="Inventory number or E-port number.")) -> None:
        """Show one export inventory with its lines, receipts and returns as JSON."""
        try:
            detail = export_inventory_detail(state.context(), number)
        except DomainError as exc:
            fail(exc)
        data = {
            "inventory": asdict(detail.summary),
            "lines": detail.lines,
            "receipts": [{"type": r.message_type.value, "status": r.status, "info": r.info} for r in detail.receipts],
            "returns": detail.returns,
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    @export.command("decide")
    def decide(
        number: str = typer.Argument(...),
        action: str = typer.Option(..., "--action", help="release | refuse | inspect"),
        comment: str = typer.Option(..., "--comment"),
        actor: str = typer.Option("officer", "--actor"),
    ) -> None:
        """Release, refuse or inspect a held export inventory."""
        try:
            result = decide_held_export(state.context(), number, action=action, actor=actor, comment=comment)
        except DomainError as exc:
            fail(exc)
        for receipt in result.receipts:
            console.print(f"{receipt.message_type.value} {receipt.status} {receipt.info}")

    @warehouse.command("add")
    def warehouse_add(
        name: str = typer.Option(..., "--name"),
        operator: str = typer.Option(..., "--operator", help="Operator's customs code (filed enterprise)."),
        country: str = typer.Option(..., "--country", help="3-digit country code, e.g. 502."),
        address: str = typer.Option(..., "--address"),
        area: str = typer.Option(..., "--area", help="Floor area in m²."),
        services: str = typer.Option("", "--services", help="Comma-separated, e.g. storage,fulfilment,returns."),
    ) -> None:
        """Add an overseas warehouse to the zone registry (no customs precondition since 2024-12-15)."""
        try:
            data = WarehouseCreate(
                name=name,
                operator_code=operator,
                country=country,
                address=address,
                area_m2=Decimal(area),
                services=[s.strip() for s in services.split(",") if s.strip()],
            )
            read = register_warehouse(state.context(), data)
        except DomainError as exc:
            fail(exc)
        console.print(f"registered {read.code} {read.name}")

    @warehouse.command("list")
    def warehouse_list(country: str | None = typer.Option(None, "--country")) -> None:
        """List the registry with each warehouse's 9810 inventories."""
        table = Table(
            "code", "name", "operator", "country", "m²", "services", "status", "9810 inventories", title="海外仓登记"
        )
        for w in list_warehouses(state.context(), country=country):
            table.add_row(
                w.code,
                w.name,
                w.operator_code,
                w.country,
                str(w.area_m2),
                ",".join(w.services),
                w.status,
                str(w.inventories),
            )
        console.print(table)

    app.add_typer(export, name="export")
