"""`cbec quota ...`: the consumer's personal annual quota (个人年度额度) from the command line."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError
from cbec.quota.schemas import QuotaStatementRead
from cbec.quota.service import query_quota


def register(app: typer.Typer) -> None:
    """Add the `quota` command group."""
    quota = typer.Typer(help="Personal annual quota (个人年度交易限值).", no_args_is_help=True)

    @quota.command("show")
    def show(
        id_number: str = typer.Option(..., "--id-number", help="Buyer's resident ID number."),
        name: str = typer.Option(..., "--name", help="Buyer's name as on the identity card."),
        year: int | None = typer.Option(None, "--year", help="Calendar year (default: the current one)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """Show a buyer's annual limit, used and remaining quota and every counted inventory."""
        console = Console()
        try:
            statement = query_quota(state.context(), id_number=id_number, name=name, year=year)
        except DomainError as exc:
            console.print(f"[red]{exc.message}[/red]")
            for problem in exc.problems:
                console.print(f"  [red]{problem.rule_id}[/red] {problem.message}\n    {problem.hint}")
            raise typer.Exit(1) from exc
        read = QuotaStatementRead.from_statement(statement)
        if as_json:
            typer.echo(json.dumps(read.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        console.print(f"{read.name} {read.id_number} — {read.year}")
        console.print(f"annual limit {read.annual_limit:,.2f}  used {read.used:,.2f}  remaining {read.remaining:,.2f}")
        table = Table("inventory", "order", "platform", "declared", "amount", "restored")
        for entry in read.entries:
            table.add_row(
                entry.inventory_ref,
                entry.order_no,
                entry.platform_name,
                entry.declared_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                f"{entry.amount:,.2f}",
                f"{entry.restored:,.2f}",
            )
        console.print(table)

    app.add_typer(quota, name="quota")
