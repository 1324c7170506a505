"""`cbec audit ...`: verify the hash-chained audit trail and search it (审计日志)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from cbec.audit.service import search_audit, verify_audit_chain
from cbec.cli.reference import console
from cbec.cli.state import state


def register(app: typer.Typer) -> None:
    """Add the `audit` command group."""
    group = typer.Typer(help="Audit trail (审计日志): verify the hash chain, search records.", no_args_is_help=True)

    @group.command("verify")
    def verify() -> None:
        """Recompute the chain; exit 1 and name the first altered or missing record if it is broken."""
        report = verify_audit_chain(state.context())
        out = console()
        if report.ok:
            out.print(
                f"[green]audit chain intact[/green]: {report.checked} records; head seq {report.head_seq}, "
                f"hash {report.head_hash}"
            )
            return
        out.print(
            f"[red]audit chain broken[/red] at record id {report.first_broken_id} (seq {report.first_broken_seq}): "
            f"{report.reason}"
        )
        raise typer.Exit(1)

    @group.command("list")
    def list_records(
        entity_type: str | None = typer.Option(None, "--entity-type"),
        entity_key: str | None = typer.Option(None, "--entity-key"),
        action: str | None = typer.Option(None, "--action"),
        actor: str | None = typer.Option(None, "--actor"),
        limit: int = typer.Option(50, "--limit"),
    ) -> None:
        """List audit records, newest first."""
        items, total = search_audit(
            state.context(), entity_type=entity_type, entity_key=entity_key, action=action, actor=actor, limit=limit
        )
        table = Table("id", "seq", "at", "actor", "action", "entity", "after", "reason", title=f"audit ({total})")
        for item in items:
            table.add_row(
                str(item.id),
                str(item.seq),
                item.at.isoformat(),
                item.actor,
                item.action,
                f"{item.entity_type}:{item.entity_key}",
                json.dumps(item.after, ensure_ascii=False) if item.after else "",
                item.reason or "",
            )
        console().print(table)

    app.add_typer(group, name="audit")
