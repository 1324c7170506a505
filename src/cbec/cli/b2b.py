"""`cbec b2b ...`: B2B-export identification (B2B出口识别) — import declarations, identify, runs, B2B figures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.statistics.b2b import (
    ImportReport,
    b2b_figures,
    identify,
    import_declarations,
    list_runs,
    load_channels,
    load_method,
    show_run,
)


def _print_import(report: ImportReport) -> None:
    console().print(
        f"{report.source} → {report.tenant}: {report.rows} rows, {report.imported} imported, {report.updated} "
        f"updated, {report.unchanged} unchanged, {report.rejected} rejected"
    )
    if report.problems:
        table = Table("field", "rule", "message", "hint", title="rejected rows")
        for p in report.problems:
            table.add_row(p.field, p.rule_id, p.message, p.hint)
        console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `b2b` group."""
    group = typer.Typer(help="B2B-export identification (B2B出口识别).", no_args_is_help=True)

    @group.command("import")
    def import_(
        path: Path,
        tenant: str = typer.Option("hub", "--tenant", help="Tenant the declarations belong to."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Import export declarations (CSV, JSON array or JSON lines); bad rows are reported, good ones kept.

        Exits 1 when a row was rejected (the others are stored).
        """
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            console().print(f"[red]cannot read {path}: {exc}[/red]")
            raise typer.Exit(2) from exc
        json_format = path.suffix.lower() in (".json", ".jsonl", ".ndjson")
        try:
            report = import_declarations(
                state.context(), text, json_format=json_format, tenant=tenant, actor=actor, source=path.name
            )
        except DomainError as exc:
            fail(exc)
        _print_import(report)
        if report.rejected:
            raise typer.Exit(1)

    @group.command("identify")
    def identify_(
        method: Path | None = typer.Option(None, "--method", help="A method document (JSON); default: b2b-1."),
        threshold: str | None = typer.Option(None, "--threshold", help="Identify at this score instead (0–1)."),
        channels: Path | None = typer.Option(
            None, "--channels", help="A CBEC-capable payment channel list (CSV); default: the shipped one."
        ),
        tenant: str = typer.Option("hub", "--tenant", help="Tenant subtree to identify."),
        actor: str = typer.Option("cli", "--actor"),
        as_json: bool = typer.Option(False, "--json", help="Print the run as JSON."),
    ) -> None:
        """Score every imported declaration of the tenant and store the run (method, digests, results)."""
        try:
            value = Decimal(threshold) if threshold is not None else None
        except InvalidOperation as exc:
            raise typer.BadParameter("--threshold must be a number from 0 to 1") from exc
        try:
            summary = identify(
                state.context(),
                tenant=tenant,
                actor=actor,
                method=load_method(method, threshold=value),
                channels=load_channels(channels),
            )
        except DomainError as exc:
            fail(exc)
        if as_json:
            typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
            return
        console().print(
            f"run {summary.run_id} ({summary.method_version}, identified at ≥ {summary.identify_at}, general at ≤ "
            f"{summary.reject_at}): {summary.declarations} declarations, {summary.declared} 9710/9810, "
            f"{summary.identified} identified ({summary.identified_value} CNY), {summary.undecided} undecided, "
            f"{summary.general} general trade, {summary.unconverted} without a customs rate"
        )
        console().print(f"input digest {summary.input_digest}\nresult digest {summary.result_digest}")

    @group.command("runs")
    def runs(tenant: str | None = typer.Option(None, "--tenant", help="Runs over this tenant subtree.")) -> None:
        """List the identification runs, newest first."""
        table = Table(
            "run",
            "tenant",
            "method",
            "≥",
            "≤",
            "declarations",
            "9710/9810",
            "identified",
            "undecided",
            "general",
            "result digest",
        )
        for s in list_runs(state.context(), tenant=tenant):
            table.add_row(
                str(s.run_id),
                s.tenant,
                s.method_version,
                s.identify_at,
                s.reject_at,
                str(s.declarations),
                str(s.declared),
                str(s.identified),
                str(s.undecided),
                str(s.general),
                s.result_digest[:16],
            )
        console().print(table)

    @group.command("show")
    def show(
        run_id: int,
        fmt: str = typer.Option("json", "--format", help="json or csv (UTF-8 with BOM)."),
        tenant: str | None = typer.Option(None, "--tenant", help="Only results of this tenant subtree."),
    ) -> None:
        """Print one run with every declaration's score, class and reason codes."""
        if fmt not in ("json", "csv"):
            raise typer.BadParameter("--format must be json or csv")
        try:
            detail = show_run(state.context(), run_id, tenant=tenant)
        except DomainError as exc:
            fail(exc)
        if fmt == "csv":
            typer.echo(detail.csv(), nl=False)
        else:
            typer.echo(json.dumps(detail.as_dict(), ensure_ascii=False, indent=2))

    @group.command("figures")
    def figures(
        start: str = typer.Option(..., "--from", help="First business day (YYYY-MM-DD)."),
        end: str = typer.Option(..., "--to", help="Last business day, inclusive."),
        tenant: str = typer.Option("hub", "--tenant"),
    ) -> None:
        """Print identified B2B exports per day and tenant, 9710/9810, all exports and the B2B share (JSON)."""
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise typer.BadParameter("--from and --to are YYYY-MM-DD") from exc
        result = b2b_figures(state.context(), first, last, tenant=tenant)
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))

    app.add_typer(group, name="b2b")
