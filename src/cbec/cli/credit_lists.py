"""`cbec credit lists show|measures|alerts|decide|apply`: the negative lists in force, measures, screening alerts."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.credit_repair import ACTOR, FORMAT, _day, _out
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import AlertDecisionIn
from cbec.credit.service import (
    apply_list_measures,
    catalogue_on,
    decide_alert,
    list_alerts,
    list_entries,
    subject_measures,
)

ENTRY_COLUMNS = ("fact_id", "subject", "name", "list_type", "severity", "decided_on", "valid_to", "measures")
MEASURE_COLUMNS = ("id", "fact_id", "list_type", "measure_code", "scope", "started_on", "ended_on", "lift_cause")
ALERT_COLUMNS = ("id", "subject", "name", "list_type", "entry_subject", "score", "band", "matched", "state")


def register(group: typer.Typer) -> None:
    """Add `cbec credit lists …` to the credit group."""
    lists = typer.Typer(help="Negative lists in force, their measures (joint punishment) and screening alerts.")
    group.add_typer(lists, name="lists")

    @lists.command("show")
    def show(
        list_type: str | None = typer.Option(None, "--type", help="court_dishonest, tax_major, market_serious, …"),
        query: str | None = typer.Option(None, "--query", help="A credit or customs code, or part of a name."),
        on: str | None = typer.Option(None, "--on", help="The day (default today)."),
        limit: int = typer.Option(50, "--limit"),
        offset: int = typer.Option(0, "--offset"),
        output: str = FORMAT,
    ) -> None:
        """List the entries in force with the measures each carries."""
        page = list_entries(state.context(), list_type=list_type, query=query, on=_day(on), limit=limit, offset=offset)
        if output == "json":
            typer.echo(json.dumps(page.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _out(page.items, output, ENTRY_COLUMNS, f"{page.total} list entries in force on {page.on}")

    @lists.command("measures")
    def measures(
        subject: str | None = typer.Argument(None, help="A subject's code: its applied measures (else the catalogue)."),
        on: str | None = typer.Option(None, "--on", help="The catalogue's day (default today)."),
        output: str = FORMAT,
    ) -> None:
        """Show a subject's applied measures, or the measure catalogue in force."""
        ctx = state.context()
        try:
            if subject:
                _out(subject_measures(ctx, subject), output, MEASURE_COLUMNS, f"measures of {subject}")
                return
            catalogue = catalogue_on(ctx, on=_day(on))
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(catalogue.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        table = Table("list", "serious", "measure", "scope", "department", "clearance", "text", title=catalogue.code)
        for listed in catalogue.lists:
            for m in listed.measures:
                effect = f"{m.clearance} {m.rate or ''}".strip() if m.clearance else "-"
                table.add_row(
                    listed.list_type, str(listed.serious), m.code, m.scope, m.department, effect, escape(m.zh)
                )
        console().print(table)

    @lists.command("alerts")
    def alerts(
        status: str = typer.Option("open", "--state", help="open, confirmed, dismissed or all."),
        limit: int = typer.Option(50, "--limit", help="The review budget: the best N first."),
        output: str = FORMAT,
    ) -> None:
        """List the screening alerts, best score first."""
        try:
            page = list_alerts(state.context(), state=None if status == "all" else status, limit=limit)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(page.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _out(page.items, output, ALERT_COLUMNS, f"{page.total} alerts ({status})")

    @lists.command("decide")
    def decide(
        alert_id: int = typer.Argument(..., help="The alert."),
        action: str = typer.Option(..., "--action", help="confirm or dismiss (open); record (confirmed)."),
        note: str | None = typer.Option(None, "--note", help="Why (required to dismiss)."),
        actor: str = ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Confirm or dismiss an open alert, or record a confirmed one (another --actor than the confirmer): the
        list entry becomes a fact about the screened enterprise."""
        try:
            result = decide_alert(state.context(), alert_id, AlertDecisionIn(action=action, note=note), actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(result, output, ALERT_COLUMNS, f"alert {alert_id}")

    @lists.command("apply")
    def apply(actor: str = ACTOR, output: str = FORMAT) -> None:
        """Apply the measures of the entries in force today and lift those of entries that ended."""
        result = apply_list_measures(state.context(), actor=actor)
        _out(result, output, ("entries", "applied", "lifted", "supervision"), "list measures")


__all__ = ["register"]
