"""Which SQL statements an intake sends (语句统计): counts per statement shape, per complete set.

Runs the throughput workload through ``ingest_message`` in one process and groups every statement sent by its
shape (the SQL text with literals and parameter lists folded), so that a change meant to batch writes can be
checked statement by statement. Prints the shapes by count, with the share of time spent executing each.

    .venv/bin/python -m bench.statements --sets 500 --db postgres
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from typing import Any

from sqlalchemy import event

from bench.env import fresh_database, print_header, record
from bench.runner import bench_context, ingest_all, prepare_zone
from bench.workload import WorkloadSpec, load_or_generate


def shape(statement: str) -> str:
    """Return a statement's shape: whitespace folded, value lists and IN lists collapsed, cut to 110 chars."""
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(r"\((?:%\([^)]*\)s|\?|\$\d+|__\[POSTCOMPILE_\w+\])(?:, ?(?:%\([^)]*\)s|\?|\$\d+))*\)", "(…)", text)
    text = re.sub(r"VALUES (\(…\)(, )?)+", "VALUES (…)", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    return text[:110]


def main() -> None:
    """Count the statements of one intake process by shape and record the summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--single", action="store_true", help="one document per message")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("SQL statements of one intake process")
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, single=args.single))
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    with fresh_database(args.db) as url:
        prepare_zone(url, workload.certificates)
        ctx = bench_context(url)

        @event.listens_for(ctx.engine, "before_cursor_execute")
        def _before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            _conn.info["cbec_started"] = time.perf_counter()

        @event.listens_for(ctx.engine, "after_cursor_execute")
        def _after(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            key = shape(statement)
            counts[key] += 1
            seconds[key] += time.perf_counter() - _conn.info.pop("cbec_started", time.perf_counter())

        report = ingest_all(ctx, workload.messages)
        ctx.engine.dispose()
    sets = workload.spec.sets
    total = sum(counts.values())
    elapsed = report.finished - report.started
    lines = [
        f"{total:,} statements for {sets:,} sets = {total / sets:.1f} per set; "
        f"{sum(seconds.values()) / elapsed:.0%} of {elapsed:.1f} s inside cursor.execute",
    ]
    lines += [
        f"  {count / sets:6.2f}/set {seconds[key] / elapsed:5.1%}  {key}" for key, count in counts.most_common(args.top)
    ]
    for line in lines:
        print(line)
    record("SQL statements", machine, workload.describe() + f"; {args.db}", lines, enabled=not args.no_record)


if __name__ == "__main__":
    main()
