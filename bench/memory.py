"""Memory of a long-running intake process (内存): peak RSS, and whether RSS stays flat as sets keep coming.

One intake process (its own engine, one transaction per message, every answer rendered) ingests fresh traffic
for a bounded time; a producer process generates it as it goes (new buyers, new order numbers per chunk, the
same realistic mix as bench.throughput), so nothing is resent and nothing is held in the intake process but
what it keeps itself. The RSS of the intake process is sampled every second. Reported: peak RSS (VmHWM), RSS
after warm-up and at the end, and the least-squares slope of RSS against sets ingested after warm-up.

    .venv/bin/python -m bench.memory --minutes 10 --db postgres
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import time
from dataclasses import replace
from typing import Any

from bench.env import fmt, fresh_database, peak_rss_mib, print_header, record, rss_mib
from bench.runner import answer, bench_context, prepare_zone
from bench.workload import WorkloadSpec, generate, identities
from cbec.clearance.service import ingest_message

CHUNK = 1000  # sets generated at a time


def _produce(spec: WorkloadSpec, senders: Any, out: Any, stop: Any) -> None:
    """Generate chunks of fresh traffic into a bounded queue until told to stop."""
    number = 0
    while not stop.is_set():
        chunk = generate(replace(spec, seed=spec.seed + number, tag=f"M{number:05d}"), senders)
        for partition in chunk.partitions:
            for message in partition.messages:
                while not stop.is_set():
                    try:
                        out.put((message.raw, message.documents, chunk.sets / max(1, len(partition.messages))))
                        break
                    except queue.Full:
                        continue
        number += 1


def _consume(url: str, inbox: Any, stop: Any, progress: Any, seconds: float) -> None:
    """Ingest what the producer makes until the time is up; report (time, sets, documents) now and then."""
    ctx = bench_context(url)
    started = time.time()
    sets = 0.0
    documents = 0
    while time.time() - started < seconds:
        try:
            raw, count, share = inbox.get(timeout=5)
        except queue.Empty:
            continue
        result = ingest_message(ctx, raw, source_name="bench-memory")
        answer(result)
        sets += share
        documents += count
        progress.put((time.time(), sets, documents, rss_mib()))
    stop.set()
    progress.put(("done", sets, documents, peak_rss_mib()))
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


def main() -> None:
    """Run one intake process for a bounded time on fresh traffic and record its memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=0.1, help="share of the run before RSS counts as settled")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("memory of one long-running intake process")
    spec = WorkloadSpec(sets=CHUNK, seed=args.seed)
    senders = identities(spec)
    seconds = args.minutes * 60
    context = mp.get_context("fork")
    inbox, progress, stop = context.Queue(maxsize=200), context.Queue(), context.Event()
    samples: list[tuple[float, float, int, float]] = []  # (time, sets, documents, rss MiB)
    with fresh_database(args.db) as url:
        prepare_zone(url, senders.certificates)
        producer = context.Process(target=_produce, args=(spec, senders, inbox, stop), daemon=True)
        consumer = context.Process(target=_consume, args=(url, inbox, stop, progress, seconds))
        producer.start()
        consumer.start()
        last_print = time.time()
        while True:
            item = progress.get(timeout=seconds + 300)
            if item[0] == "done":
                _, total_sets, total_documents, peak = item
                break
            samples.append(item)
            if time.time() - last_print > 30:
                last_print = time.time()
                print(f"  {item[1]:,.0f} sets, RSS {item[3]:.1f} MiB", flush=True)
        consumer.join()
        stop.set()
        producer.terminate()
        producer.join()
    start = samples[0][0]
    elapsed = samples[-1][0] - start
    settled = [s for s in samples if s[0] - start >= elapsed * args.warmup]
    per_second: dict[int, tuple[float, float]] = {}
    for at, sets, _, rss in settled:
        per_second[int(at)] = (sets, rss)  # one point per second, as sampled
    points = list(per_second.values())
    growth = slope(points) * 100_000  # MiB per 100 000 sets
    results = [
        f"ran {elapsed:,.0f} s: {fmt(int(total_sets))} sets ({total_documents:,} documents), "
        f"{fmt(total_sets / elapsed)} sets/s while generating the traffic on the same 2 cores",
        f"RSS: peak {peak:.1f} MiB; {settled[0][3]:.1f} MiB after warm-up ({settled[0][1]:,.0f} sets), "
        f"{samples[-1][3]:.1f} MiB at the end; slope after warm-up {growth:+.2f} MiB per 100,000 sets "
        f"({len(points)} points)",
        f"extrapolated to 1,000,000 sets at that slope: {samples[-1][3] + growth * (1e6 - total_sets) / 1e5:,.0f} MiB",
    ]
    for line in results:
        print(line)
    data = (
        f"fresh traffic generated as it goes in chunks of {CHUNK:,} sets (new buyers and order numbers each), "
        f"{args.db}, 1 intake process, {args.minutes:g} minutes"
    )
    record("Memory", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
