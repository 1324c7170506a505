"""`cbec credit thirdparty|ruleset|aeo`: third-party reports and reviews, ruleset maker-checker, the AEO scorer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.credit_repair import ACTOR, FORMAT, _out
from cbec.cli.operator import AS_OR_ACTOR, acting
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import AeoAssessIn, AeoScoreRead, DecisionIn, RateReport
from cbec.credit.service import (
    assess_aeo,
    decide_review,
    decide_ruleset,
    dry_run_proposal,
    import_reports,
    list_assessments,
    list_reports,
    list_reviews,
    list_ruleset_proposals,
    propose_ruleset,
    score_aeo,
)

REPORT_COLUMNS = ("id", "agency", "subject", "report_no", "grade", "level", "valid_to", "algorithm", "fact_id")
REVIEW_COLUMNS = ("id", "report_id", "subject", "status", "agency_level", "zone_level", "notches", "decision")
PROPOSAL_COLUMNS = ("id", "ruleset", "effective_from", "status", "proposed_by", "decided_by")


def _json(path: Path) -> Any:
    """Return a JSON file's content; exit 2 when it cannot be read (docs/cli.md, "Exit statuses")."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        console().print(f"[red]error (unreadable):[/red] {escape(str(path))}: {escape(str(exc))}")
        raise typer.Exit(2) from exc


def _print_dry(report: RateReport) -> None:
    out = console()
    out.print(f"{report.ruleset} on {report.on}: {report.subjects} subjects, {len(report.movers)} movers")
    table = Table("level", "subjects", title="distribution")
    for level, count in report.distribution.items():
        table.add_row(level, str(count))
    out.print(table)
    movers = Table("subject", "before", "after", "score", title="movers")
    for m in report.movers:
        movers.add_row(escape(m.subject), m.before or "-", m.after, str(m.score))
    out.print(movers)


def _print_aeo(result: AeoScoreRead) -> None:
    out = console()
    out.print(f"{result.standard}: score {result.score}, {'passed' if result.passed else 'not passed'}")
    for reason in result.reasons:
        out.print(f"  {escape(reason)}")
    table = Table("module", "items", "n.a.", "0", "-1", "-2", "total", title="modules")
    for m in result.modules:
        table.add_row(
            f"{m.name_zh} {m.module}",
            str(m.items),
            str(m.not_applicable),
            str(m.meets),
            str(m.basically_meets),
            str(m.fails),
            str(m.total),
        )
    out.print(table)


def register(group: typer.Typer) -> None:
    """Add the thirdparty, ruleset and aeo commands to the `credit` group."""
    thirdparty = typer.Typer(help="Third-party credit evaluation (第三方信用评价).", no_args_is_help=True)
    ruleset = typer.Typer(help="Rating rulesets, maker-checker (评级规则集双人发布).", no_args_is_help=True)
    aeo = typer.Typer(help="AEO self-assessment (认证标准自评).", no_args_is_help=True)

    @thirdparty.command("import")
    def thirdparty_import(path: Path, actor: str = ACTOR, output: str = FORMAT) -> None:
        """Import signed reports ({"reports": [{report, signature}]} or a list), all or none."""
        document = _json(path)
        items = document.get("reports") if isinstance(document, dict) else document
        try:
            done = import_reports(state.context(), items if isinstance(items, list) else [], actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(done.reports, output, REPORT_COLUMNS, f"reports imported, {done.reviews_opened} review(s) opened")

    @thirdparty.command("list")
    def thirdparty_list(output: str = FORMAT) -> None:
        """List the imported reports, newest first."""
        _out(list_reports(state.context()), output, REPORT_COLUMNS, "third-party reports")

    @thirdparty.command("review")
    def thirdparty_review(
        task_id: int | None = typer.Argument(None, help="The task to decide; none: list the tasks."),
        action: str | None = typer.Option(None, "--action", help="keep or withdraw."),
        note: str | None = typer.Option(None, "--note", help="Why (required)."),
        status: str | None = typer.Option(None, "--status", help="When listing: open or closed."),
        actor: str = ACTOR,
        output: str = FORMAT,
    ) -> None:
        """List the disagreement review tasks, or decide one (keep the report or withdraw its fact)."""
        try:
            if task_id is None:
                _out(list_reviews(state.context(), status=status), output, REVIEW_COLUMNS, "review tasks")
                return
            found = decide_review(state.context(), task_id, DecisionIn(action=action or "", note=note), actor=actor)
        except DomainError as exc:
            fail(exc)
        _out(found, output, REVIEW_COLUMNS, "review task")

    @ruleset.command("propose")
    def ruleset_propose(
        path: Path, actor: str = ACTOR, as_user: str | None = AS_OR_ACTOR, output: str = FORMAT
    ) -> None:
        """Propose a ruleset file; it is dry-run on its first day (another officer publishes it)."""
        document = _json(path)
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.rate")
        try:
            found = propose_ruleset(ctx, document if isinstance(document, dict) else {}, actor=name, account=account)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(found.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _out(found, output, PROPOSAL_COLUMNS, "ruleset proposal")
        console().print(f"dry run: {found.dry_run.get('distribution')}, {found.dry_run.get('movers_total')} movers")

    @ruleset.command("list")
    def ruleset_list(
        status: str | None = typer.Option(None, "--status", help="pending, published or rejected."),
        output: str = FORMAT,
    ) -> None:
        """List the ruleset proposals, newest first."""
        _out(list_ruleset_proposals(state.context(), status=status), output, PROPOSAL_COLUMNS, "ruleset proposals")

    @ruleset.command("dry-run")
    def ruleset_dry_run(proposal_id: int, actor: str = ACTOR, output: str = FORMAT) -> None:
        """Dry-run a proposal again on today's facts: distribution and movers."""
        try:
            report = dry_run_proposal(state.context(), proposal_id, actor=actor)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _print_dry(report)

    @ruleset.command("publish")
    def ruleset_publish(
        proposal_id: int,
        reject: bool = typer.Option(False, "--reject", help="Reject instead (with --note)."),
        note: str | None = typer.Option(None, "--note"),
        actor: str = ACTOR,
        as_user: str | None = AS_OR_ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Publish a proposal (another officer than the proposer) or reject it."""
        decision = DecisionIn(action="reject" if reject else "publish", note=note)
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.rate")
        try:
            found = decide_ruleset(ctx, proposal_id, decision, actor=name, account=account)
        except DomainError as exc:
            fail(exc)
        _out(found, output, PROPOSAL_COLUMNS, "ruleset proposal")

    @aeo.command("score")
    def aeo_score(path: Path, output: str = FORMAT) -> None:
        """Score an AEO self-assessment file ({"items": [{"module", "item", "score"}]})."""
        document = _json(path)
        try:
            result = score_aeo(document)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _print_aeo(result)

    @aeo.command("store")
    def aeo_store(
        path: Path,
        subject: str = typer.Option(..., "--subject", help="The enterprise's credit or customs code."),
        actor: str = ACTOR,
        as_user: str | None = AS_OR_ACTOR,
        output: str = FORMAT,
    ) -> None:
        """Score a self-assessment file and store it for an enterprise (recorded as a certification fact)."""
        document = _json(path)
        items = document.get("items") if isinstance(document, dict) else document
        ctx = state.context()
        name, account = acting(ctx, as_user, actor, "credit.read")
        try:
            stored = assess_aeo(
                ctx,
                AeoAssessIn(subject=subject, items=items if isinstance(items, list) else []),
                actor=name,
                account=account,
            )
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(stored.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        console().print(
            f"assessment {stored.id} of {stored.subject}: score {stored.score}, "
            f"{'passed' if stored.passed else 'failed'}; fact {stored.fact_id}"
        )

    @aeo.command("list")
    def aeo_list(subject: str, output: str = FORMAT) -> None:
        """List an enterprise's stored assessments, newest first."""
        try:
            found = list_assessments(state.context(), subject)
        except DomainError as exc:
            fail(exc)
        _out(found, output, ("id", "subject", "standard", "score", "passed", "assessed_by", "fact_id"), "assessments")

    group.add_typer(thirdparty, name="thirdparty")
    group.add_typer(ruleset, name="ruleset")
    group.add_typer(aeo, name="aeo")
