"""Throughput as the store grows (数据增长): the same traffic on an empty database and on one holding N sets.

Both runs start from a fresh, migrated, zone-filed PostgreSQL database; the second is first filled by the
set-based loader (bench.loader: N orders, payments, waybills, inventories and tax bills, arrival entries,
message records, quota accounts, indexes rebuilt, VACUUM ANALYZE). Then the same workload goes through one
intake process exactly as in bench.throughput, and the two rates are compared.

    .venv/bin/python -m bench.growth --stored 10000000 --sets 5000
"""

from __future__ import annotations

import argparse

from bench.env import fmt, fresh_database, print_header, record
from bench.loader import load
from bench.runner import check_store, database_size, ingest_parallel, prepare_zone, span
from bench.workload import WorkloadSpec, load_or_generate


def main() -> None:
    """Measure throughput on an empty store and on one holding N sets; record both."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", type=int, default=10_000_000, help="sets already stored in the second run")
    parser.add_argument("--sets", type=int, default=5000, help="sets of traffic measured in each run")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--batch", type=int, default=1_000_000, help="sets per loader transaction")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("throughput with N sets already stored vs empty")
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed))
    print(workload.describe(), flush=True)
    rates: dict[str, float] = {}
    results: list[str] = []
    for label, stored in (("empty", 0), ("stored", args.stored)):
        with fresh_database("postgres") as url:
            prepare_zone(url, workload.certificates)
            if stored:
                report = load(url, stored, batch=args.batch, say=lambda line: print(line, flush=True))
                line = (
                    f"loaded {report.sets:,} stored sets in {report.seconds:,.0f} s "
                    f"(rows: {', '.join(f'{t} {n:,}' for t, n in report.rows.items())}); database {report.size}"
                )
                print(line, flush=True)
                results.append(line)
            reports = ingest_parallel(url, [workload.messages])
            elapsed = span(reports)
            check = check_store(url)
            size = database_size(url)
        rates[label] = workload.sets / elapsed
        line = (
            f"{label} ({stored:,} sets stored): {fmt(rates[label])} complete sets/s over {elapsed:.1f} s, "
            f"1 process; database afterwards {size}"
        )
        print(line, flush=True)
        results.append(line)
        results.append(f"  {check.line()}")
    results.append(f"with {args.stored:,} stored: {rates['stored'] / rates['empty']:.0%} of the empty-store rate")
    record("Growth", machine, workload.describe() + "; postgres", results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
