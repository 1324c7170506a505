"""`cbec stats …`: the indicator catalogue's figures (统计指标) for a period and tenant, and index observations."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cbec.cli.state import state
from cbec.statistics.indicators import CALIBER, RULE_VERSION, indicator_figures, observations

EXIT_USAGE = 2


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        Console(stderr=True).print(
            f"[red]{name}: 日期格式应为 YYYY-MM-DD / a date is YYYY-MM-DD: {escape(value)}[/red]"
        )
        raise typer.Exit(EXIT_USAGE) from exc


def register(app: typer.Typer) -> None:
    """Add the `stats` command group."""
    stats = typer.Typer(help="Statistics monitoring (统计监测).", no_args_is_help=True)

    @stats.command("indicators")
    def indicators(
        start: str = typer.Option(..., "--from", help="First business day (YYYY-MM-DD, Asia/Shanghai)."),
        end: str = typer.Option(..., "--to", help="Last business day, inclusive."),
        tenant: str = typer.Option("hub", "--tenant", help="Tenant subtree, e.g. hub/zhengzhou."),
        output: str = typer.Option("table", "--format", help="table | json | csv (UTF-8 with BOM, for Excel)"),
        out: Path | None = typer.Option(None, "--out", help="Write to this file instead of the terminal."),
    ) -> None:
        """Every indicator of the catalogue for the period and tenant, with caliber, vintage and rule version."""
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            Console(stderr=True).print("[red]--to 早于 --from / --to is before --from[/red]")
            raise typer.Exit(EXIT_USAGE)
        found = indicator_figures(state.context(), first, last, tenant=tenant)
        rows = [f.as_row() for f in found]
        if output == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2)
        elif output == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            text = "\ufeff" + buffer.getvalue()
        else:
            table = Table(title=f"{escape(tenant)} {first} – {last} ({CALIBER}, rule {RULE_VERSION})")
            for column in ("indicator", "指标", "value", "unit", "vintage"):
                table.add_column(column)
            for row in rows:
                table.add_row(row["code"], row["name_zh"], row["value"] or "—", row["unit"], row["vintage"])
            Console().print(table)
            return
        if out is not None:
            out.write_text(text, encoding="utf-8")
            Console().print(f"wrote {len(rows)} indicators to {escape(str(out))}")
        else:
            typer.echo(text, nl=False)

    @stats.command("observations")
    def index_observations(
        tenants: list[str] = typer.Option(..., "--tenant", help="A zone of the index (repeat), e.g. hub/zhengzhou."),
        years: str = typer.Option(..., "--years", help="Years, e.g. 2024-2026 or 2025,2026."),
        out: Path = typer.Option(..., "--out", help="CSV of zone,period,indicator,value for `cbec index compute`."),
    ) -> None:
        """Write yearly figures per tenant as observations of the development index."""
        try:
            if "-" in years:
                low, high = (int(part) for part in years.split("-", 1))
                chosen = list(range(low, high + 1))
            else:
                chosen = [int(part) for part in years.split(",")]
        except ValueError as exc:
            Console(stderr=True).print(f"[red]--years: 例如 2024-2026 / e.g. 2024-2026: {escape(years)}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
        rows = observations(state.context(), tenants, chosen)
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["zone", "period", "indicator", "value"])
            writer.writeheader()
            writer.writerows(rows)
        Console().print(f"wrote {len(rows)} observations to {escape(str(out))}")

    app.add_typer(stats, name="stats")
