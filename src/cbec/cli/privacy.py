"""`cbec privacy ...`: key rotation, retention purge and audited unmasked reads (个人信息保护)."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.privacy import purge_personal_data, reveal_inventory_buyer, rotate_personal_data


def register(app: typer.Typer) -> None:
    """Add the `privacy` command group."""
    group = typer.Typer(help="Personal data (个人信息保护): rotate keys, purge, reveal.", no_args_is_help=True)

    @group.command("rotate")
    def rotate(
        batch_size: int = typer.Option(500, "--batch-size", min=1),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Re-encrypt stored personal data under CBEC_DATA_KEY / CBEC_DATA_KEY_ID (resumable, online)."""
        out = console()
        report = rotate_personal_data(
            state.context(), batch_size=batch_size, actor=actor, progress=lambda table, n: out.print(f"{table}: {n}")
        )
        table = Table("table", "re-encrypted", title=f"rotation to key {report.key_id}")
        for name, count in report.reencrypted.items():
            table.add_row(name, str(count))
        out.print(table)
        for line in report.unreadable:
            out.print(f"[red]unreadable[/red] {line}")
        if report.unreadable:
            raise typer.Exit(1)

    @group.command("purge")
    def purge(
        before: str | None = typer.Option(
            None, "--before", help="YYYY-MM-DD; default: today minus the retention period."
        ),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Remove buyers' personal data from documents last changed before a date past retention."""
        try:
            report = purge_personal_data(
                state.context(), before=date.fromisoformat(before) if before else None, actor=actor
            )
        except DomainError as exc:
            fail(exc)
        table = Table("table", "documents purged", title=f"personal data purged before {report.before}")
        for name, count in report.purged.items():
            table.add_row(name, str(count))
        console().print(table)

    @group.command("reveal")
    def reveal(
        inventory_no: str,
        reason: str = typer.Option(..., "--reason", help="Why you need the buyer's identity (audited)."),
        actor: str = typer.Option(..., "--actor", help="Who you are (audited)."),
    ) -> None:
        """Show an inventory's buyer unmasked; the read is written to the audit chain."""
        try:
            revealed = reveal_inventory_buyer(state.context(), inventory_no, actor=actor, reason=reason)
        except DomainError as exc:
            fail(exc)
        table = Table("field", "value", title=f"inventory {revealed.inventory_no or revealed.eport_no}")
        for name in ("buyer_name", "buyer_id_number", "buyer_phone", "consignee_address"):
            table.add_row(name, getattr(revealed, name))
        console().print(table)

    app.add_typer(group, name="privacy")
