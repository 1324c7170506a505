"""End-to-end throughput (吞吐量) of import clearance, and the parse-only floor on the same data.

A complete set is an order, its payment, its waybill and its inventory (plus the CEB711 arrival of a 9610
parcel): parsed, checked, matched (三单对碰), taxed, quota-checked, durably committed (one transaction per
message; SQLite synchronous=FULL, PostgreSQL fsync and synchronous_commit on), with every receipt, tax bill and
format receipt rendered as the XML that goes back. Each intake process has its own engine and sends its
partition of the traffic (sets partitioned by buyer) through ``ingest_message``.

The floor is the same messages through the codec alone (``parse_message``: hardened XML parse, every field
check, the documents built; envelopes opened), and through lxml alone, with the same number of processes.

``--traffic export`` measures 9610 retail-export traffic instead (bench.export_workload: order, receipt of
payment, waybill, inventory, arrival, master bill, departure); a complete export set is an inventory closed (899)
after its parcel left, counted in the store afterwards. ``--traffic both`` measures one and then the other, each
on its own databases, with the codec floor of each. ``--stored N`` first fills each PostgreSQL database with N
stored import sets (bench.loader, then VACUUM ANALYZE: fresh statistics); the loader fills import tables and the
trade facts, so export traffic then meets a store whose message log and facts are full but whose export tables
are empty.

    .venv/bin/python -m bench.throughput --sets 20000 --db postgres,sqlite --processes 1,2
    .venv/bin/python -m bench.throughput --traffic both --stored 1000000 --sets 5000 --db postgres
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.env import fmt, fresh_database, print_header, record
from bench.export_workload import ExportSpec, load_or_generate_exports
from bench.loader import load
from bench.runner import (
    ExportCheck,
    StoreCheck,
    WorkerReport,
    check_export_store,
    check_store,
    database_size,
    ingest_parallel,
    parse_parallel,
    prepare_zone,
    span,
)
from bench.workload import Message, Workload, WorkloadSpec, load_or_generate


def regroup(workload: Workload, processes: int) -> list[list[Message]]:
    """Deal the workload's partitions to a number of processes (whole partitions, so order is kept)."""
    groups: list[list[Message]] = [[] for _ in range(processes)]
    for number, partition in enumerate(workload.partitions):
        groups[number % processes].extend(partition.messages)
    return groups


def sustained(reports: list[WorkerReport], documents: int) -> float:
    """Return documents per second over the second half of the run (after warm-up, with the store grown)."""
    start = min(r.started for r in reports)
    end = max(r.finished for r in reports)
    middle = start + (end - start) / 2
    done = sum(next((n for t, n in r.marks if t >= middle), r.documents) for r in reports)
    return (documents - done) / (end - middle) if end > middle else 0.0


TRAFFIC = ("import", "export")
STORED_BY_LOADER = (
    "import tables (import orders, payments, waybills, inventories, tax bills, arrival parcels, the message "
    "log ceb_message, quota accounts) and one trade fact per inventory; export tables start empty"
)


@dataclass(slots=True)
class Measured:
    """One end-to-end measurement, for the summary."""

    traffic: str
    kind: str
    processes: int
    sets_per_s: float
    complete_per_s: float
    intake_ms: float
    server_ms: float
    statements: float
    floor: float


def workload_of(traffic: str, sets: int, seed: int, partitions: int, *, single: bool = False) -> Workload:
    """Return the (cached) workload of a kind of traffic (``single``: one document per import message)."""
    if traffic == "export":
        return load_or_generate_exports(ExportSpec(sets=sets, seed=seed, partitions=partitions))
    return load_or_generate(WorkloadSpec(sets=sets, seed=seed, partitions=partitions, single=single))


def main() -> None:
    """Measure the floor and end-to-end throughput and record them."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--db", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts")
    parser.add_argument(
        "--traffic", choices=(*TRAFFIC, "both"), default="import", help="import (default), export, both"
    )
    parser.add_argument("--stored", type=int, default=0, help="import sets loaded first (bench.loader, PostgreSQL)")
    parser.add_argument("--single", action="store_true", help="one document per import message (ERP traffic)")
    parser.add_argument(
        "--batch", type=int, default=1, help="messages per transaction, as POST /ceb's group commit runs them"
    )
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to docs/performance.md")
    args = parser.parse_args()
    counts = [int(x) for x in args.processes.split(",")]
    kinds = [x.strip() for x in args.db.split(",") if x.strip()]
    if args.stored and kinds != ["postgres"]:
        parser.error("--stored needs --db postgres (bench.loader is set-based PostgreSQL SQL)")
    traffics = list(TRAFFIC) if args.traffic == "both" else [args.traffic]
    machine = print_header("throughput: end-to-end vs parse-only floor")
    workloads = {t: workload_of(t, args.sets, args.seed, max(counts), single=args.single) for t in traffics}
    for workload in workloads.values():
        print(workload.describe(), flush=True)
    results: list[str] = []
    measured: list[Measured] = []

    def say(line: str) -> None:
        print(line, flush=True)
        results.append(line)

    def label(traffic: str) -> str:
        """Name the traffic in a line unless only import traffic is measured (the lines read as they always did)."""
        return "" if args.traffic == "import" else f"{traffic} "

    if args.stored:
        say(f"store: {args.stored:,} import sets loaded into each database before measuring; {STORED_BY_LOADER}")
    floors: dict[tuple[str, int], float] = {}
    with fresh_database(kinds[0]) as url:
        prepare_zone(url, {})
        for traffic, workload in workloads.items():
            for count in counts:
                groups = regroup(workload, count)
                codec = span(parse_parallel(url, groups))
                lxml = span(parse_parallel(url, groups, lxml_only=True))
                floors[traffic, count] = workload.sets / codec
                say(
                    f"floor{(' ' + traffic) if label(traffic) else ''}, {count} process(es): codec parse_message "
                    f"{fmt(workload.sets / codec)} sets/s ({fmt(workload.documents / codec)} documents/s); "
                    f"lxml parse only {fmt(workload.sets / lxml)} sets/s"
                )
    for traffic, workload in workloads.items():
        for kind in kinds:
            for count in counts:
                floor = floors[traffic, count]
                measured.append(
                    _end_to_end(traffic, kind, count, workload, args.stored, floor, label(traffic), say, args.batch)
                )
    say(
        "summary (per set of traffic; complete = import: every set sent, export: inventories closed 899 in the "
        "store): traffic, database, processes -> sets/s, complete sets/s, intake CPU ms/set, PostgreSQL CPU ms/set, "
        "SQL statements/set, codec floor sets/s; "
        + (f"{args.stored:,} import sets stored before" if args.stored else "empty store")
    )
    for m in measured:
        say(
            f"  {m.traffic}, {m.kind}, {m.processes} -> {fmt(m.sets_per_s)}, {fmt(m.complete_per_s)}, "
            f"{m.intake_ms:.1f}, {f'{m.server_ms:.1f}' if m.kind == 'postgres' else '-'}, {m.statements:.1f}, "
            f"{fmt(m.floor)}"
        )
    data = "; ".join(w.describe() for w in workloads.values())
    if args.stored:
        data += f"; {args.stored:,} import sets stored before (bench.loader, VACUUM ANALYZE)"
    if args.batch > 1:
        data += f"; {args.batch} messages per transaction (group commit, cbec.intake.batch)"
    record("Throughput", machine, data, results, enabled=not args.no_record)


def _end_to_end(
    traffic: str,
    kind: str,
    count: int,
    workload: Workload,
    stored: int,
    floor: float,
    label: str,
    say: Callable[[str], None],
    batch: int = 1,
) -> Measured:
    """Ingest a workload on a fresh (pre-filled when stored) database and say what it did and cost."""
    sets, documents = workload.sets, workload.documents
    with fresh_database(kind) as url:
        prepare_zone(url, workload.certificates, exports=traffic == "export")
        if stored:
            report = load(url, stored, say=lambda line: print(line, flush=True))
            print(
                f"loaded {report.sets:,} stored import sets in {report.seconds:,.0f} s "
                f"(rows: {', '.join(f'{t} {n:,}' for t, n in report.rows.items())}); database {report.size}",
                flush=True,
            )
        reports = ingest_parallel(url, regroup(workload, count), batch=batch)
        elapsed = span(reports)
        checked: StoreCheck | ExportCheck = check_export_store(url) if traffic == "export" else check_store(url)
        size = database_size(url)
    complete = checked.closed if isinstance(checked, ExportCheck) else sets
    rate = sets / elapsed
    tail = sustained(reports, documents) * sets / documents
    per_message = [
        (b - a) * 1000 for r in reports for (a, _), (b, _) in zip([(r.started, 0), *r.marks[:-1]], r.marks, strict=True)
    ]
    outcomes = sum((r.outcomes for r in reports), start=Counter[str]())
    unrendered = sum((r.unrendered for r in reports), start=Counter[str]())
    refused = f"; receipts in answers the renderer refused {dict(unrendered)}" if unrendered else ""
    what = (
        f"{fmt(rate)} complete sets/s"
        if traffic == "import"
        else f"{fmt(complete / elapsed)} complete export sets/s ({complete:,} of {sets:,} sets closed 899, "
        f"{fmt(rate)} sets of traffic/s)"
    )
    say(
        f"end-to-end {label}{kind}, {count} process(es): {what} "
        f"({fmt(documents / elapsed)} documents/s) over {elapsed:.1f} s; second half {fmt(tail)} sets/s; "
        f"= {rate / floor:.2f} of the codec floor with {count} process(es); "
        f"message latency median {statistics.median(per_message):.0f} ms, max {max(per_message):.0f} ms; "
        f"outcomes {dict(outcomes)}; "
        f"{sum(r.receipts for r in reports):,} receipts and {sum(r.tax_bills for r in reports):,} tax bills "
        f"rendered ({sum(r.answer_bytes for r in reports) / 1e6:,.1f} MB){refused}; database {size}"
    )
    cpu = sum(r.cpu for r in reports)
    server = sum(r.server_cpu for r in reports)
    statements = sum(r.statements for r in reports)
    say(
        f"  cost per set: {cpu / sets * 1000:.1f} ms CPU in intake"
        + (f", {server / sets * 1000:.1f} ms CPU in PostgreSQL backends" if server else "")
        + f", {statements / sets:.1f} SQL statements"
    )
    say(f"  {checked.line()}")
    return Measured(
        traffic,
        kind,
        count,
        rate,
        complete / elapsed,
        cpu / sets * 1000,
        server / sets * 1000,
        statements / sets,
        floor,
    )


if __name__ == "__main__":
    main()
