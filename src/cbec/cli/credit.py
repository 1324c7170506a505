"""`cbec credit ...`: the credit database, its configuration, the zone rating (信用体系)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from cbec.cli.credit_lists import register as register_lists
from cbec.cli.credit_office import register as register_office
from cbec.cli.credit_repair import register as register_repair
from cbec.cli.credit_uncorrected import register as register_uncorrected
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import RatingRead, ScreenIn, ScreenReport
from cbec.credit.schemes import ConfigKind, windows_csv
from cbec.credit.service import (
    alert_enterprises,
    apply_events,
    import_facts,
    load_configuration,
    rate_subjects,
    screen_name,
    seed_configuration,
    set_override,
    show_subject,
    subject_facts,
)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text}") from exc


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a time (ISO 8601): {text}") from exc


def _print_rating(rating: RatingRead) -> None:
    out = console()
    name = f" {escape(rating.name)}" if rating.name else ""
    out.print(
        f"{escape(rating.subject)}{name}: level {rating.level}, score {rating.score} on {rating.on} "
        f"(ruleset {escape(rating.ruleset)}; score alone {rating.score_level}, after floors "
        f"{rating.computed_level})"
    )
    if rating.override:
        o = rating.override
        out.print(f"override {o.level} by {escape(o.actor)} until {o.valid_until}: {escape(o.reason)}")
    floors = Table("floor", "bound", "level", "facts", "moved the level", "what", title="floors applied")
    for f in rating.floors:
        floors.add_row(
            f.id, f.bound, f.level, ", ".join(map(str, f.fact_ids)), "yes" if f.changed else "no", escape(f.description)
        )
    out.print(floors)
    table = Table(
        "fact",
        "type",
        "severity",
        "document",
        "decided",
        "counts until",
        "modifier",
        "points",
        "counted",
        title="contributions",
    )
    for c in rating.contributions:
        table.add_row(
            str(c.fact_id),
            c.fact_type,
            c.severity,
            escape(c.document_no or ""),
            str(c.decided_on or ""),
            str(c.publish_max_until or "open"),
            c.modifier or "",
            str(c.points),
            str(c.counted),
        )
    out.print(table)


def _print_screen(report: ScreenReport) -> None:
    out = console()
    out.print(
        f"{escape(report.query)}: {len(report.hits)} hits at threshold {report.threshold} "
        f"({report.entries} list entries in force on {report.on})"
    )
    if not report.hits:
        return
    table = Table("score", "band", "matched", "subject", "name", "list", "legal basis", "document", "features")
    for hit in report.hits:
        shown = ", ".join(f"{f.name} {f.value:.2f}×{f.weight:.2f}" for f in hit.features)
        table.add_row(
            f"{hit.score:.4f}",
            hit.band,
            hit.matched,
            escape(hit.subject),
            escape(hit.name or "-"),
            hit.list_type or "-",
            escape(hit.legal_basis or "-"),
            escape(hit.document_no or "-"),
            shown or "-",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the `credit` group."""
    group = typer.Typer(help="Credit database and zone rating (信用体系).", no_args_is_help=True)
    facts = typer.Typer(help="Credit facts (信用事实).", no_args_is_help=True)
    config = typer.Typer(help="Effective-dated credit configuration (信用配置).", no_args_is_help=True)

    @group.command("seed")
    def seed(actor: str = typer.Option("cli", "--actor")) -> None:
        """Load the shipped configuration: Decree 251 and 282 schemes, disclosure windows, the zone ruleset."""
        try:
            report = seed_configuration(state.context(), actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"loaded {len(report.loaded)}, unchanged {len(report.unchanged)}: "
            + ", ".join(report.loaded + report.unchanged)
        )

    @config.command("load")
    def load(
        path: Path,
        kind: str = typer.Option(
            ..., "--kind", help="scheme, windows (CSV or JSON), ruleset, supervision, objection or lists."
        ),
        code: str = typer.Option("disclosure", "--code", help="Code of a windows CSV."),
        version: str = typer.Option("1", "--version", help="Version of a windows CSV."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Load one configuration document (a new version; past versions never change)."""
        if kind not in ConfigKind.ALL:
            raise typer.BadParameter(f"--kind must be one of {', '.join(ConfigKind.ALL)}")
        text = path.read_text("utf-8-sig")
        value: Any = (
            windows_csv(text, code=code, version=version) if path.suffix.lower() == ".csv" else json.loads(text)
        )
        try:
            report = load_configuration(state.context(), [(kind, value)], actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"loaded: {', '.join(report.loaded) or '-'}; unchanged: {', '.join(report.unchanged) or '-'}")

    @facts.command("import")
    def import_(path: Path, actor: str = typer.Option("cli", "--actor")) -> None:
        """Import agencies' facts from CSV or JSON: all rows or none; every problem listed by row, rule, field."""
        try:
            report = import_facts(state.context(), path, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"{report.source}: {report.rows} rows, {report.recorded} facts recorded, "
            f"{report.subjects_created} new subjects"
        )

    @facts.command("list")
    def list_(subject: str, output: str = typer.Option("table", "--format", help="table or json.")) -> None:
        """List every row recorded about a subject, corrections and withdrawals included."""
        try:
            rows = subject_facts(state.context(), subject)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2))
            return
        table = Table(
            "id",
            "type",
            "severity",
            "source",
            "document",
            "decided",
            "valid",
            "counts until",
            "supersedes",
            "retracted",
        )
        for r in rows:
            table.add_row(
                str(r.id),
                r.fact_type,
                r.severity,
                r.source,
                escape(r.document_no or ""),
                str(r.decided_on),
                f"{r.valid_from} – {r.valid_to or ''}",
                str(r.publish_max_until or "open"),
                str(r.supersedes or ""),
                "yes" if r.retracted else "",
            )
        console().print(table)

    @group.command("show")
    def show(
        subject: str,
        on: str | None = typer.Option(None, "--on", help="The day asked about (YYYY-MM-DD; default today)."),
        known_at: str | None = typer.Option(None, "--known-at", help="Facts as known at this time (ISO 8601)."),
        output: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Show a subject's level, score, floors and contributions on a day (SUBJECT: credit or customs code)."""
        try:
            rating = show_subject(state.context(), subject, on=_day(on), known_at=_moment(known_at))
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(rating.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _print_rating(rating)

    @group.command("rate")
    def rate(
        dry_run: bool = typer.Option(True, "--dry-run/--publish", help="Dry: store nothing (the default)."),
        on: str | None = typer.Option(None, "--on", help="The day rated (default today)."),
        ruleset: Path | None = typer.Option(None, "--ruleset", help="A ruleset JSON to try (dry runs only)."),
        output: str = typer.Option("table", "--format", help="table or json."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Rate every subject: the level distribution and the movers (against the last stored levels)."""
        candidate = json.loads(ruleset.read_text("utf-8")) if ruleset else None
        try:
            report = rate_subjects(state.context(), on=_day(on), candidate=candidate, dry_run=dry_run, actor=actor)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        mode = "dry run" if report.dry_run else f"published {report.stored} ratings"
        console().print(f"{report.ruleset} on {report.on}: {report.subjects} subjects, {mode}")
        dist = Table(*report.distribution.keys(), title="levels")
        dist.add_row(*(str(v) for v in report.distribution.values()))
        console().print(dist)
        movers = Table("subject", "before", "after", "score", title="movers")
        for m in report.movers:
            movers.add_row(m.subject, m.before or "-", m.after, str(m.score))
        console().print(movers)

    @group.command("override")
    def override(
        subject: str,
        level: str = typer.Option(..., "--level"),
        reason: str = typer.Option(..., "--reason"),
        until: str = typer.Option(..., "--until", help="Last day + 1 (YYYY-MM-DD): the override ends then."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Set a subject's level by hand until a day, with a reason (the actor is recorded)."""
        day = _day(until)
        assert day is not None
        try:
            rating = set_override(state.context(), subject, level=level, reason=reason, until=day, actor=actor)
        except DomainError as exc:
            fail(exc)
        _print_rating(rating)

    @group.command("screen")
    def screen(
        name: str | None = typer.Option(None, "--name", help="A name to screen against the lists in force."),
        uscc: str | None = typer.Option(None, "--uscc", help="A credit code (exact match)."),
        customs_code: str | None = typer.Option(None, "--customs-code", help="A customs code (exact match)."),
        every: bool = typer.Option(False, "--all", help="Screen every filed enterprise."),
        on: str | None = typer.Option(None, "--on", help="The day the lists are read on (default today)."),
        threshold: float | None = typer.Option(None, "--threshold", help="Alert threshold, 0.5 to 1."),
        limit: int = typer.Option(20, "--limit", help="Most hits per name."),
        output: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """Screen a name (and codes), or every filed enterprise, against the negative lists (名单筛查)."""
        ctx = state.context()
        if every:
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console(),
                transient=True,
            ) as bar:
                task = bar.add_task("screening filed enterprises", total=None)

                def advance(done: int, total: int) -> None:
                    """Move the progress bar."""
                    bar.update(task, completed=done, total=total)

                try:
                    batch = alert_enterprises(ctx, on=_day(on), threshold=threshold, progress=advance)
                except DomainError as exc:
                    bar.stop()
                    fail(exc)
            if output == "json":
                typer.echo(json.dumps(batch.model_dump(mode="json"), ensure_ascii=False, indent=2))
                return
            console().print(
                f"{batch.screened} filed enterprises screened against {batch.entries} list entries on {batch.on}: "
                f"{batch.flagged} with hits; alerts stored: {batch.alerts_new} new, {batch.alerts_known} known"
            )
            for report in batch.results:
                _print_screen(report)
            return
        request = ScreenIn(name=name, uscc=uscc, customs_code=customs_code, on=on, threshold=threshold, limit=limit)
        try:
            report = screen_name(ctx, request)
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        _print_screen(report)

    @group.command("consume")
    def consume(limit: int = typer.Option(500, "--limit", help="Events per transaction.")) -> None:
        """Apply the platform's new events to the credit database, exactly once: filings, refused inventories and
        reported risk cases become subjects and facts; declarations are screened against the lists (alerts)."""
        try:
            report = apply_events(state.context(), limit=limit)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"{report.handled} events applied, {report.facts_recorded} facts recorded, "
            f"alerts stored: {report.alerts_new} new, {report.alerts_known} known, position {report.position}"
        )

    register_repair(group)
    register_lists(group)
    register_office(group)
    register_uncorrected(group)
    group.add_typer(facts, name="facts")
    group.add_typer(config, name="config")
    app.add_typer(group, name="credit")
