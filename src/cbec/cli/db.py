"""`cbec db ...`: database schema commands."""

from __future__ import annotations

import typer
from rich.console import Console

from cbec.cli.state import state


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

    app.add_typer(db, name="db")
