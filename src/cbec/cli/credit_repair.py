"""`cbec credit repair|objection|requests|daily`: credit repair, objections, override requests, the daily job."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import typer
from pydantic import BaseModel
from rich.markup import escape
from rich.table import Table

from cbec.cli.operator import AS_OR_ACTOR, acting
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import DecisionIn, ObjectionIn, OverrideRequestIn, RepairIn
from cbec.credit.service import (
    apply_repair,
    decide_objection,
    decide_override,
    decide_repair,
    file_objection,
    list_objections,
    list_override_requests,
    list_repairs,
    propose_override,
    run_daily,
)

ACTOR = typer.Option("cli", "--actor", help="Who acts (maker-checker: the approver differs from the proposer).")
FORMAT = typer.Option("table", "--format", help="table or json.")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text}") from exc


def _out(rows: Sequence[BaseModel] | BaseModel, output: str, columns: Sequence[str], title: str) -> None:
    items = [rows] if isinstance(rows, BaseModel) else list(rows)
    if output == "json":
        dumped = [r.model_dump(mode="json") for r in items]
        typer.echo(json.dumps(dumped[0] if isinstance(rows, BaseModel) else dumped, ensure_ascii=False, indent=2))
        return
    table = Table(*columns, title=title)
    for item in items:
        values = item.model_dump(mode="json")
        table.add_row(*(escape(str(values.get(c) if values.get(c) is not None else "-")) for c in columns))
    console().print(table)


REPAIR_COLUMNS = ("id", "subject", "fact_id", "severity", "status", "applicant", "reviewed_by", "decided_by")
OBJECTION_COLUMNS = ("id", "subject", "fact_id", "status", "due_on", "overdue", "applicant", "decided_by")
REQUEST_COLUMNS = ("id", "subject", "level", "valid_from", "valid_until", "status", "proposed_by", "decided_by")


def register(group: typer.Typer) -> None:
    """Add the repair, objection, request and daily commands to the `credit` group."""
    repair = typer.Typer(help="Credit repair applications (信用修复).", no_args_is_help=True)
    objection = typer.Typer(help="Objections against facts (异议).", no_args_is_help=True)
    requests = typer.Typer(help="Override requests, maker-checker (人工调整复核).", no_args_is_help=True)

    @repair.command("apply")
    def repair_apply(
        fact_id: int,
        evidence: str = typer.Option(..., "--evidence", help="SHA-256 of the evidence file (64 hex)."),
        description: str = typer.Option(..., "--description"),
        commitment: str = typer.Option(..., "--commitment", help="The credit commitment (信用承诺)."),
        training: str | None = typer.Option(None, "--training", help="Serious facts: the training attended."),
        actor: str = ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Apply for the repair of a fact (refused before its minimum publication window ends)."""
        body = RepairIn(
            fact_id=fact_id, evidence_sha256=evidence, description=description, commitment=commitment, training=training
        )
        try:
            found = apply_repair(state.context(), body, actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REPAIR_COLUMNS, "repair application")

    @repair.command("list")
    def repair_list(
        status: str | None = typer.Option(None, "--status", help="pending, proposed, approved, rejected or open."),
        subject: str | None = typer.Option(None, "--subject"),
        output: str = FORMAT,
    ) -> None:
        """List repair applications."""
        _out(list_repairs(state.context(), status=status, subject=subject), output, REPAIR_COLUMNS, "repairs")

    @repair.command("decide")
    def repair_decide(
        repair_id: int,
        action: str = typer.Option(..., "--action", help="propose, approve (a second officer) or reject."),
        note: str | None = typer.Option(None, "--note"),
        actor: str = ACTOR,
        as_user: str | None = AS_OR_ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Take an officer's step on a repair application."""
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.manage")
        try:
            found = decide_repair(ctx, repair_id, DecisionIn(action=action, note=note), actor=name, account=account)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REPAIR_COLUMNS, "repair application")

    @objection.command("file")
    def objection_file(
        fact_id: int,
        reason: str = typer.Option(..., "--reason"),
        evidence: str | None = typer.Option(None, "--evidence", help="SHA-256 of the evidence file."),
        actor: str = ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Object to a fact; the review deadline comes from configuration."""
        body = ObjectionIn(fact_id=fact_id, reason=reason, evidence_sha256=evidence)
        try:
            found = file_objection(state.context(), body, actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(found, output, OBJECTION_COLUMNS, "objection")

    @objection.command("list")
    def objection_list(
        status: str | None = typer.Option(None, "--status", help="open, upheld or dismissed."),
        subject: str | None = typer.Option(None, "--subject"),
        output: str = FORMAT,
    ) -> None:
        """List objections with their deadlines."""
        found = list_objections(state.context(), status=status, subject=subject)
        _out(found, output, OBJECTION_COLUMNS, "objections")

    @objection.command("decide")
    def objection_decide(
        objection_id: int,
        action: str = typer.Option(..., "--action", help="uphold (the fact is withdrawn) or dismiss."),
        note: str | None = typer.Option(None, "--note"),
        actor: str = ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Decide an objection."""
        try:
            found = decide_objection(state.context(), objection_id, DecisionIn(action=action, note=note), actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(found, output, OBJECTION_COLUMNS, "objection")

    @requests.command("propose")
    def request_propose(
        subject: str,
        level: str = typer.Option(..., "--level"),
        reason: str = typer.Option(..., "--reason"),
        until: str = typer.Option(..., "--until", help="The override ends on this day (exclusive)."),
        actor: str = ACTOR,
        as_user: str | None = AS_OR_ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Propose a level override (a second officer approves it)."""
        day = _day(until)
        assert day is not None
        body = OverrideRequestIn(subject=subject, level=level, reason=reason, until=day)
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.rate")
        try:
            found = propose_override(ctx, body, actor=name, account=account)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REQUEST_COLUMNS, "override request")

    @requests.command("list")
    def request_list(status: str | None = typer.Option(None, "--status"), output: str = FORMAT) -> None:
        """List override requests."""
        _out(list_override_requests(state.context(), status=status), output, REQUEST_COLUMNS, "override requests")

    @requests.command("decide")
    def request_decide(
        request_id: int,
        action: str = typer.Option(..., "--action", help="approve or reject."),
        note: str | None = typer.Option(None, "--note"),
        actor: str = ACTOR,
        as_user: str | None = AS_OR_ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Approve (never the proposer) or reject an override request."""
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.rate")
        try:
            found = decide_override(ctx, request_id, DecisionIn(action=action, note=note), actor=name, account=account)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REQUEST_COLUMNS, "override request")

    @group.command("daily")
    def daily(
        on: str | None = typer.Option(None, "--on", help="The day (default today, Asia/Shanghai)."),
        actor: str = typer.Option("credit-daily", "--actor"),
        output: str = FORMAT,
    ) -> None:
        """End publication of the facts past their maximum window; list objections past their deadline."""
        try:
            report = run_daily(state.context(), on=_day(on), actor=actor)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        out = console()
        out.print(
            f"{report.on}: publication ended for {len(report.ended)} fact(s); "
            f"{len(report.overdue_objections)} objection(s) past their deadline; "
            f"open: {report.open_repairs} repair(s), {report.open_objections} objection(s)"
        )
        ended = Table("fact", "subject", "type", "severity", "document", "published until", title="publication ended")
        for e in report.ended:
            ended.add_row(
                str(e.fact_id),
                e.subject,
                e.fact_type,
                e.severity,
                escape(e.document_no or "-"),
                str(e.publish_max_until),
            )
        out.print(ended)
        overdue = Table("objection", "subject", "fact", "due", "applicant", title="objections past their deadline")
        for o in report.overdue_objections:
            overdue.add_row(str(o.id), o.subject, str(o.fact_id), str(o.due_on), escape(o.applicant))
        out.print(overdue)

    group.add_typer(repair, name="repair")
    group.add_typer(objection, name="objection")
    group.add_typer(requests, name="requests")
