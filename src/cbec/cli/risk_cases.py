"""`cbec risk cases …` and `cbec risk review`: disposal cases, actions with a second officer, snoozes, review."""

from __future__ import annotations

from datetime import date

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.risk.cases import (
    ActionCreate,
    ActionDecision,
    SnoozeCreate,
    act,
    confirm,
    gather,
    list_cases,
    review,
    show_case,
    snooze,
)

ACTOR = typer.Option("cli", "--actor", help="Who acts (maker-checker: the confirming officer differs).")
FORMAT = typer.Option("table", "--format", help="json or table.")


def _risk_group(app: typer.Typer) -> typer.Typer:
    """Return the `risk` group cbec.cli.risk registered (COMMAND_MODULES lists it first)."""
    for info in app.registered_groups:
        if info.name == "risk" and info.typer_instance is not None:
            return info.typer_instance
    raise RuntimeError("cbec.cli.risk must be registered before cbec.cli.risk_cases")


def _check_format(output: str) -> None:
    if output not in {"json", "table"}:
        raise typer.BadParameter("--format is json or table")


def register(app: typer.Typer) -> None:
    """Add `cases` and `review` to the `risk` command group."""
    risk = _risk_group(app)
    cases = typer.Typer(help="Disposal cases per pivot (风险处置案件).", no_args_is_help=True)

    @cases.command("list")
    def list_cmd(
        state_: str = typer.Option("open", "--state", help="open, closed or all."),
        typology: str | None = typer.Option(None, "--typology"),
        limit: int = typer.Option(100, "--limit"),
        output: str = FORMAT,
    ) -> None:
        """List cases, highest score first."""
        _check_format(output)
        found, total = list_cases(
            state.context(), state=None if state_ == "all" else state_, typology=typology, limit=limit
        )
        if output == "json":
            typer.echo("[" + ",".join(c.model_dump_json() for c in found) + "]")
            return
        table = Table("case", "score", "band", "pivot", "typologies", "alerts", "state", title=f"{total} cases")
        for c in found:
            table.add_row(
                str(c.id),
                str(c.score),
                c.band,
                f"{c.pivot_kind} {c.pivot_key[:12]}",
                ", ".join(c.typologies),
                str(c.alerts),
                c.state + (f" ({c.outcome})" if c.outcome else ""),
            )
        console().print(table)

    @cases.command("show")
    def show_cmd(case_id: int = typer.Argument(...), output: str = FORMAT) -> None:
        """Show a case: its alerts with their reasons, its actions and snoozes."""
        _check_format(output)
        try:
            found = show_case(state.context(), case_id)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(found.model_dump_json())
            return
        c = found.case
        console().print(f"case {c.id} · {c.state} · score {c.score} ({c.band}) · {c.pivot_kind} {c.pivot_key}")
        for item in found.alerts:
            a = item.alert
            reasons = "; ".join(f"{r.rule}+{r.weight} {r.reason_en}" for r in a.contributions)
            console().print(f"  {a.typology} {a.score} {a.eport_no} {a.outcome}: {escape(reasons)}")
        for x in found.actions:
            checked = f" · {x.checked_by}" if x.checked_by else ""
            console().print(f"  #{x.id} {x.kind} {x.state} by {x.actor}{checked}: {escape(x.comment)}")

    @cases.command("act")
    def act_cmd(
        case_id: int = typer.Argument(...),
        kind: str = typer.Argument(
            ...,
            help="request_documents, inspect, hold, return, refer_agency, "
            "propose_list_entry, report_credit, note, close.",
        ),
        comment: str = typer.Option("", "--comment"),
        agency: str | None = typer.Option(None, "--agency"),
        outcome: str | None = typer.Option(None, "--outcome", help="close: confirmed, valuable, false_positive."),
        list_name: str | None = typer.Option(None, "--list", help="propose_list_entry: watch or block."),
        actor: str = ACTOR,
    ) -> None:
        """Take an action on a case (return and propose_list_entry wait for a second officer)."""
        body = ActionCreate(kind=kind, comment=comment, agency=agency, outcome=outcome, list_name=list_name)
        try:
            done = act(state.context(), case_id, body, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"action {done.id} {done.kind} {done.state}")

    @cases.command("confirm")
    def confirm_cmd(
        case_id: int = typer.Argument(...),
        action_id: int = typer.Argument(...),
        decision: str = typer.Option("confirm", "--decision", help="confirm or reject."),
        comment: str = typer.Option("", "--comment"),
        actor: str = ACTOR,
    ) -> None:
        """A second officer confirms or rejects a proposed action."""
        try:
            done = confirm(
                state.context(), case_id, action_id, ActionDecision(decision=decision, comment=comment), actor=actor
            )
        except DomainError as exc:
            fail(exc)
        console().print(f"action {done.id} {done.kind} {done.state} by {done.checked_by}")

    @cases.command("snooze")
    def snooze_cmd(
        case_id: int = typer.Argument(...),
        rule: str = typer.Option(..., "--rule"),
        days: int = typer.Option(30, "--days"),
        comment: str = typer.Option("", "--comment"),
        actor: str = ACTOR,
    ) -> None:
        """Silence a rule on the case's pivot for some days."""
        try:
            made = snooze(state.context(), case_id, SnoozeCreate(rule=rule, days=days, comment=comment), actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"snooze {made.id}: {made.rule} on {made.pivot_kind} until {made.until.isoformat()}")

    @cases.command("gather")
    def gather_cmd() -> None:
        """File alerts not yet in a case (cbec risk consume does it after each run)."""
        report = gather(state.context())
        console().print(
            f"{report.alerts} alerts: {report.opened} cases opened, {report.joined} joined, {report.snoozed} snoozed"
        )

    risk.add_typer(cases, name="cases")

    @risk.command("review")
    def review_cmd(
        since: str | None = typer.Option(None, "--since", help="First business day, YYYY-MM-DD."),
        until: str | None = typer.Option(None, "--until", help="Last business day, YYYY-MM-DD."),
        output: str = FORMAT,
    ) -> None:
        """Per rule and typology: alerts, labels, precision = (confirmed + valuable) / labelled, weekly volume."""
        _check_format(output)
        try:
            first = date.fromisoformat(since) if since else None
            last = date.fromisoformat(until) if until else None
        except ValueError as exc:
            raise typer.BadParameter("dates are YYYY-MM-DD") from exc
        figures = review(state.context(), since=first, until=last)
        if output == "json":
            typer.echo(figures.model_dump_json())
            return
        for title, rows in (("typology", figures.typologies), ("rule", figures.rules)):
            table = Table(title, "alerts", "snoozed", "labelled", "true", "false +", "precision", *figures.weeks)
            for r in rows:
                table.add_row(
                    r.name,
                    str(r.alerts),
                    str(r.snoozed),
                    str(r.labelled),
                    str(r.confirmed_or_valuable),
                    str(r.false_positives),
                    str(r.precision) if r.precision is not None else "—",
                    *(str(r.weeks.get(w, 0)) for w in figures.weeks),
                )
            console().print(table)
