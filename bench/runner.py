"""What the benchmarks share: a zone on a fresh database, intake workers, the floor, and the checks afterwards."""

from __future__ import annotations

import base64
import multiprocessing as mp
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bench.env import CACHE
from bench.workload import Message
from cbec.bootstrap import build_context
from cbec.common.clock import SHANGHAI, FixedClock, business_date
from cbec.config import Settings
from cbec.demo.filing import set_up_zone
from cbec.messages import (
    Edition,
    is_envelope,
    open_envelope,
    parse_message,
    render_format_receipt,
    render_receipts,
    render_tax_bills,
)
from cbec.messages.xml import MessageRefused, parse_xml
from cbec.reference import code_tables
from cbec.storage.context import Context
from cbec.storage.migrate import upgrade

# bench.ab runs this code against earlier revisions too: before the intake package (2026-12-06) the pipeline was
# cbec.clearance.service and the answers were rendered here.
try:
    from cbec.intake import IngestResult, ingest_message
    from cbec.intake.answers import answers
except ImportError:  # an earlier revision
    from cbec.clearance.service import IngestResult, ingest_message  # type: ignore[attr-defined,no-redef]

    answers = None  # type: ignore[assignment]

BENCH_KEY = base64.b64encode(b"b" * 32).decode()
NOW = datetime(2026, 3, 2, 20, 0, tzinfo=SHANGHAI)
EDITION = Edition.E202205


def bench_context(url: str, *, now: datetime = NOW) -> Context:
    """Return a context on a benchmark database: fixed clock, fixed key, the demo's review threshold."""
    settings = Settings(
        database_url=url,
        data_dir=CACHE / "data",
        data_key=BENCH_KEY,
        review_value_at_or_above=Decimal("8000"),
    )
    return build_context(settings, clock=FixedClock(now))


def prepare_zone(url: str, certificates: dict[str, bytes], *, exports: bool = False) -> None:
    """Migrate a fresh database, file the demo zone's enterprises and products, register the senders' certificates
    (with ``exports``, seed the export parameters too, as ``cbec export rates seed`` does)."""
    upgrade(url)
    ctx = bench_context(url)
    file_zone(ctx, certificates, exports=exports)
    ctx.engine.dispose()


def file_zone(ctx: Context, certificates: dict[str, bytes], *, exports: bool = False) -> None:
    """File the demo zone's enterprises and products and register the senders' certificates on a migrated store."""
    set_up_zone(ctx)
    if exports:
        from cbec.exports.service.reference import seed_export_reference

        seed_export_reference(ctx)
    try:
        from cbec.enterprises.certificates import register_certificate
    except ImportError:  # a revision from before signatures were verified (bench.ab)
        return
    for code, certificate in sorted(certificates.items()):
        register_certificate(ctx, code, certificate, actor="bench")


def answer(result: IngestResult) -> int:
    """Render what goes back to the sender (receipts, tax bills, format receipt) and return its size in bytes."""
    return rendered(result)[0]


def rendered(result: IngestResult) -> tuple[int, Counter[str]]:
    """Render what goes back to the sender; return its size in bytes and, by receipt type, the receipts of answer
    messages the renderer refused (the rest are rendered one answer message at a time)."""
    if answers is not None:
        try:
            return sum(len(a.xml) for a in answers(result, EDITION)), Counter()
        except MessageRefused:
            pass  # render one answer message at a time below, and count the receipts that cannot be rendered
    size = 0  # an earlier revision: render as its transports did
    refused: Counter[str] = Counter()
    by_type: dict[str, list[Any]] = {}
    for receipt in result.receipts:
        by_type.setdefault(receipt.message_type.value, []).append(receipt)
    for message_type, receipts in by_type.items():
        for start in range(0, len(receipts), 100):
            chunk = receipts[start : start + 100]
            try:
                size += len(render_receipts(chunk) if answers is None else render_receipts(chunk, edition=EDITION))
            except MessageRefused:
                refused[message_type] += len(chunk)
    for start in range(0, len(result.tax_bills), 100):
        size += len(render_tax_bills(result.tax_bills[start : start + 100]))
    if result.format_receipt is not None:
        size += len(render_format_receipt(result.format_receipt))
    return size, refused


@dataclass(slots=True)
class WorkerReport:
    """What one intake process did."""

    started: float = 0.0
    finished: float = 0.0
    messages: int = 0
    documents: int = 0
    receipts: int = 0
    tax_bills: int = 0
    answer_bytes: int = 0
    unrendered: Counter[str] = field(default_factory=Counter)  # receipts by type the renderer refused to answer
    outcomes: Counter[str] = field(default_factory=Counter)
    marks: list[tuple[float, int]] = field(default_factory=list)  # (time, documents so far)
    error: str | None = None
    cpu: float = 0.0  # seconds of this process's CPU
    statements: int = 0  # SQL statements sent
    server_cpu: float = 0.0  # seconds of CPU of the PostgreSQL backends that served it (0 on SQLite)


def _backend_cpu(pids: set[int]) -> float:
    """Return the CPU seconds PostgreSQL backends have used (they run on this machine)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def ingest_all(ctx: Context, messages: list[Message], *, render: bool = True, batch: int = 1) -> WorkerReport:
    """Ingest messages in order through the one intake use case, rendering every answer.

    With ``batch`` above 1, that many messages at a time run in one transaction (``cbec.intake.batch``, the group
    commit of POST /ceb under load), as if they had been waiting together.
    """
    report = WorkerReport()
    pids: set[int] = set()

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        report.statements += 1

    @event.listens_for(ctx.engine, "connect")
    def _backend(dbapi_connection: Any, _record: Any) -> None:
        if ctx.engine.dialect.name == "postgresql":
            pids.add(int(dbapi_connection.info.backend_pid))

    if ctx.engine.dialect.name == "postgresql":
        ctx.engine.dispose()  # connect again, so every backend used is seen
    cpu_before = time.process_time()
    report.started = time.time()
    for message, result in _results(ctx, messages, batch):
        report.messages += 1
        report.documents += message.documents
        report.receipts += len(result.receipts)
        report.tax_bills += len(result.tax_bills)
        report.outcomes[result.outcome] += 1
        if render:
            size, refused = rendered(result)
            report.answer_bytes += size
            report.unrendered.update(refused)
        report.marks.append((time.time(), report.documents))
    report.finished = time.time()
    report.cpu = time.process_time() - cpu_before
    report.server_cpu = _backend_cpu(pids)  # read before the engine is disposed and the backends exit
    event.remove(ctx.engine, "before_cursor_execute", _count)
    event.remove(ctx.engine, "connect", _backend)
    return report


def _results(ctx: Context, messages: list[Message], batch: int) -> Iterator[tuple[Message, IngestResult]]:
    """Yield each message with its result, ingested one at a time or ``batch`` at a time."""
    if batch <= 1:
        for message in messages:
            yield message, ingest_message(ctx, message.raw, source_name="bench")
        return
    from cbec.intake.batch import Submission, ingest_batch  # not in revisions from before 2026-12-07

    for start in range(0, len(messages), batch):
        chunk = messages[start : start + batch]
        outcomes = ingest_batch(ctx, [Submission(m.raw, "bench") for m in chunk])
        yield from zip(chunk, (outcome.unwrap() for outcome in outcomes), strict=True)


def _ingest_worker(url: str, messages: list[Message], batch: int, barrier: Any, queue: Any) -> None:
    try:
        ctx = bench_context(url)
        with ctx.uow() as uow:  # open the pool and warm the code-table cache outside the timed part
            code_tables(uow.session, business_date(NOW))
        barrier.wait()
        report = ingest_all(ctx, messages, batch=batch)
        ctx.engine.dispose()
    except Exception as exc:
        report = WorkerReport(error=f"{type(exc).__name__}: {exc}")
    queue.put(report)


def _parse_worker(url: str, messages: list[Message], lxml_only: bool, barrier: Any, queue: Any) -> None:
    ctx = bench_context(url)
    with ctx.uow() as uow:
        tables = code_tables(uow.session, business_date(NOW))
    ctx.engine.dispose()
    barrier.wait()
    report = WorkerReport(started=time.time())
    for message in messages:
        payload = message.raw
        if is_envelope(payload):
            payload = open_envelope(payload).payload
        if lxml_only:
            parse_xml(payload)
        else:
            outcome = parse_message(payload, code_tables=tables)
            report.outcomes["ok" if outcome.ok else "format_error"] += 1
        report.messages += 1
        report.documents += message.documents
    report.finished = time.time()
    queue.put(report)


def run_parallel(target: Any, partitions: list[list[Message]], *args: Any) -> list[WorkerReport]:
    """Run one process per partition (each with its own engine), started together; return their reports."""
    context = mp.get_context("fork")
    barrier = context.Barrier(len(partitions))
    queue = context.Queue()
    processes = [
        context.Process(target=target, args=(*args[:1], part, *args[1:], barrier, queue)) for part in partitions
    ]
    for process in processes:
        process.start()
    reports = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    errors = [r.error for r in reports if r.error]
    if errors:
        raise RuntimeError(f"an intake process failed: {errors[0]}")
    return reports


def ingest_parallel(url: str, partitions: list[list[Message]], *, batch: int = 1) -> list[WorkerReport]:
    """Ingest each partition in its own process (``batch`` messages per transaction)."""
    return run_parallel(_ingest_worker, partitions, url, batch)


def parse_parallel(url: str, partitions: list[list[Message]], *, lxml_only: bool = False) -> list[WorkerReport]:
    """Parse each partition in its own process (the floor: no rules, no database)."""
    return run_parallel(_parse_worker, partitions, url, lxml_only)


def span(reports: list[WorkerReport]) -> float:
    """Return the wall time from the first start to the last finish."""
    return max(r.finished for r in reports) - min(r.started for r in reports)


@dataclass(slots=True)
class StoreCheck:
    """What the database holds after a run, and whether the quota ledger adds up."""

    inventories: Counter[str]
    receipts: int
    tax_bills: int
    ledger_fen: int
    counted_fen: int

    @property
    def ledger_ok(self) -> bool:
        """Tell whether the ledger equals the dutiable value of the inventories that count."""
        return self.ledger_fen == self.counted_fen

    def line(self) -> str:
        """Return the check as one line."""
        statuses = ", ".join(f"{k}×{v:,}" for k, v in sorted(self.inventories.items()))
        verdict = "equal" if self.ledger_ok else f"DIFFERENT ({self.counted_fen / 100:,.2f} counted)"
        return (
            f"stored: inventories by status {statuses}; {self.receipts:,} receipts, {self.tax_bills:,} tax bills; "
            f"quota ledger {self.ledger_fen / 100:,.2f} yuan used, {verdict} to the counted inventories"
        )


def check_store(url: str) -> StoreCheck:
    """Count what was stored and compare the quota ledger with the inventories that hold quota."""
    from cbec.clearance.codes import QUOTA_HOLDING, DocumentState

    ctx = bench_context(url)
    holding = tuple(str(s) for s in QUOTA_HOLDING)
    with ctx.engine.connect() as conn:
        statuses = Counter(
            {str(s): int(n) for s, n in conn.execute(text("SELECT status, count(*) FROM import_inventory GROUP BY 1"))}
        )
        receipts = int(conn.execute(text("SELECT count(*) FROM issued_receipt")).scalar_one())
        bills = int(conn.execute(text("SELECT count(*) FROM tax_bill")).scalar_one())
        ledger = int(conn.execute(text("SELECT coalesce(sum(used_fen), 0) FROM quota_account")).scalar_one())
        values = conn.execute(
            text("SELECT dutiable_value, status, state FROM import_inventory WHERE dutiable_value IS NOT NULL")
        )
        counted = sum(
            int(Decimal(str(v)) * 100) for v, s, st in values if s in holding and st != DocumentState.CANCELLED
        )
    ctx.engine.dispose()
    return StoreCheck(statuses, receipts, bills, ledger, counted)


@dataclass(slots=True)
class ExportCheck:
    """What the database holds after export traffic: export inventories by status, receipts issued."""

    inventories: Counter[str]
    receipts: int

    @property
    def closed(self) -> int:
        """Return the complete export sets: inventories closed (899) after their parcel left."""
        return self.inventories.get("899", 0)

    def line(self) -> str:
        """Return the check as one line."""
        statuses = ", ".join(f"{k}×{v:,}" for k, v in sorted(self.inventories.items()))
        return f"stored: export inventories by status {statuses}; {self.receipts:,} receipts"


def check_export_store(url: str) -> ExportCheck:
    """Count the export inventories by status and the receipts issued."""
    ctx = bench_context(url)
    with ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM export_inventory GROUP BY 1"))
        statuses = Counter({str(s): int(n) for s, n in rows})
        receipts = int(conn.execute(text("SELECT count(*) FROM issued_receipt")).scalar_one())
    ctx.engine.dispose()
    return ExportCheck(statuses, receipts)


def database_size(url: str) -> str:
    """Return the size of a benchmark database."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
        return f"{size / 1e6:,.0f} MB"
    ctx = bench_context(url)
    with ctx.engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    ctx.engine.dispose()
    return f"{size / 1e6:,.0f} MB"
