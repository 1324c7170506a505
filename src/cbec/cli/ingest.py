"""`cbec ingest`, `cbec check` and `cbec clearance ...`: CEB messages in, receipts out (报文申报)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from cbec.bootstrap import sign_outgoing
from cbec.clearance.service import confirm_return_arrival, decide_held_inventory, run_daily_jobs
from cbec.cli.format import console
from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.common.errors import DomainError, Problem
from cbec.config import Settings
from cbec.exports.service import flag_overdue_summaries
from cbec.intake import IngestResult, ingest_message
from cbec.intake.answers import answers
from cbec.messages import MessageRefused
from cbec.messages.archive import ArchiveRefused, Budget, read_members
from cbec.messages.documents import Edition
from cbec.statistics.queries import due_reports
from cbec.statistics.service import run_rollup
from cbec.web.reports import generate_report


def iter_inputs(paths: list[Path], settings: Settings | None = None) -> Iterator[tuple[str, bytes | Problem]]:
    """Yield (name, bytes) for files, folders (sorted, recursively) and zip archives, in the order given.

    A zip is read one member at a time within the settings' budgets (messages/archive.py); a member or an
    archive that cannot be read comes as (name, Problem) in its place.
    """
    settings = settings or Settings()
    budget = Budget(settings.max_message_bytes, settings.max_zip_total_bytes, settings.max_zip_entries)
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in {".xml", ".zip"}):
                yield from iter_inputs([child], settings)
        elif path.suffix.lower() == ".zip":
            try:
                for member in read_members(path, budget):
                    yield f"{path.name}:{member.name}", member.content
            except ArchiveRefused as exc:
                yield str(path), exc.problems[0]
        elif path.is_file():
            yield str(path), path.read_bytes()
        else:
            raise typer.BadParameter(f"no such file or folder: {path}")


def write_outputs(result: IngestResult, out: Path, counter: Counter[str]) -> list[Path]:
    """Write every receipt, tax bill and format receipt of a result as CEB XML files."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    settings = state.context().settings
    # The platform's signature, if configured, and the zone's edition (CBEC_EDITION): the same answers as POST /ceb.
    try:
        rendered = answers(result, Edition(settings.edition), lambda xml: sign_outgoing(settings, xml))
    except MessageRefused as exc:  # receipts the zone's edition cannot carry (see intake.stream.http_answer)
        console().print(f"[yellow]answers not written as CEB XML ({settings.edition}): {escape(str(exc))}[/yellow]")
        return written
    for answer in rendered:
        counter["files"] += 1
        path = out / f"{counter['files']:06d}_{answer.message_type}_{answer.guid}.xml"
        path.write_bytes(answer.xml)
        written.append(path)
    return written


OUTCOME_WORDS = {
    "processed": "processed",
    "duplicate": "already processed",
    "format_error": "format error (CEB900)",
    "signature_error": "signature error (CEB900)",
}
REFUSED = 1  # exit status: something was (or, for check, would be) refused
UNREADABLE = 2  # exit status: an input could not be read at all (also usage errors)


def refused(result: IngestResult) -> bool:
    """Tell whether anything in a result was refused: the message, a document, or a receipt (100 / negative)."""
    if result.outcome in ("format_error", "signature_error") or result.problems:
        return True
    statuses = [d.status for d in result.documents] + [r.status for r in result.receipts]
    return any(status == "100" or status.startswith("-") for status in statuses)


def _summary(rows: list[tuple[str, IngestResult]], dry_run: bool) -> Table:
    table = Table(title="预检结果 / preflight" if dry_run else "处理结果 / ingest summary")
    for column in ("input", "message", "outcome", "documents", "receipts by status", "tax bills"):
        table.add_column(column)
    for name, result in rows:
        statuses = Counter(r.status for r in result.receipts)
        table.add_row(
            escape(name),
            result.message_type,
            OUTCOME_WORDS.get(result.outcome, result.outcome),
            str(len(result.documents)) if result.outcome != "duplicate" else "-",
            ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items())) or "-",
            str(len(result.tax_bills)),
        )
    return table


def _problem_rows(rows: list[tuple[str, IngestResult]]) -> list[tuple[str, str, Problem]]:
    """Return (input, document, problem) for every problem, waiting partners included."""
    found: list[tuple[str, str, Problem]] = []
    for name, result in rows:
        found.extend((name, "message", p) for p in result.problems)
        for doc in result.documents:
            found.extend((name, f"{doc.kind} {doc.key}", p) for p in doc.problems)
            if doc.note and doc.note.startswith(("order", "payment", "waybill", "arrival")):
                waiting = Problem("WAITING", "-", f"waiting for {doc.note}", "Send the missing partner documents.")
                found.append((name, f"{doc.kind} {doc.key}", waiting))
    return found


def _problems(found: list[tuple[str, str, Problem]], *, details: bool) -> Table | None:
    """Every problem (details), or one row per rule with its count, a first example and the fix hint."""
    if not found:
        return None
    if details:
        table = Table(title="问题 / problems (rule, field, message, hint)")
        for column in ("input", "document", "rule", "field", "message", "hint"):
            table.add_column(column, overflow="fold")
        for name, document, p in found:
            table.add_row(escape(name), escape(document), p.rule_id, escape(p.field), escape(p.message), escape(p.hint))
        return table
    table = Table(title="问题 / problems by rule (every one: --details)")
    for column in ("rule", "documents", "field", "first", "hint"):
        table.add_column(column, overflow="fold", justify="right" if column == "documents" else "left")
    by_rule: dict[str, list[tuple[str, str, Problem]]] = {}
    for row in found:
        by_rule.setdefault(row[2].rule_id, []).append(row)
    for rule, items in sorted(by_rule.items(), key=lambda item: (-len(item[1]), item[0])):
        _, document, first = items[0]
        table.add_row(rule, str(len(items)), escape(first.field), escape(document), escape(first.hint))
    return table


def _run(paths: list[Path], out: Path | None, dry_run: bool, *, details: bool = False) -> int:
    """Process (or preflight) every input; return how many results had something refused."""
    ctx = state.context()
    rows: list[tuple[str, IngestResult]] = []
    unreadable: list[tuple[str, Problem]] = []
    counter: Counter[str] = Counter()
    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("处理报文 / processing", total=None)
        for name, data in iter_inputs(paths, ctx.settings):  # one message in memory at a time
            if isinstance(data, Problem):
                unreadable.append((name, data))
                progress.advance(task)
                continue
            result = ingest_message(ctx, data, source_name=name, dry_run=dry_run)
            rows.append((name, result))
            if out is not None and not dry_run:
                write_outputs(result, out, counter)
            progress.advance(task)
    console().print(_summary(rows, dry_run))
    problems = _problems(_problem_rows(rows), details=details)
    if problems is not None:
        console().print(problems)
    if out is not None and not dry_run:
        console().print(f"{counter['files']} receipt files written to {escape(str(out))}")
    if unreadable:
        for name, p in unreadable:
            console().print(
                f"[red]{escape(name)}: {p.rule_id} {escape(p.field)}: {escape(p.message)}[/red] — {escape(p.hint)}"
            )
        raise typer.Exit(UNREADABLE)
    return sum(1 for _, result in rows if refused(result))


def register(app: typer.Typer) -> None:
    """Add `ingest`, `check` and the `clearance` group."""

    @app.command("ingest")
    def ingest(
        paths: list[Path] = typer.Argument(..., help="CEB XML files, DxpMsg envelopes, folders or zip archives."),
        out: Path = typer.Option(Path("out"), "--out", help="Folder for the receipts and tax bills (CEB XML)."),
        details: bool = typer.Option(False, "--details", help="Every problem of every document, not one per rule."),
    ) -> None:
        """Process CEB messages in the order given and write every receipt and tax bill to --out.

        Exit status 0 when every message was processed (refusals are answers: read the receipts), 2 when an
        input cannot be read.

        Runs as the operator: it trusts each message's BaseTransfer copCode as its sender (there is no signed-in
        enterprise to compare it with), exactly as the zone's DXP gateway would. Everything else is checked as on
        POST /ceb: the signature against the certificates that sender registered, and each document's declaring
        party (申报主体) against the sender and the enterprises that delegated ceb.submit to it (AUTH-PARTY,
        AUTH-ORIGINAL). Drafts (appStatus 1) are acknowledged and change nothing.
        """
        _run(paths, out, dry_run=False, details=details)

    @app.command("check")
    def check(
        paths: list[Path] = typer.Argument(..., help="CEB XML files, envelopes, folders or zips."),
        details: bool = typer.Option(False, "--details", help="Every problem of every document, not one per rule."),
    ) -> None:
        """Preflight: report every problem the declarations would meet, storing nothing.

        Exit status 0 when nothing would be refused, 1 when a message or document would be (or, for bytes
        already ingested, was) refused, 2 when an input cannot be read. Bytes already ingested are answered with
        the receipts they got then ("already processed").
        """
        if _run(paths, None, dry_run=True, details=details):
            raise typer.Exit(REFUSED)

    clearance = typer.Typer(help="Officer actions and daily jobs (通关作业).", no_args_is_help=True)

    @clearance.command("decide")
    def decide(
        inventory_no: str,
        action: str = typer.Option(..., help="release | refuse | inspect"),
        comment: str = typer.Option(..., help="Why (required)."),
        actor: str = typer.Option("officer", help="Who decides."),
        out: Path | None = typer.Option(None, "--out", help="Write the receipts here."),
    ) -> None:
        """Decide an inventory held for review (300) or inspection (500)."""
        try:
            result = decide_held_inventory(state.context(), inventory_no, action=action, actor=actor, comment=comment)
        except DomainError as exc:
            fail(exc)
        if out is not None:
            write_outputs(result, out, Counter())
        console().print(escape(", ".join(f"{r.message_type.value} {r.status}" for r in result.receipts)))

    @clearance.command("return-arrived")
    def return_arrived(return_id: int, actor: str = typer.Option("site-operator")) -> None:
        """Record that the goods of a return are back in the supervised area."""
        try:
            result = confirm_return_arrival(state.context(), return_id, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(escape(", ".join(f"{r.message_type.value} {r.status}: {r.info}" for r in result.receipts)))

    @clearance.command("daily")
    def daily(
        rollup: bool = typer.Option(True, "--rollup/--no-rollup", help="Then bring the statistics rollups up to date."),
        reports: bool = typer.Option(
            True, "--reports/--no-reports", help="Then generate the reports due (last month, last quarter)."
        ),
    ) -> None:
        """Lapse overdue returns and close inventories past their return window (899), record export months not
        summarised by their due day (an ``overdue`` event each, once), roll the figures up and
        generate every tenant's report of the month (and quarter) just closed that is not yet kept."""
        report = run_daily_jobs(state.context())
        for line in report.changed:
            console().print(escape(line))
        console().print(f"{len(report.changed)} changes")
        late = flag_overdue_summaries(state.context())  # export months not summarised by the 15th: once each
        console().print(f"{len(late.recorded)} export summaries found overdue")
        if rollup:  # the closes and lapses above are events: the statistics consumer counts them (cbec stats rollup)
            rolled = run_rollup(state.context())
            console().print(f"statistics: {rolled.inventories} inventories recounted, position {rolled.position}")
        if rollup and reports:
            ctx = state.context()
            for tenant, period in due_reports(ctx):
                stored = generate_report(ctx, period, tenant, lang="zh-CN", actor_name="daily")
                console().print(f"report {stored.id}: {escape(tenant)} {period}")

    app.add_typer(clearance, name="clearance")
