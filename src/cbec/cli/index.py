"""`cbec index …`: the development index (发展指数) computed from given observations and a method file alone."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cbec.bootstrap import sign_outgoing
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.common.scope import Scope
from cbec.statistics import (
    IndexInputInvalid,
    compute_index,
    method_codes,
    parse_method,
    parse_observations,
    shipped_method,
)
from cbec.statistics.queries import get_edition, index_observations, list_editions
from cbec.statistics.service import EditionSummary, publish_edition, verify_edition

EXIT_INVALID = 2


def _rows(path: Path) -> list[dict[str, Any]]:
    """Read observations: CSV with a header zone,period,indicator,value, or a JSON list of such objects."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        return [dict(row) for row in data] if isinstance(data, list) else []
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def register(app: typer.Typer) -> None:
    """Add the `index` command group."""
    index = typer.Typer(help="Development index (发展指数).", no_args_is_help=True)

    @index.command("compute")
    def compute(
        observations: Path = typer.Option(..., "--observations", exists=True, dir_okay=False, help="CSV or JSON."),
        method: Path = typer.Option(..., "--method", exists=True, dir_okay=False, help="The method (JSON)."),
        seed: int = typer.Option(20261206, "--seed", help="Seed of the uncertainty analysis (reproducible)."),
        output: str = typer.Option("table", "--format", help="table | json"),
    ) -> None:
        """Compute the index of every zone and period, with the latest period's rank bands and Sobol indices.

        Exit codes: 0 computed; 2 the method or the observations cannot be used (every problem listed).
        """
        console = Console()
        try:
            spec = parse_method(json.loads(method.read_text(encoding="utf-8")))
            result = compute_index(parse_observations(_rows(observations), spec), spec, seed=seed)
        except (IndexInputInvalid, json.JSONDecodeError, UnicodeDecodeError) as exc:
            console.print(f"[red]无法计算指数 / cannot compute the index: {escape(str(exc))}[/red]")
            for problem in getattr(exc, "problems", []):
                console.print(f"  {problem.rule_id} {escape(problem.field)}: {escape(problem.message)}")
                console.print(f"    {escape(problem.hint)}")
            raise typer.Exit(EXIT_INVALID) from exc
        if output == "json":
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
            return
        table = Table(title=f"发展指数 / development index — method {escape(result['method_version'])}")
        for column in ("zone", "period", "index", "rank", "fixed base", "rank 5–95 %"):
            table.add_column(column)
        for row in result["values"]:
            if not row["covered"]:
                table.add_row(row["zone"], row["period"], "—", "—", "—", "coverage < 65 %")
                continue
            band = f"{row['rank_p05']:g}–{row['rank_p95']:g}" if "rank_p05" in row else ""
            based = "" if row["fixed_base"] is None else f"{row['fixed_base']:.2f}"
            table.add_row(row["zone"], row["period"], f"{row['index']:.2f}", str(row["rank"]), based, band)
        console.print(table)
        console.print(f"digest {result['digest']} (seed {result['seed']})")

    register_editions(index)
    app.add_typer(index, name="index")


def _years(text: str) -> list[int]:
    if "-" in text:
        low, high = (int(part) for part in text.split("-", 1))
        return list(range(low, high + 1))
    return [int(part) for part in text.split(",")]


def _refused(console: Console, exc: DomainError) -> None:
    console.print(f"[red]error ({exc.code}): {escape(str(exc))}[/red]")
    for problem in exc.problems:
        console.print(f"  {problem.rule_id} {escape(problem.field)}: {escape(problem.message)}")
        console.print(f"    {escape(problem.hint)}")


def _print_summary(console: Console, s: EditionSummary) -> None:
    signed = "signed" if s.signed else "unsigned (CBEC_SIGNER=none)"
    console.print(f"edition {escape(s.label)} · {escape(s.tenant)} · method {escape(s.method_version)} · seed {s.seed}")
    console.print(f"  digest {s.digest} · inputs {s.inputs_digest} · {signed}")
    console.print(
        f"  {s.zones} zones · periods {', '.join(s.periods)} · by {escape(s.published_by)} at {s.published_at}"
    )


def register_editions(index: typer.Typer) -> None:
    """Add `index publish | editions | show | verify`."""

    @index.command("publish")
    def publish(
        label: str = typer.Option(..., "--label", help="The edition's label, e.g. 2026-Q3 (never reused)."),
        observations: Path | None = typer.Option(None, "--observations", exists=True, dir_okay=False),
        zones: list[str] = typer.Option([], "--zone", help="Without --observations: a tenant of the index (repeat)."),
        years: str = typer.Option("", "--years", help="Without --observations: years from the rollups, 2024-2026."),
        method: Path | None = typer.Option(None, "--method", exists=True, dir_okay=False, help="Default: shipped."),
        seed: int = typer.Option(20261206, "--seed"),
        tenant: str = typer.Option("hub", "--tenant", help="The publishing tenant."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Publish an immutable, signed edition computed from a file of observations or the zone's rollups.

        Exit codes: 0 published; 1 refused (label taken, inputs unusable); 2 a file cannot be read.
        """
        console = Console()
        ctx = state.context()
        try:
            spec = json.loads(method.read_text(encoding="utf-8")) if method else shipped_method()
            if observations is not None:
                rows = _rows(observations)
            elif zones and years:
                rows = index_observations(ctx, list(zones), _years(years), codes=method_codes(spec))
            else:
                console.print("[red]give --observations FILE, or --zone … and --years …[/red]")
                raise typer.Exit(EXIT_INVALID)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
            console.print(f"[red]无法读取输入 / cannot read the input: {escape(str(exc))}[/red]")
            raise typer.Exit(EXIT_INVALID) from exc
        try:
            done = publish_edition(
                ctx,
                label=label,
                observations=rows,
                method=spec,
                seed=seed,
                actor=actor,
                tenant=tenant,
                sign=lambda xml: sign_outgoing(ctx.settings, xml),
            )
        except DomainError as exc:
            _refused(console, exc)
            raise typer.Exit(1) from exc
        _print_summary(console, done)

    @index.command("editions")
    def editions(output: str = typer.Option("table", "--format", help="table | json")) -> None:
        """List the published editions, newest first."""
        found = list_editions(state.context(), Scope())
        if output == "json":
            typer.echo(json.dumps([e.as_row() for e in found], ensure_ascii=False, indent=2))
            return
        console = Console()
        for summary in found:
            _print_summary(console, summary)
        if not found:
            console.print("no edition published yet / 尚无发布版次")

    @index.command("show")
    def show(
        label: str,
        out: Path | None = typer.Option(None, "--out", file_okay=False, help="Write the edition's files here."),
    ) -> None:
        """Show an edition; with --out, write observations.csv, method.json, result.json and manifest.xml."""
        console = Console()
        try:
            edition = get_edition(state.context(), label, Scope())
        except DomainError as exc:
            _refused(console, exc)
            raise typer.Exit(1) from exc
        _print_summary(console, edition.summary)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for name, text in edition.files().items():
                (out / name).write_text(text, encoding="utf-8")
            console.print(
                f"wrote {escape(str(out))}: recompute with `cbec index compute --observations "
                f"{escape(str(out / 'observations.csv'))} --method {escape(str(out / 'method.json'))} "
                f"--seed {edition.summary.seed} --format json`"
            )

    @index.command("verify")
    def verify(label: str) -> None:
        """Recompute an edition from its published inputs and check digests and signature (exit 1 on a mismatch)."""
        console = Console()
        try:
            check = verify_edition(state.context(), label, Scope())
        except DomainError as exc:
            _refused(console, exc)
            raise typer.Exit(1) from exc
        console.print(f"edition {escape(check.label)}: published {check.digest}")
        console.print(f"  recomputed {check.recomputed}")
        signature = "unsigned" if check.signature_valid is None else ("valid" if check.signature_valid else "INVALID")
        console.print(f"  inputs {'match' if check.inputs_match else 'DIFFER'} · signature {signature}")
        for problem in check.problems:
            console.print(f"  [red]{problem.rule_id} {escape(problem.field)}: {escape(problem.message)}[/red]")
        if not check.ok:
            raise typer.Exit(1)
        console.print("[green]reproduced / 可复现[/green]")
