"""`cbec credit lists show|measures|alerts|decide|apply|add|end|correct|requests|confirm`: the negative lists in
force, measures, screening alerts, and list management (maker-checker steps act as an account: --as/CBEC_API_KEY)."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.credit_repair import ACTOR, FORMAT, _day, _out
from cbec.cli.operator import AS, operator
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import AlertDecisionIn, DecisionIn, ListCorrectionIn, ListEndIn, ListEntryIn
from cbec.credit.service import (
    add_list_entry,
    apply_list_measures,
    catalogue_on,
    correct_list_entry,
    decide_alert,
    decide_list_request,
    end_list_entry,
    list_alerts,
    list_entries,
    list_list_requests,
    subject_measures,
)

ENTRY_COLUMNS = ("fact_id", "subject", "name", "list_type", "severity", "decided_on", "valid_to", "measures")
MEASURE_COLUMNS = ("id", "fact_id", "list_type", "measure_code", "scope", "started_on", "ended_on", "lift_cause")
REQUEST_COLUMNS = (
    "id",
    "action",
    "status",
    "subject",
    "list_type",
    "serious",
    "target_fact_id",
    "fact_id",
    "proposed_by",
)
MANAGE = "credit.manage"
LIST_TYPE = typer.Option(..., "--type", help="court_dishonest, tax_major, market_serious, customs_serious or zone.")
SOURCE = typer.Option(..., "--source", help="court, tax, market, customs, zone, …")
SEVERITY = typer.Option(..., "--severity", help="minor, general or serious.")
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

    _register_management(lists)


def _register_management(lists: typer.Typer) -> None:
    """Add `add`, `end`, `correct`, `requests` and `confirm` (list management, maker-checker by account)."""

    @lists.command("add")
    def add(
        subject: str | None = typer.Option(None, "--subject", help="The enterprise's credit or customs code."),
        person_id: str | None = typer.Option(None, "--person-id", help="A person's ID number (kept as a keyed hash)."),
        name: str | None = typer.Option(None, "--name", help="The enterprise's name as the list publishes it."),
        list_type: str = LIST_TYPE,
        source: str = SOURCE,
        severity: str = SEVERITY,
        decided_on: str = typer.Option(..., "--decided-on", help="The decision's date (YYYY-MM-DD)."),
        document_no: str | None = typer.Option(None, "--document-no"),
        legal_basis: str | None = typer.Option(None, "--legal-basis"),
        valid_from: str | None = typer.Option(None, "--valid-from"),
        valid_to: str | None = typer.Option(None, "--valid-to"),
        evidence: str | None = typer.Option(None, "--evidence", help="SHA-256 of the decision's file."),
        note: str | None = typer.Option(None, "--note"),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """Add a list entry: recorded at once, or on a serious list pending another account's confirmation."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        body = ListEntryIn(
            subject=subject,
            person_id=person_id,
            subject_name=name,
            list_type=list_type,
            source=source,
            severity=severity,
            decided_on=decided_on,
            document_no=document_no,
            legal_basis=legal_basis,
            valid_from=valid_from,
            valid_to=valid_to,
            evidence_sha256=evidence,
            note=note,
        )
        try:
            result = add_list_entry(ctx, body, actor=who.name, account=who.account)
        except DomainError as exc:
            fail(exc)
        _out(result, output, REQUEST_COLUMNS, f"list request {result.id}: {result.status}")

    @lists.command("end")
    def end(
        fact_id: int = typer.Argument(..., help="The list entry (its current fact id)."),
        on: str = typer.Option(..., "--on", help="The first day the entry no longer holds."),
        reason: str = typer.Option(..., "--reason"),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """End an entry early (a new row superseding it)."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        day = _day(on)
        assert day is not None
        try:
            result = end_list_entry(
                ctx, fact_id, ListEndIn(ends_on=day, reason=reason), actor=who.name, account=who.account
            )
        except DomainError as exc:
            fail(exc)
        _out(result, output, REQUEST_COLUMNS, f"list request {result.id}: {result.status}")

    @lists.command("correct")
    def correct(
        fact_id: int = typer.Argument(..., help="The list entry (its current fact id)."),
        list_type: str = LIST_TYPE,
        source: str = SOURCE,
        severity: str = SEVERITY,
        decided_on: str = typer.Option(..., "--decided-on"),
        document_no: str | None = typer.Option(None, "--document-no"),
        legal_basis: str | None = typer.Option(None, "--legal-basis"),
        valid_from: str | None = typer.Option(None, "--valid-from"),
        valid_to: str | None = typer.Option(None, "--valid-to"),
        reason: str = typer.Option(..., "--reason"),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """Correct an entry (a new row superseding it with the content given)."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        body = ListCorrectionIn(
            list_type=list_type,
            source=source,
            severity=severity,
            decided_on=decided_on,
            document_no=document_no,
            legal_basis=legal_basis,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason,
        )
        try:
            result = correct_list_entry(ctx, fact_id, body, actor=who.name, account=who.account)
        except DomainError as exc:
            fail(exc)
        _out(result, output, REQUEST_COLUMNS, f"list request {result.id}: {result.status}")

    @lists.command("requests")
    def requests(
        status: str | None = typer.Option(None, "--status", help="pending, recorded or rejected."),
        output: str = FORMAT,
    ) -> None:
        """List the list changes, newest first."""
        try:
            found = list_list_requests(state.context(), status=status)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REQUEST_COLUMNS, f"{len(found)} list requests")

    @lists.command("confirm")
    def confirm(
        request_id: int = typer.Argument(..., help="The pending list request."),
        reject: bool = typer.Option(False, "--reject", help="Reject it instead (with --note)."),
        note: str | None = typer.Option(None, "--note"),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """Confirm a pending change of a serious list (another account than the proposer's), or reject it."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        decision = DecisionIn(action="reject" if reject else "confirm", note=note)
        try:
            result = decide_list_request(ctx, request_id, decision, actor=who.name, account=who.account)
        except DomainError as exc:
            fail(exc)
        _out(result, output, REQUEST_COLUMNS, f"list request {result.id}: {result.status}")


__all__ = ["register"]
