"""End-to-end throughput (吞吐量) of import clearance, and the parse-only floor on the same data.

A complete set is an order, its payment, its waybill and its inventory (plus the CEB711 arrival of a 9610
parcel): parsed, checked, matched (三单对碰), taxed, quota-checked, durably committed (one transaction per
message; SQLite synchronous=FULL, PostgreSQL fsync and synchronous_commit on), with every receipt, tax bill and
format receipt rendered as the XML that goes back. Each intake process has its own engine and sends its
partition of the traffic (sets partitioned by buyer) through ``ingest_message``.

The floor is the same messages through the codec alone (``parse_message``: hardened XML parse, every field
check, the documents built; envelopes opened), and through lxml alone, with the same number of processes.

    .venv/bin/python -m bench.throughput --sets 20000 --db postgres,sqlite --processes 1,2
"""

from __future__ import annotations

import argparse
import statistics

from bench.env import fmt, fresh_database, print_header, record
from bench.runner import (
    WorkerReport,
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


def main() -> None:
    """Measure the floor and end-to-end throughput and record them."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--db", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    parser.add_argument("--processes", default="1,2", help="comma-separated process counts")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to docs/performance.md")
    args = parser.parse_args()
    counts = [int(x) for x in args.processes.split(",")]
    kinds = [x.strip() for x in args.db.split(",") if x.strip()]
    machine = print_header("throughput: end-to-end vs parse-only floor")
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, partitions=max(counts)))
    print(workload.describe(), flush=True)
    sets, documents = workload.sets, workload.documents
    results: list[str] = []
    floors: dict[int, float] = {}

    def say(line: str) -> None:
        print(line, flush=True)
        results.append(line)

    with fresh_database(kinds[0]) as url:
        prepare_zone(url, workload.certificates)
        for count in counts:
            groups = regroup(workload, count)
            codec = span(parse_parallel(url, groups))
            lxml = span(parse_parallel(url, groups, lxml_only=True))
            floors[count] = sets / codec
            say(
                f"floor, {count} process(es): codec parse_message {fmt(sets / codec)} sets/s "
                f"({fmt(documents / codec)} documents/s); lxml parse only {fmt(sets / lxml)} sets/s"
            )
    for kind in kinds:
        for count in counts:
            with fresh_database(kind) as url:
                prepare_zone(url, workload.certificates)
                reports = ingest_parallel(url, regroup(workload, count))
                elapsed = span(reports)
                check = check_store(url)
                size = database_size(url)
            rate = sets / elapsed
            tail = sustained(reports, documents) * sets / documents
            per_message = [
                (b - a) * 1000
                for r in reports
                for (a, _), (b, _) in zip([(r.started, 0), *r.marks[:-1]], r.marks, strict=True)
            ]
            outcomes = sum((r.outcomes for r in reports), start=type(reports[0].outcomes)())
            say(
                f"end-to-end {kind}, {count} process(es): {fmt(rate)} complete sets/s "
                f"({fmt(documents / elapsed)} documents/s) over {elapsed:.1f} s; second half {fmt(tail)} sets/s; "
                f"= {rate / floors[count]:.2f} of the codec floor with {count} process(es); "
                f"message latency median {statistics.median(per_message):.0f} ms, max {max(per_message):.0f} ms; "
                f"outcomes {dict(outcomes)}; "
                f"{sum(r.receipts for r in reports):,} receipts and {sum(r.tax_bills for r in reports):,} tax bills "
                f"rendered ({sum(r.answer_bytes for r in reports) / 1e6:,.1f} MB); database {size}"
            )
            cpu = sum(r.cpu for r in reports)
            server = sum(r.server_cpu for r in reports)
            statements = sum(r.statements for r in reports)
            say(
                f"  cost per set: {cpu / sets * 1000:.1f} ms CPU in intake"
                + (f", {server / sets * 1000:.1f} ms CPU in PostgreSQL backends" if server else "")
                + f", {statements / sets:.1f} SQL statements"
            )
            say(f"  {check.line()}")
    record(
        "Throughput",
        machine,
        workload.describe(),
        results,
        enabled=not args.no_record,
    )


if __name__ == "__main__":
    main()
