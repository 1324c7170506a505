"""`cbec reference ...`: seed, load and show the reference data (参数/基础数据)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from cbec.cli.state import state
from cbec.common.clock import business_date
from cbec.common.errors import DomainError
from cbec.reference import LoadReport, goods_rule, load_file, reference_table, seed_builtin


class KindOption(StrEnum):
    """File kinds accepted by `cbec reference load`."""

    CODES = "codes"
    POSITIVE_LIST = "positive-list"
    TARIFF = "tariff"
    TAX_PARAMETERS = "tax-parameters"


def console() -> Console:
    """Return a console wide enough for the tables even when output is not a terminal."""
    return Console(width=160, soft_wrap=False)


def fail(exc: DomainError) -> NoReturn:
    """Print a domain error with every problem, then exit with status 1."""
    err = Console(stderr=True, width=160)
    err.print(f"[red]error ({exc.code}):[/red] {exc.message}")
    if exc.problems:
        table = Table("field", "rule", "message", "hint", show_lines=False)
        for problem in exc.problems:
            table.add_row(problem.field, problem.rule_id, problem.message, problem.hint)
        err.print(table)
    raise typer.Exit(1)


def print_load_report(report: LoadReport) -> None:
    """Print what a load or seed did."""
    table = Table("kind", "source", "rows", "inserted", "updated", "unchanged", "closed", title="reference data")
    for part in report.parts or (report,):
        table.add_row(
            part.kind,
            part.source,
            str(part.rows),
            str(part.inserted),
            str(part.updated),
            str(part.unchanged),
            str(part.closed),
        )
    console().print(table)


def _on(value: str | None) -> date:
    if value is None:
        return business_date(state.context().clock.now())
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {value}") from exc


def register(app: typer.Typer) -> None:
    """Add the `reference` command group."""
    reference = typer.Typer(help="Reference data (参数/基础数据): code tables, positive list.", no_args_is_help=True)

    @reference.command("seed")
    def seed() -> None:
        """Load the built-in code tables, positive list, tariff rows and tax parameters (idempotent)."""
        try:
            report = seed_builtin(state.context())
        except DomainError as exc:
            fail(exc)
        print_load_report(report)

    @reference.command("load")
    def load(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV (or JSON) file to load."),
        kind: KindOption = typer.Option(..., "--kind", help="What the file holds."),
    ) -> None:
        """Load a reference file: every row is checked first; one bad row means nothing is loaded."""
        try:
            report = load_file(state.context(), file, kind.value)
        except DomainError as exc:
            fail(exc)
        print_load_report(report)

    @reference.command("show")
    def show(
        table: str = typer.Argument(..., help="country, currency, unit, ..., hs8, positive-list, tariff, goods..."),
        code: str | None = typer.Argument(None, help="One code (or HS code for `goods`)."),
        on: str | None = typer.Option(None, "--on", help="Date (YYYY-MM-DD); today by default."),
        history: bool = typer.Option(False, "--all", help="Show every dated version, not just those in force."),
        limit: int = typer.Option(50, "--limit"),
        offset: int = typer.Option(0, "--offset"),
    ) -> None:
        """Show a reference table, one code, or the goods rule of an HS code (`show goods 3304990099`)."""
        ctx = state.context()
        day = _on(on)
        try:
            if table == "goods":
                if code is None:
                    raise typer.BadParameter("give the HS code: cbec reference show goods 3304990099")
                goods = goods_rule(ctx, code, day)
                out = Table("field", "value", title=f"goods {code} on {day}")
                for name, value in goods.model_dump().items():
                    out.add_row(name, "" if value is None else str(value))
                console().print(out)
                return
            page = reference_table(ctx, table, on=None if history else day, code=code, limit=limit, offset=offset)
        except DomainError as exc:
            fail(exc)
        title = f"{table} ({'all versions' if history else f'in force on {day}'}): {page.total} row(s)"
        columns = list(page.items[0]) if page.items else []
        out = Table(*columns, title=title)
        for item in page.items:
            out.add_row(*("" if item[c] is None else str(item[c]) for c in columns))
        console().print(out)

    app.add_typer(reference, name="reference")
