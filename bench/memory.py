"""Memory of long-running intake processes (内存): peak RSS, and whether RSS stays flat as sets keep coming.

One or more intake processes (each its own engine, one transaction per message, every answer rendered) ingest
fresh traffic until a number of sets or a time is reached; a producer process generates it as it goes (new
buyers, new order numbers per chunk, the same realistic mix as bench.throughput), so nothing is resent and
nothing is held in an intake process but what it keeps itself. With several intake processes the traffic is
partitioned by buyer (each process its own partition, as independent intake processes would run). Each intake
process's RSS is sampled about once a second. Reported per process: peak RSS (VmHWM), RSS after warm-up and
at the end, and the least-squares slope of RSS against the sets it ingested after warm-up.

    .venv/bin/python -m bench.memory --minutes 10 --db postgres
    .venv/bin/python -m bench.memory --sets 1000000 --processes 2 --db postgres   # the million-set run
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import time
from dataclasses import dataclass, field, replace
from typing import Any

from bench.env import fmt, fresh_database, peak_rss_mib, print_header, record, rss_mib
from bench.runner import answer, bench_context, prepare_zone
from bench.workload import WorkloadSpec, generate, identities

try:  # bench.ab-style runs of an earlier revision: the pipeline was cbec.clearance.service before 2026-12-06
    from cbec.intake import ingest_message
except ImportError:
    from cbec.clearance.service import ingest_message  # type: ignore[attr-defined,no-redef]

CHUNK = 1000  # sets generated at a time (all partitions together)
REPORT_EVERY = 1.0  # seconds between an intake process's progress reports


def _produce(spec: WorkloadSpec, senders: Any, inboxes: list[Any], finished: list[Any], stop: Any) -> None:
    """Generate chunks of fresh traffic into each intake process's bounded queue until told to stop.

    A process that has finished takes nothing more: its partition is skipped (waiting on its full queue would
    starve the others).
    """
    number = 0
    while not stop.is_set():
        chunk = generate(replace(spec, seed=spec.seed + number, tag=f"M{number:05d}"), senders)
        for inbox, done, partition in zip(inboxes, finished, chunk.partitions, strict=True):
            share = partition.sets / max(1, len(partition.messages))
            for message in partition.messages:
                while not stop.is_set() and not done.is_set():
                    try:
                        inbox.put((message.raw, message.documents, share), timeout=1)
                        break
                    except queue.Full:
                        continue
        number += 1


def _consume(
    url: str, index: int, inbox: Any, finished: Any, progress: Any, seconds: float, sets_wanted: float
) -> None:
    """Ingest what the producer makes until the time is up or enough sets are in; report now and then."""
    ctx = bench_context(url)
    started = time.time()
    sets = 0.0
    documents = 0
    last = 0.0
    while time.time() - started < seconds and sets < sets_wanted:
        try:
            raw, count, share = inbox.get(timeout=5)
        except queue.Empty:
            continue
        result = ingest_message(ctx, raw, source_name="bench-memory")
        answer(result)
        sets += share
        documents += count
        if time.time() - last >= REPORT_EVERY:
            last = time.time()
            progress.put((index, last, sets, documents, rss_mib()))
    finished.set()
    progress.put((index, "done", sets, documents, peak_rss_mib()))
    ctx.engine.dispose()


def slope(points: list[tuple[float, float]]) -> float:
    """Return the least-squares slope of y against x."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


@dataclass(slots=True)
class Curve:
    """What one intake process reported."""

    samples: list[tuple[float, float, int, float]] = field(default_factory=list)  # (time, sets, documents, RSS)
    sets: float = 0.0
    documents: int = 0
    peak: float = 0.0
    done: bool = False

    def lines(self, index: int, warmup: float) -> list[str]:
        """Return the process's result lines."""
        start, end = self.samples[0][0], self.samples[-1][0]
        settled = [s for s in self.samples if s[0] - start >= (end - start) * warmup]
        growth = slope([(sets, rss) for _, sets, _, rss in settled]) * 100_000  # MiB per 100 000 sets
        low, high = min(s[3] for s in settled), max(s[3] for s in settled)
        return [
            f"intake process {index + 1}: {fmt(int(self.sets))} sets ({self.documents:,} documents) in "
            f"{end - start:,.0f} s; RSS peak {self.peak:.1f} MiB; {settled[0][3]:.1f} MiB after warm-up "
            f"({settled[0][1]:,.0f} sets), {self.samples[-1][3]:.1f} MiB at the end, between {low:.1f} and "
            f"{high:.1f} MiB after warm-up; slope {growth:+.2f} MiB per 100,000 sets ({len(settled)} points)"
        ]


def main() -> None:
    """Run intake processes on fresh traffic until a number of sets or a time, and record their memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=0.0, help="stop after this long (0: no time limit)")
    parser.add_argument("--sets", type=int, default=0, help="stop once this many sets are in (0: no limit)")
    parser.add_argument("--processes", type=int, default=1, help="intake processes, each its own partition")
    parser.add_argument("--warmup", type=float, default=0.1, help="share of the run before RSS counts as settled")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if not args.minutes and not args.sets:
        args.minutes = 10.0
    machine = print_header("memory of long-running intake processes")
    spec = WorkloadSpec(sets=CHUNK, seed=args.seed, partitions=args.processes)
    senders = identities(spec)
    seconds = args.minutes * 60 if args.minutes else float("inf")
    per_process = args.sets / args.processes if args.sets else float("inf")
    context = mp.get_context("fork")
    inboxes = [context.Queue(maxsize=100) for _ in range(args.processes)]
    finished = [context.Event() for _ in range(args.processes)]
    progress, stop = context.Queue(), context.Event()
    curves = [Curve() for _ in range(args.processes)]
    started = time.time()
    with fresh_database(args.db) as url:
        prepare_zone(url, senders.certificates)
        producer = context.Process(target=_produce, args=(spec, senders, inboxes, finished, stop), daemon=True)
        consumers = [
            context.Process(target=_consume, args=(url, i, inboxes[i], finished[i], progress, seconds, per_process))
            for i in range(args.processes)
        ]
        producer.start()
        for consumer in consumers:
            consumer.start()
        last_print = time.time()
        while not all(c.done for c in curves):
            index, at, sets, documents, rss = progress.get(timeout=600)
            curve = curves[index]
            if at == "done":
                curve.done, curve.sets, curve.documents, curve.peak = True, sets, documents, rss
                continue
            curve.samples.append((at, sets, documents, rss))
            if time.time() - last_print > 60:
                last_print = time.time()
                total = sum(c.samples[-1][1] for c in curves if c.samples)
                rss_now = ", ".join(f"{c.samples[-1][3]:.1f}" for c in curves if c.samples)
                print(f"  {time.time() - started:,.0f} s: {total:,.0f} sets, RSS {rss_now} MiB", flush=True)
        for consumer in consumers:
            consumer.join()
        stop.set()
        producer.terminate()
        producer.join()
    elapsed = time.time() - started
    total_sets = sum(c.sets for c in curves)
    total_documents = sum(c.documents for c in curves)
    results = [
        f"ran {elapsed:,.0f} s: {fmt(int(total_sets))} sets ({total_documents:,} documents) through "
        f"{args.processes} intake process(es), {fmt(total_sets / elapsed)} sets/s while generating the traffic "
        f"on the same 2 cores"
    ]
    for index, curve in enumerate(curves):
        results += curve.lines(index, args.warmup)
    for line in results:
        print(line)
    limit = (f"{args.sets:,} sets" if args.sets else "") + (
        (" or " if args.sets else "") + f"{args.minutes:g} minutes" if args.minutes else ""
    )
    data = (
        f"fresh traffic generated as it goes in chunks of {CHUNK:,} sets (new buyers and order numbers each), "
        f"{args.db}, {args.processes} intake process(es) (one partition each), until {limit}"
    )
    record("Memory", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
