"""`cbec index …`: the development index (发展指数) computed from given observations and a method file alone."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cbec.statistics.index import IndexInputInvalid, compute_index, parse_method, parse_observations

EXIT_INVALID = 2


def _rows(path: Path) -> list[dict[str, Any]]:
    """Read observations: CSV with a header zone,period,indicator,value, or a JSON list of such objects."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        return [dict(row) for row in data] if isinstance(data, list) else []
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def register(app: typer.Typer) -> None:
    """Add the `index` command group."""
    index = typer.Typer(help="Development index (发展指数).", no_args_is_help=True)

    @index.command("compute")
    def compute(
        observations: Path = typer.Option(..., "--observations", exists=True, dir_okay=False, help="CSV or JSON."),
        method: Path = typer.Option(..., "--method", exists=True, dir_okay=False, help="The method (JSON)."),
        seed: int = typer.Option(20261206, "--seed", help="Seed of the uncertainty analysis (reproducible)."),
        output: str = typer.Option("table", "--format", help="table | json"),
    ) -> None:
        """Compute the index of every zone and period, with the latest period's rank bands and Sobol indices.

        Exit codes: 0 computed; 2 the method or the observations cannot be used (every problem listed).
        """
        console = Console()
        try:
            spec = parse_method(json.loads(method.read_text(encoding="utf-8")))
            result = compute_index(parse_observations(_rows(observations), spec), spec, seed=seed)
        except (IndexInputInvalid, json.JSONDecodeError, UnicodeDecodeError) as exc:
            console.print(f"[red]无法计算指数 / cannot compute the index: {escape(str(exc))}[/red]")
            for problem in getattr(exc, "problems", []):
                console.print(f"  {problem.rule_id} {escape(problem.field)}: {escape(problem.message)}")
                console.print(f"    {escape(problem.hint)}")
            raise typer.Exit(EXIT_INVALID) from exc
        if output == "json":
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
            return
        table = Table(title=f"发展指数 / development index — method {escape(result['method_version'])}")
        for column in ("zone", "period", "index", "rank", "fixed base", "rank 5–95 %"):
            table.add_column(column)
        for row in result["values"]:
            if not row["covered"]:
                table.add_row(row["zone"], row["period"], "—", "—", "—", "coverage < 65 %")
                continue
            band = f"{row['rank_p05']:g}–{row['rank_p95']:g}" if "rank_p05" in row else ""
            based = "" if row["fixed_base"] is None else f"{row['fixed_base']:.2f}"
            table.add_row(row["zone"], row["period"], f"{row['index']:.2f}", str(row["rank"]), based, band)
        console.print(table)
        console.print(f"digest {result['digest']} (seed {result['seed']})")

    app.add_typer(index, name="index")
