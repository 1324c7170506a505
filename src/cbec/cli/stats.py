"""`cbec stats …`: the indicator catalogue's figures (统计指标) for a period and tenant, and index observations;
the daily rollups (`rollup`), figures, breakdowns and the hub's view from them, and targets per tenant.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.cli.stats_engine import register_engine
from cbec.common.errors import DomainError
from cbec.common.scope import EVERYTHING, Scope
from cbec.statistics import DIMENSIONS, Span, parse_span, to_csv, to_xlsx
from cbec.statistics.indicators import CALIBER, RULE_VERSION, indicator_figures, observations
from cbec.statistics.queries import (
    due_reports,
    figure_breakdown,
    get_period_report,
    hub_view,
    list_surveys,
    rollup_indicators,
    survey_estimate,
)
from cbec.statistics.service import (
    create_survey,
    draw_sample,
    record_responses,
    run_rollup,
    set_tenant_target,
    target_progress,
)
from cbec.web.reports import generate_report

EXIT_USAGE = 2


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        Console(stderr=True).print(
            f"[red]{name}: 日期格式应为 YYYY-MM-DD / a date is YYYY-MM-DD: {escape(value)}[/red]"
        )
        raise typer.Exit(EXIT_USAGE) from exc


def register(app: typer.Typer) -> None:
    """Add the `stats` command group."""
    stats = typer.Typer(help="Statistics monitoring (统计监测).", no_args_is_help=True)

    @stats.command("indicators")
    def indicators(
        start: str = typer.Option(..., "--from", help="First business day (YYYY-MM-DD, Asia/Shanghai)."),
        end: str = typer.Option(..., "--to", help="Last business day, inclusive."),
        tenant: str = typer.Option("hub", "--tenant", help="Tenant subtree, e.g. hub/zhengzhou."),
        output: str = typer.Option("table", "--format", help="table | json | csv (UTF-8 with BOM, for Excel)"),
        out: Path | None = typer.Option(None, "--out", help="Write to this file instead of the terminal."),
    ) -> None:
        """Every indicator of the catalogue for the period and tenant, with caliber, vintage and rule version."""
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            Console(stderr=True).print("[red]--to 早于 --from / --to is before --from[/red]")
            raise typer.Exit(EXIT_USAGE)
        found = indicator_figures(state.context(), first, last, tenant=tenant)
        rows = [f.as_row() for f in found]
        if output == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2)
        elif output == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            text = "\ufeff" + buffer.getvalue()
        else:
            table = Table(title=f"{escape(tenant)} {first} – {last} ({CALIBER}, rule {RULE_VERSION})")
            for column in ("indicator", "指标", "value", "unit", "vintage"):
                table.add_column(column)
            for row in rows:
                table.add_row(row["code"], row["name_zh"], row["value"] or "—", row["unit"], row["vintage"])
            Console().print(table)
            return
        if out is not None:
            out.write_text(text, encoding="utf-8")
            Console().print(f"wrote {len(rows)} indicators to {escape(str(out))}")
        else:
            typer.echo(text, nl=False)

    @stats.command("observations")
    def index_observations(
        tenants: list[str] = typer.Option(..., "--tenant", help="A zone of the index (repeat), e.g. hub/zhengzhou."),
        years: str = typer.Option(..., "--years", help="Years, e.g. 2024-2026 or 2025,2026."),
        out: Path = typer.Option(..., "--out", help="CSV of zone,period,indicator,value for `cbec index compute`."),
    ) -> None:
        """Write yearly figures per tenant as observations of the development index."""
        try:
            if "-" in years:
                low, high = (int(part) for part in years.split("-", 1))
                chosen = list(range(low, high + 1))
            else:
                chosen = [int(part) for part in years.split(",")]
        except ValueError as exc:
            Console(stderr=True).print(f"[red]--years: 例如 2024-2026 / e.g. 2024-2026: {escape(years)}[/red]")
            raise typer.Exit(EXIT_USAGE) from exc
        rows = observations(state.context(), tenants, chosen)
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["zone", "period", "indicator", "value"])
            writer.writeheader()
            writer.writerows(rows)
        Console().print(f"wrote {len(rows)} observations to {escape(str(out))}")

    register_rollups(stats)
    register_reports(stats)
    register_surveys(stats)
    register_engine(stats, _emit)
    app.add_typer(stats, name="stats")


def register_surveys(stats: typer.Typer) -> None:
    """Add `survey create | draw | answers | estimate | list` (抽样调查)."""
    survey = typer.Typer(help="Sample surveys (抽样调查): kept apart from platform figures.", no_args_is_help=True)

    @survey.command("create")
    def create(
        code: str = typer.Option(..., "--code"),
        title: str = typer.Option(..., "--title"),
        question: str = typer.Option(..., "--question", help="What each sampled enterprise answers (an amount)."),
        period: str = typer.Option(..., "--period", help="Reference period: 2026-11, 2026-Q4 or 2026."),
        min_size: str = typer.Option("0", "--min-size", help="Frame: released trade ≥ this (CNY) in the period."),
        take_all_at: str = typer.Option("", "--take-all-at", help="Units this large or larger are all asked."),
        sample_size: int = typer.Option(..., "--sample", help="Units drawn from the rest."),
        seed: int = typer.Option(20261206, "--seed"),
        tenant: str = typer.Option("hub", "--tenant"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Define a survey of a tenant subtree."""
        try:
            done = create_survey(state.context(), code=code, title=title, question=question, period=period,
                                 min_size=min_size, take_all_at=take_all_at, sample_size=sample_size, seed=seed,
                                 actor=actor, scope=Scope(tenant=tenant))  # fmt: skip
        except DomainError as exc:
            fail(exc)
        Console().print(f"survey {escape(done.code)} ({done.state}) for {escape(done.tenant)} {done.period}")

    @survey.command("draw")
    def draw(code: str, actor: str = typer.Option("cli", "--actor")) -> None:
        """Build the frame from the rollups and draw the sample (once)."""
        try:
            done = draw_sample(state.context(), code, actor=actor, scope=EVERYTHING)
        except DomainError as exc:
            fail(exc)
        Console().print(f"survey {escape(done.code)}: frame {done.frame}, asked {done.selected}")

    @survey.command("answers")
    def answers(code: str, path: Path, actor: str = typer.Option("cli", "--actor")) -> None:
        """Import responses from a CSV with the header code,value (UTF-8, a BOM is fine); all or nothing."""
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        try:
            done = record_responses(state.context(), code, rows, actor=actor, scope=EVERYTHING)
        except DomainError as exc:
            fail(exc)
        Console().print(f"survey {escape(done.code)}: {done.answered} of {done.selected} answered")

    @survey.command("estimate")
    def estimate_(code: str, output: str = typer.Option("table", "--format", help="table | json")) -> None:
        """The estimated total with its standard error, CV and response rate (caliber survey)."""
        try:
            view, found = survey_estimate(state.context(), code, EVERYTHING)
        except DomainError as exc:
            fail(exc)
        strata = [
            {"stratum": s.stratum, "N": s.population, "n": s.sampled, "responded": s.responded,
             "mean": None if s.mean is None else str(s.mean), "total": None if s.total is None else str(s.total)}
            for s in found.strata
        ]  # fmt: skip
        row = {
            "survey": view.code,
            "period": view.period,
            "tenant": view.tenant,
            "caliber": found.caliber,
            "total": None if found.total is None else str(found.total),
            "standard_error": None if found.standard_error is None else str(found.standard_error),
            "cv": None if found.cv is None else str(found.cv),
            "response_rate": None if found.response_rate is None else str(found.response_rate),
            "strata": strata,
        }
        if output == "json":
            typer.echo(json.dumps(row, ensure_ascii=False, indent=2))
            return
        Console().print(
            f"{escape(view.code)} {view.period} ({found.caliber}): total {row['total']} ± {row['standard_error']} "
            f"(CV {row['cv']}), response rate {row['response_rate']}"
        )

    @survey.command("list")
    def list_() -> None:
        """The surveys, newest first."""
        for view in list_surveys(state.context(), EVERYTHING):
            Console().print(
                f"{escape(view.code)} · {escape(view.title)} · {view.period} · {view.state} · frame {view.frame}, "
                f"asked {view.selected}, answered {view.answered}"
            )

    stats.add_typer(survey, name="survey")


def register_reports(stats: typer.Typer) -> None:
    """Add `report`: a monthly or quarterly report, or every report due."""

    @stats.command("report")
    def report(
        period: str | None = typer.Option(None, "--period", help="A month (2026-11) or a quarter (2026-Q4)."),
        tenant: str = typer.Option("hub", "--tenant", help="Tenant subtree, e.g. hub/sanya."),
        due: bool = typer.Option(False, "--due", help="Every tenant's report of the month and quarter just closed."),
        lang: str = typer.Option("zh-CN", "--lang", help="zh-CN | en"),
        out: Path | None = typer.Option(None, "--out", help="Also write the HTML to this file (one report)."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Generate and keep a printable HTML report (charts inline); --due generates what the daily job owes."""
        ctx = state.context()
        wanted = due_reports(ctx, lang=lang) if due else [(tenant, period or "")]
        for who, when in wanted:
            try:
                stored = generate_report(ctx, when, who, lang=lang, actor_name=actor)
            except DomainError as exc:
                fail(exc)
            Console().print(f"report {stored.id}: {escape(stored.tenant)} {stored.period} r{stored.revision}")
            if out is not None and not due:
                out.write_text(get_period_report(ctx, stored.id, Scope()).html or "", encoding="utf-8")
                Console().print(f"wrote {escape(str(out))}")
        if due and not wanted:
            Console().print("no report due / 无待生成报告")


def _span(period: str) -> Span:
    found = parse_span(period)
    if found is None:
        Console(stderr=True).print(
            f"[red]--period: 例如 2026、2026-Q1、2026-03、2026-03-15 或 2026-03-01..2026-03-31: {escape(period)}[/red]"
        )
        raise typer.Exit(EXIT_USAGE)
    return found


def _emit(
    rows: list[dict[str, object]], output: str, out: Path | None, title: str, shown: tuple[str, ...] = ()
) -> None:
    """Print rows as a table (``shown`` columns, or all), or write json, csv (UTF-8 with BOM) or xlsx (with --out)."""
    if output == "table":
        table = Table(title=escape(title))
        columns = list(shown or (rows[0] if rows else []))
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*("—" if row[c] is None else escape(str(row[c])) for c in columns))
        Console().print(table)
        return
    if output == "json":
        body = json.dumps(rows, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    elif output == "csv":
        body = to_csv(rows)
    elif output == "xlsx":
        if out is None:
            Console(stderr=True).print("[red]xlsx 需要 --out / xlsx needs --out FILE[/red]")
            raise typer.Exit(EXIT_USAGE)
        body = to_xlsx(rows, sheet=title[:31], title=title)
    else:
        Console(stderr=True).print(f"[red]--format: table | json | csv | xlsx, not {escape(output)}[/red]")
        raise typer.Exit(EXIT_USAGE)
    if out is not None:
        out.write_bytes(body)
        Console().print(f"wrote {len(rows)} rows to {escape(str(out))}")
    else:
        typer.echo(body.decode("utf-8"), nl=False)


FORMAT_HELP = "table | json | csv (UTF-8 with BOM, for Excel) | xlsx (with --out)"


def register_rollups(stats: typer.Typer) -> None:
    """Add `rollup`, `figures`, `breakdown`, `hub` and `targets` to the `stats` group."""

    @stats.command("rollup")
    def rollup(
        full: bool = typer.Option(False, "--full", help="Recount every day from the facts too (after a backfill)."),
        replay_from: int | None = typer.Option(None, "--replay-from", help="Rewind the consumer to this position."),
    ) -> None:
        """Bring the daily rollups up to date from the event outbox (exactly once), with a progress bar."""
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            try:
                report = run_rollup(state.context(), full=full, replay_from=replay_from, progress=progress)
            except DomainError as exc:
                fail(exc)
        Console().print(
            f"{report.events} events, {report.inventories} inventories, {report.days} tenant-days recounted, "
            f"{report.rows} rows; position {report.position}"
        )

    @stats.command("figures")
    def figures(
        period: str = typer.Option(..., "--period", help="2026, 2026-Q1, 2026-03, 2026-03-15 or FROM..TO."),
        tenant: str = typer.Option("hub", "--tenant", help="Tenant subtree, e.g. hub/sanya."),
        output: str = typer.Option("table", "--format", help=FORMAT_HELP),
        out: Path | None = typer.Option(None, "--out", help="Write to this file."),
    ) -> None:
        """The indicators from the daily rollups, YoY, MoM, share and contribution included."""
        span = _span(period)
        rows: list[dict[str, object]] = [dict(f.as_row()) for f in rollup_indicators(state.context(), span, tenant)]
        shown = ("code", "name_zh", "value", "unit", "vintage", "rule_version")
        _emit(rows, output, out, f"{tenant} {span.label} ({CALIBER})", shown)

    @stats.command("breakdown")
    def breakdown(
        by: str = typer.Option(..., "--by", help=" | ".join(DIMENSIONS)),
        period: str = typer.Option(..., "--period", help="2026, 2026-Q1, 2026-03, 2026-03-15 or FROM..TO."),
        tenant: str = typer.Option("hub", "--tenant"),
        output: str = typer.Option("table", "--format", help=FORMAT_HELP),
        out: Path | None = typer.Option(None, "--out"),
    ) -> None:
        """Released value and inventories by a dimension, with share, YoY and contribution."""
        if by not in DIMENSIONS:
            Console(stderr=True).print(f"[red]--by: {' | '.join(DIMENSIONS)}[/red]")
            raise typer.Exit(EXIT_USAGE)
        span = _span(period)
        _emit(figure_breakdown(state.context(), span, tenant, by), output, out, f"{tenant} by {by} {span.label}")

    @stats.command("hub")
    def hub(
        period: str = typer.Option(..., "--period"),
        tenant: str = typer.Option("hub", "--tenant"),
        output: str = typer.Option("table", "--format", help=FORMAT_HELP),
        out: Path | None = typer.Option(None, "--out"),
    ) -> None:
        """The tenant's own figures and each sub-platform's side by side, with the total (1+M+N)."""
        span = _span(period)
        shown = ("tenant", "kind", "trade_value_cny", "import_value_cny", "export_value_cny", "trade_value_share")
        _emit(hub_view(state.context(), span, tenant), output, out, f"{tenant} {span.label}", shown)

    @stats.command("targets")
    def targets(
        tenant: str = typer.Option("hub", "--tenant"),
        year: int | None = typer.Option(None, "--year"),
        output: str = typer.Option("table", "--format", help=FORMAT_HELP),
        out: Path | None = typer.Option(None, "--out"),
    ) -> None:
        """Targets of a tenant subtree with their progress."""
        found = target_progress(state.context(), scope=EVERYTHING, tenant=tenant, year=year)
        _emit([dict(t.as_row()) for t in found], output, out, f"targets {tenant}")

    @stats.command("target")
    def target(
        tenant: str = typer.Option(..., "--tenant"),
        indicator: str = typer.Option(..., "--indicator"),
        period: str = typer.Option(..., "--period", help="2026, 2026-Q1 or 2026-03."),
        value: str = typer.Option(..., "--target"),
        actor: str = typer.Option("zone-office", "--actor"),
    ) -> None:
        """Set a tenant's target for an indicator and period (audited)."""
        try:
            done = set_tenant_target(
                state.context(), tenant=tenant, indicator=indicator, period=period, target=value, actor=actor,
                scope=EVERYTHING,
            )  # fmt: skip
        except DomainError as exc:
            fail(exc)
        Console().print(f"{escape(done.tenant)} {done.indicator} {done.period}: {done.target} ({done.progress})")


STAGES = {"events": "读取事件 / events", "refresh": "重算日汇总 / recount", "recount": "全量重算 / full recount"}
