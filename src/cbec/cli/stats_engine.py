"""`cbec stats snapshot` and `cbec stats cube`: facts snapshots in Parquet, the monthly cube in DuckDB (大数据分析)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.statistics.service import monthly_cube, read_snapshot, take_snapshot, write_cube


def register_engine(stats: typer.Typer, emit: Callable[..., None]) -> None:
    """Add `snapshot` and `cube` to the `stats` group; ``emit`` prints or writes rows as the other commands do."""

    @stats.command("snapshot")
    def snapshot(
        out: Path = typer.Option(..., "--out", help="A new folder for facts.parquet and snapshot.json."),
    ) -> None:
        """Write the trade facts' non-personal columns to a Parquet snapshot with a manifest (SHA-256, count)."""
        ctx = state.context()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("快照 / snapshot", total=None)
            try:
                made = take_snapshot(
                    ctx,
                    out,
                    clock=ctx.clock.now,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except DomainError as exc:
                fail(exc)
        Console().print(
            f"{made.facts:,} facts (last id {made.last_fact_id}) → {escape(str(out))}; sha256 {made.sha256}"
        )

    @stats.command("cube")
    def cube(
        snapshot: Path = typer.Option(..., "--snapshot", help="A folder written by `cbec stats snapshot`."),
        output: str = typer.Option("table", "--format", help="table | json | csv | xlsx | parquet"),
        out: Path | None = typer.Option(None, "--out", help="Write to this file."),
    ) -> None:
        """The monthly cube of a snapshot (DuckDB): month × tenant × direction × mode × country × HS chapter.

        ``--format parquet --out FILE`` writes the cells inside DuckDB without loading them here (any size).
        """
        try:
            found = read_snapshot(snapshot)
            if output == "parquet":
                if out is None:
                    Console(stderr=True).print("[red]parquet 需要 --out / parquet needs --out FILE[/red]")
                    raise typer.Exit(2)
                cells = write_cube(snapshot, out.with_suffix(".parquet"), verify=False)
                Console().print(f"{cells:,} cells → {escape(str(out.with_suffix('.parquet')))}")
                return
            rows: list[dict[str, object]] = list(monthly_cube(snapshot, verify=False))
        except DomainError as exc:
            fail(exc)
        emit(rows, output, out, f"cube of {found.facts:,} facts ({found.taken_at})")
