"""`cbec db ...`: database schema commands."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console

from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.common.clock import business_date
from cbec.common.errors import DomainError
from cbec.storage.partitions import maintain


def register(app: typer.Typer) -> None:
    """Add the `db` command group."""
    db = typer.Typer(help="Database schema (数据库).", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade(revision: str = typer.Argument("heads")) -> None:
        """Apply the Alembic migrations up to a revision."""
        from cbec.storage.migrate import upgrade as run_upgrade

        ctx = state.context()
        url = ctx.engine.url.render_as_string(hide_password=False)
        run_upgrade(url, revision)
        Console().print(f"[green]database at {revision}[/green] ({ctx.engine.url.render_as_string()})")

    @db.command("partitions")
    def partitions(
        convert: bool = typer.Option(False, "--convert", help="Turn the plain history tables into partitioned ones."),
        ahead: int = typer.Option(3, "--ahead", min=0, max=36, help="Months of partitions kept ready ahead."),
        detach_before: str | None = typer.Option(
            None, "--detach-before", help="Detach the months before this one (YYYY-MM) for archiving."
        ),
        table: list[str] = typer.Option([], "--table", help="Only these history tables (default: all)."),
    ) -> None:
        """Monthly partitions of the history tables on PostgreSQL: convert once, then run daily (历史表分区).

        Detached months stay in the database as ordinary tables (<table>_pYYYYMM): archive them with pg_dump, then
        drop them. Exit status 1 when refused (SQLite, a month not yet ended, rows stranded in the default).
        """
        ctx = state.context()
        before = None
        if detach_before is not None:
            try:
                before = datetime.strptime(detach_before, "%Y-%m").date()
            except ValueError:
                raise typer.BadParameter(f"{detach_before!r}: give a month as YYYY-MM") from None
        try:
            report = maintain(
                ctx.engine,
                business_date(ctx.clock.now()),
                tables=table or None,
                convert=convert,
                ahead=ahead,
                detach_before=before,
            )
        except DomainError as exc:
            fail(exc)
        console = Console()
        for name, rows in report.converted.items():
            console.print(f"converted {name}: {rows} rows copied")
        for name in report.created:
            console.print(f"created {name}")
        for name in report.detached:
            console.print(f"detached {name} (archive it with pg_dump, then DROP TABLE)")
        for name, months in report.partitions.items():
            console.print(f"{name}: {len(months)} monthly partitions, {months[0]} … {months[-1]}" if months else name)
        if not report.partitions:
            console.print("no history table is partitioned yet: run with --convert once")

    app.add_typer(db, name="db")
