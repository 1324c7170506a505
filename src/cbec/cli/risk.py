"""`cbec risk ...`: counters from events, decisions and alerts, the loaded rules (风险防控)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError
from cbec.risk.deliveries import sweep_deliveries
from cbec.risk.exports import sweep_exports
from cbec.risk.lanes import MIN_RANDOM_SHARE, Lane, LanePolicy
from cbec.risk.ml import MlPolicy
from cbec.risk.ml_store import train_model
from cbec.risk.rules import Typology
from cbec.risk.service import apply_events, day_lanes, list_alerts, refresh_bands


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not a time (ISO 8601, Asia/Shanghai if no offset): {text}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def register(app: typer.Typer) -> None:
    """Add the `risk` command group."""
    group = typer.Typer(help="Risk prevention: counters, rule decisions and alerts (风险防控).", no_args_is_help=True)

    @group.command("consume")
    def consume(
        limit: int = typer.Option(500, "--limit", help="Events per transaction."),
        bands: bool = typer.Option(False, "--bands/--no-bands", help="Recompute the HS6 unit-value bands first."),
    ) -> None:
        """Apply new events exactly once: update the counters and assess newly accepted import inventories."""
        try:
            if bands:
                report = refresh_bands(state.context())
                console().print(
                    f"bands: {report.bands} for {report.hs6} HS6 codes from {report.lines} lines since {report.since}"
                )
            done = apply_events(state.context(), limit=limit)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"{done.handled} events read, {done.assessed} inventories assessed, {done.alerts} alerts, "
            f"{done.holds} holds, position {done.position}"
            + (f"; lanes {', '.join(f'{lane} {n}' for lane, n in done.lanes.items())}" if done.lanes else "")
        )

    @group.command("bands")
    def bands_cmd(days: int = typer.Option(365, "--days", help="Facts of the last days.")) -> None:
        """Recompute the robust unit-value band (median, MAD) of every HS6 from the import trade facts."""
        report = refresh_bands(state.context(), days=days)
        console().print(
            f"{report.bands} bands (by HS6, origin and brand) for {report.hs6} HS6 codes from {report.lines} lines"
            f" since {report.since}"
        )

    @group.command("alerts")
    def alerts(
        since: str | None = typer.Option(None, "--since", help="Decided at or after (ISO 8601)."),
        until: str | None = typer.Option(None, "--until", help="Decided before (ISO 8601)."),
        typology: str | None = typer.Option(
            None, "--typology", help="Only one: " + ", ".join(t.value for t in Typology) + "."
        ),
        output: str = typer.Option("table", "--format", help="jsonl (one alert per line) or table."),
    ) -> None:
        """List alerts: each typology of a decision at review or above, with its contributions."""
        if typology is not None and typology not in {t.value for t in Typology}:
            raise typer.BadParameter(f"unknown typology: {typology}")
        if output not in {"jsonl", "table"}:
            raise typer.BadParameter("--format is jsonl or table")
        found = list_alerts(state.context(), since=_moment(since), until=_moment(until), typology=typology)
        if output == "jsonl":
            for alert in found:
                typer.echo(alert.model_dump_json())
            return
        table = Table("typology", "inventory", "order", "day", "score", "band", "rules", title=f"{len(found)} alerts")
        for a in found:
            rules = ", ".join(f"{c.rule}+{c.weight}" for c in a.contributions)
            table.add_row(a.typology, a.eport_no, escape(a.order_no), str(a.business_day), str(a.score), a.band, rules)
        console().print(table)

    # `cbec risk rules …` (the published rules, versions, shadow, backtest, publish): cbec.cli.risk_versions
    @group.command("lanes")
    def lanes(
        day: str = typer.Option(..., "--day", help="Business day (YYYY-MM-DD) of the decisions."),
        budget: int = typer.Option(..., "--budget", help="Physical inspections the day allows."),
        random_share: str = typer.Option(str(MIN_RANDOM_SHARE), "--random-share", help="Green share sampled (≥ 0.02)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the random draw (same seed and day, same draw)."),
        output: str = typer.Option("table", "--format", help="jsonl (one inventory per line) or table."),
    ) -> None:
        """Show the lanes (red, yellow, blue, green) of a day's decisions under a budget; nothing is written."""
        try:
            on, share = date.fromisoformat(day), Decimal(random_share)
        except (ValueError, InvalidOperation) as exc:
            raise typer.BadParameter(f"--day is YYYY-MM-DD and --random-share a decimal: {exc}") from exc
        if output not in {"jsonl", "table"}:
            raise typer.BadParameter("--format is jsonl or table")
        try:
            found = day_lanes(state.context(), on, LanePolicy(budget=budget, random_share=share, seed=seed))
        except DomainError as exc:
            fail(exc)
        if output == "jsonl":
            for d in found:
                row = {"eport_no": d.eport_no, "lane": d.lane.value, "reason": d.reason}
                typer.echo(json.dumps({**row, "priority": str(d.priority), "multiplier": str(d.multiplier)}))
            return
        counts = Counter(d.lane for d in found)
        title = ", ".join(f"{lane.value} {counts[lane]}" for lane in Lane)
        table = Table("inventory", "lane", "reason", "priority", "multiplier", title=title)
        for d in found:
            table.add_row(d.eport_no, d.lane.value, d.reason, str(d.priority), str(d.multiplier))
        console().print(table)

    @group.command("sweep-exports")
    def sweep_exports_cmd(
        days: int | None = typer.Option(None, "--days", help="Days after release (default: the rules' receipt_days)."),
    ) -> None:
        """Assess 9610/9710 exports released that many days ago without a receipt of payment (R5.4)."""
        try:
            done = sweep_exports(state.context(), days=days)
        except DomainError as exc:
            fail(exc)
        console().print(
            f"{done.assessed} exports released by {done.released_until} without a receipt of payment assessed, "
            f"{done.alerts} alerts (ruleset {done.ruleset_version})"
        )

    @group.command("sweep-deliveries")
    def sweep_deliveries_cmd(
        days: int | None = typer.Option(
            None, "--days", help="Release days to look back over (default: the rules' delivery_sweep_days)."
        ),
    ) -> None:
        """Assess the parcels of each release day now unsigned_days old, once, that have no signing (R2.4, D2)."""
        try:
            done = sweep_deliveries(state.context(), days=days)
        except DomainError as exc:
            fail(exc)
        swept = ", ".join(d.isoformat() for d in done.days) or "none"
        console().print(
            f"release days swept: {swept} (up to {done.released_until}); {done.parcels} parcels, "
            f"{done.unsigned} with no signing assessed, {done.alerts} alerts (ruleset {done.ruleset_version})"
        )

    @group.command("sweeps")
    def sweeps_cmd() -> None:
        """The daily risk job: consume new events (signings first), then sweep exports (R5.4) and deliveries (R2.4)."""
        try:
            ctx = state.context()
            consumed = apply_events(ctx)
            exports = sweep_exports(ctx)
            deliveries = sweep_deliveries(ctx)
        except DomainError as exc:
            fail(exc)
        console().print(f"{consumed.handled} events, {consumed.assessed} assessed, {consumed.alerts} alerts")
        console().print(f"exports: {exports.assessed} assessed, {exports.alerts} alerts")
        console().print(
            f"deliveries: {len(deliveries.days)} release days, {deliveries.unsigned} unsigned parcels assessed, "
            f"{deliveries.alerts} alerts"
        )

    @group.command("ml-train")
    def ml_train(
        seed: int = typer.Option(0, "--seed", help="Seed of the forest (the same rows and seed, the same model)."),
        cap_share: str = typer.Option("0.5", "--cap-share", help="Share of the review threshold the term may reach."),
        limit: int = typer.Option(20_000, "--limit", help="Latest decisions of the live version to train on."),
    ) -> None:
        """Train the optional ML term on stored decisions and store it by digest (off without scikit-learn)."""
        try:
            share = Decimal(cap_share)
        except InvalidOperation as exc:
            raise typer.BadParameter(f"not a number: {cap_share}") from exc
        try:
            done = train_model(state.context(), policy=MlPolicy(share, seed), limit=limit)
        except DomainError as exc:
            fail(exc)
        if done.digest is None:
            console().print(f"ML term off: {escape(done.reason)} ({done.rows} decisions)")
            return
        console().print(f"model {done.digest} trained on {done.rows} decisions")

    app.add_typer(group, name="risk")
