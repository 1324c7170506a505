"""`cbec risk rules …`: the published rules, ruleset versions, shadow runs, backtests and publication (规则集版本)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError
from cbec.risk.service import list_rules
from cbec.risk.versions import (
    VersionRead,
    consumer_rulesets,
    draft,
    export_bundle,
    import_bundle,
    list_versions,
    publish,
    retire,
    ruleset_of,
    run_backtest,
    shadow_report,
    show,
    take_snapshot,
    to_shadow,
)

ACTOR = typer.Option("cli", "--actor", help="Who acts (recorded as author or approver).")


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a time (ISO 8601, Asia/Shanghai if no offset): {text}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _risk_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "risk" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("cbec.cli.risk registers the risk group first (COMMAND_MODULES)")


def register(app: typer.Typer) -> None:
    """Add `cbec risk rules …` to the risk command group."""
    rules = typer.Typer(help="Ruleset versions: draft, shadow, backtest, publish (规则集版本).")

    @rules.callback(invoke_without_command=True)
    def loaded(ctx: typer.Context) -> None:
        """List the rules of the published version: input, guards, bands with weights, reason."""
        if ctx.invoked_subcommand is not None:
            return
        live, _ = consumer_rulesets(state.context())
        title = f"version {live.version}"
        table = Table("rule", "typology", "input", "guards", "bands → points", "reason", title=title)
        for r in list_rules(live):
            table.add_row(r.id, r.typology, r.input, "; ".join(r.guards), "; ".join(r.bands), escape(r.reason_en))
        console().print(table)

    @rules.command("draft")
    def draft_cmd(
        path: Path,
        tables: bool = typer.Option(False, "--tables", help="FILE is a JDM decision-table bundle (export format)."),
        actor: str = ACTOR,
    ) -> None:
        """Store a ruleset file as a new draft version (checked: every problem with its rule id)."""
        raw = path.read_text(encoding="utf-8")
        try:
            text = import_bundle(json.loads(raw)) if tables else raw
            done = draft(state.context(), text, actor=actor)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"not JSON: {exc}") from exc
        except DomainError as exc:
            fail(exc)
        console().print(f"draft {done.version} ({done.rules} rules) sha256 {done.sha256} by {escape(done.author)}")

    @rules.command("list")
    def list_cmd() -> None:
        """List the versions, newest first: state, author, approver, digest."""
        table = Table("version", "state", "rules", "author", "approver", "created", "published", "sha256")
        for v in list_versions(state.context()):
            table.add_row(
                v.version,
                v.state,
                str(v.rules),
                escape(v.author),
                escape(v.approver or ""),
                f"{v.created_at:%Y-%m-%d %H:%M}",
                f"{v.published_at:%Y-%m-%d %H:%M}" if v.published_at else "",
                v.sha256[:16],
            )
        console().print(table)

    @rules.command("show")
    def show_cmd(version: str) -> None:
        """Print a version's JSON document."""
        try:
            typer.echo(show(state.context(), version).body)
        except DomainError as exc:
            fail(exc)

    @rules.command("export")
    def export_cmd(version: str) -> None:
        """Print a version as JDM decision tables (one graph per typology: rules, bands)."""
        try:
            body = show(state.context(), version).body or ""
        except DomainError as exc:
            fail(exc)
        typer.echo(json.dumps(export_bundle(ruleset_of(body), json.loads(body)), ensure_ascii=False, indent=2))

    def _act(action: Callable[..., VersionRead], version: str, actor: str) -> None:
        try:
            done = action(state.context(), version, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"{done.version}: {done.state} (author {escape(done.author)}, approver {done.approver or '-'})")

    @rules.command("shadow")
    def shadow_cmd(version: str, actor: str = ACTOR) -> None:
        """Put a draft in shadow: phantom decisions beside the live ones, no holds or alerts."""
        _act(to_shadow, version, actor)

    @rules.command("publish")
    def publish_cmd(version: str, actor: str = ACTOR) -> None:
        """Publish a version in shadow; a second person, never its author (RSK-VERSION-SELF-APPROVAL)."""
        _act(publish, version, actor)

    @rules.command("retire")
    def retire_cmd(version: str, actor: str = ACTOR) -> None:
        """Retire a draft or shadow version."""
        _act(retire, version, actor)

    @rules.command("delta")
    def delta_cmd(
        version: str,
        since: str | None = typer.Option(None, "--since", help="Decided at or after (ISO 8601)."),
        until: str | None = typer.Option(None, "--until", help="Decided before (ISO 8601)."),
    ) -> None:
        """The shadow volume delta: per typology and band, live vs shadow decisions over a period."""
        try:
            report = shadow_report(state.context(), version, since=_moment(since), until=_moment(until))
        except DomainError as exc:
            fail(exc)
        table = Table("typology", "band", "live", "shadow", "delta", title=f"{report.decisions} decisions shadowed")
        for row in report.rows:
            table.add_row(row.typology, row.band, str(row.live), str(row.shadow), f"{row.delta:+d}")
        console().print(table)

    @rules.command("backtest")
    def backtest_cmd(
        version: str,
        since: str | None = typer.Option(None, "--since", help="Decided at or after (ISO 8601)."),
        until: str | None = typer.Option(None, "--until", help="Decided before (ISO 8601)."),
        workers: int = typer.Option(1, "--workers", min=1, max=16, help="Processes scanning parts of the history."),
        output: str = typer.Option("table", "--format", help="json or table."),
        snapshot: Path | None = typer.Option(
            None, "--snapshot", help="Read a decision snapshot (`cbec risk snapshot`) instead of the database."
        ),
        actor: str = ACTOR,
    ) -> None:
        """Evaluate a version over the inputs of stored decisions: alerts live vs candidate, band changes."""
        try:
            report = run_backtest(
                state.context(),
                version,
                since=_moment(since),
                until=_moment(until),
                workers=workers,
                actor=actor,
                snapshot=snapshot,
            )
        except DomainError as exc:
            fail(exc)
        if output == "json":
            typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
            return
        table = Table(
            "typology",
            "live alerts",
            "candidate alerts",
            "band changes",
            "precision",
            title=f"{report.decisions} decisions, {report.changed} change band, {report.seconds} s",
        )
        for t in report.typologies:
            changes = ", ".join(f"{k} {n}" for k, n in t.band_changes.items())
            precision = f"{t.precision:.3f} of {t.labelled}" if t.precision is not None else "no labels"
            table.add_row(t.typology, str(t.live_alerts), str(t.candidate_alerts), changes, precision)
        console().print(table)
        if report.missing_inputs:
            console().print(f"inputs no stored trace holds (insufficient): {', '.join(report.missing_inputs)}")

    _risk_group(app).add_typer(rules, name="rules")
    # the issue's `cbec risk backtest V`: the same command as `cbec risk rules backtest V`
    _risk_group(app).command("backtest", help="Backtest a ruleset version (the same as `cbec risk rules backtest`).")(
        backtest_cmd
    )

    @_risk_group(app).command("snapshot")
    def snapshot_cmd(
        out: Path = typer.Option(..., "--out", help="Folder of the snapshot (a later export appends a part)."),
        batch: int = typer.Option(20_000, "--batch", min=100, help="Decisions read per page."),
    ) -> None:
        """Write the stored decisions' inputs and live bands to Parquet (no subject keys), for fast backtests."""
        try:
            manifest = take_snapshot(state.context(), out, batch=batch)
        except DomainError as exc:
            fail(exc)
        parts = manifest["parts"]
        last = parts[-1] if parts else None
        added = f"; last part {last['file']}: {last['decisions']} decisions, sha256 {last['sha256']}" if last else ""
        console().print(f"{manifest['decisions']} decisions to id {manifest['last_id']} in {len(parts)} part(s){added}")
