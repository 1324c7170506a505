"""`cbec risk lists …`: load and show the external lists (外部名单): IPR recordations, recalls, prohibited goods,
agency watch-lists."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.risk.lists import ListKind, list_entries, load_list

KINDS = ", ".join(k.value for k in ListKind)


def _risk_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "risk" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("cbec.cli.risk registers the risk group first (COMMAND_MODULES)")


def register(app: typer.Typer) -> None:
    """Add `cbec risk lists …` to the risk command group."""
    lists = typer.Typer(help="External lists as effective-dated data (外部名单).", no_args_is_help=True)

    @lists.command("load")
    def load(
        path: Path = typer.Argument(..., help="The list file (JSON: kind, provenance, entries)."),
        kind: str = typer.Option(..., "--kind", help=f"One of {KINDS}."),
        actor: str = typer.Option("cli", "--actor", help="Who loads (recorded with the load)."),
        fmt: str = typer.Option("json", "--format", help="json, or csv (a header row, one entry a row)."),
        provenance: str = typer.Option("", "--provenance", help="With csv: where the list comes from."),
    ) -> None:
        """Check a list file and replace its kind's entries with it, all or nothing (every problem listed)."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            console().print(f"cannot read {escape(str(path))}: {escape(str(exc))}")
            raise typer.Exit(2) from exc
        try:
            done = load_list(state.context(), kind, text, source=path.name, actor=actor, fmt=fmt, provenance=provenance)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"{done.kind}: {done.entries} entries loaded from {escape(done.source)} (replacing {done.replaced}), "
            f"sha256 {done.sha256[:12]}, provenance: {escape(done.provenance)}"
        )

    @lists.command("show")
    def show(kind: str | None = typer.Option(None, "--kind", help=f"Only one of {KINDS}.")) -> None:
        """List the loaded entries with their validity."""
        try:
            found = list_entries(state.context(), kind)
        except DomainError as exc:
            fail(exc)
        table = Table("kind", "entry", "from", "to", title=f"{len(found)} entries")
        for e in found:
            table.add_row(e.kind, escape(e.key), str(e.valid_from), str(e.valid_to or "—"))
        console().print(table)

    _risk_group(app).add_typer(lists, name="lists")
