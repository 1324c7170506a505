"""Event-to-decision lag of the risk consumer at the benchmark's full intake rate (风险研判延迟).

    .venv/bin/python -m bench.risk_lag [--sets 3000] [--processes 1] [--batch 32] [--lanes BUDGET] [--no-record]

On a fresh PostgreSQL database with the demo zone filed, intake processes ingest the throughput benchmark's
import traffic as fast as they can (``bench.runner.ingest_parallel``), while one risk consumer process runs
``cbec.risk.service.apply_events`` in a loop beside them, as ``cbec risk consume`` would on a schedule of its own:

* a monitor process samples, every 0.1 s, the highest committed event position (``sharing_event.position`` is given
  at commit) and the highest committed decision id, with the wall time: an event's **commit time** is the first
  sample that holds its position, a decision's **completion time** the first sample that holds its id (the
  consumer commits each batch of up to 500 events on its own, so a decision is visible from its batch's commit —
  one ``apply_events`` call drains batch after batch while intake goes on, so the end of a call would overstate
  it; until this round the consumer's note after each call was taken, which gave p99 12.2 s where the batches'
  commits give the figure below, on the same run's kind);
* the consumer notes, after each call, the wall time and the highest decision id (for the drain time).

The lag of a decision is its completion time minus the commit time of the event it was decided on
(``risk_decision.event_position``), with the 0.1 s sampling as its resolution. Target (issue 18): p99 ≤ 5 s at the
full intake rate. The consumer shares the two cores with the intake processes and PostgreSQL.

``--lanes BUDGET`` turns lanes on (``CBEC_RISK_LANE_BUDGET``, for the intake processes and the consumer alike): the
consumer then writes a supervision measure per inventory it lanes, which moves the supervision revision, so intake
reloads the measures of the subjects it meets. The intake CPU per set printed beside the lag is what to compare
with a run without lanes (issue 18: added intake cost ≤ 0.5 ms a set).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time
from typing import Any

from sqlalchemy import create_engine, text

from bench.env import fmt, fresh_database, percentile, print_header, record
from bench.runner import bench_context, ingest_parallel, prepare_zone, span
from bench.throughput import regroup, workload_of


def _monitor(url: str, drained: Any, queue: Any) -> None:
    engine = create_engine(url)
    samples: list[tuple[float, int, int]] = []
    with engine.connect() as conn:
        while not drained.is_set():  # until the consumer has decided everything intake sent
            found, decided = conn.execute(
                text(
                    "SELECT (SELECT coalesce(max(position), -1) FROM sharing_event), "
                    "(SELECT coalesce(max(id), 0) FROM risk_decision)"
                )
            ).one()
            conn.rollback()
            samples.append((time.time(), int(found), int(decided)))
            time.sleep(0.1)
    engine.dispose()
    queue.put(("monitor", samples))


def _consumer(url: str, stop: Any, drained: Any, queue: Any) -> None:
    from cbec.risk.service import apply_events

    ctx = bench_context(url)
    marks: list[tuple[float, int]] = []
    cpu = time.process_time()
    while True:
        report = apply_events(ctx, limit=500)
        with ctx.engine.connect() as conn:
            top = conn.execute(text("SELECT coalesce(max(id), 0) FROM risk_decision")).scalar_one()
            conn.rollback()
        marks.append((time.time(), int(top)))
        if report.handled == 0:
            if stop.is_set():
                break
            time.sleep(0.05)
    time.sleep(0.2)  # the monitor samples the last commit
    drained.set()
    ctx.engine.dispose()
    queue.put(("consumer", (marks, time.process_time() - cpu)))


def _first(marks: list[tuple[float, int]], value: int) -> float | None:
    lo, hi = 0, len(marks)
    while lo < hi:  # marks rise in both fields; the first whose value reaches
        mid = (lo + hi) // 2
        if marks[mid][1] >= value:
            hi = mid
        else:
            lo = mid + 1
    return marks[lo][0] if lo < len(marks) else None


def main() -> None:
    """Ingest at full rate with the consumer beside it; print and record the lag."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--processes", type=int, default=1, help="intake processes")
    parser.add_argument("--batch", type=int, default=1, help="messages per intake transaction")
    parser.add_argument("--lanes", type=int, default=0, help="daily inspection budget: lanes on (0: off, as shipped)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.lanes:
        os.environ["CBEC_RISK_LANE_BUDGET"] = str(args.lanes)  # read by every process's settings
    machine = print_header("risk event-to-decision lag")
    workload = workload_of("import", args.sets, args.seed, args.processes)
    print(workload.describe(), flush=True)
    with fresh_database("postgres") as url:
        prepare_zone(url, workload.certificates)
        context = mp.get_context("fork")
        stop, finished, queue = context.Event(), context.Event(), context.Queue()
        helpers = [
            context.Process(target=_monitor, args=(url, finished, queue)),
            context.Process(target=_consumer, args=(url, stop, finished, queue)),
        ]
        for helper in helpers:
            helper.start()
        reports = ingest_parallel(url, regroup(workload, args.processes), batch=args.batch)
        intake_done = time.time()
        stop.set()
        got = dict(queue.get() for _ in helpers)
        for helper in helpers:
            helper.join()
        engine = create_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, event_position FROM risk_decision ORDER BY id")).all()
            measures = conn.execute(text("SELECT count(*) FROM supervision_measure WHERE source = 'risk'")).scalar_one()
        engine.dispose()
    sampled: list[tuple[float, int, int]] = got["monitor"]
    samples = [(at, position) for at, position, _ in sampled]
    commits = [(at, decided) for at, _, decided in sampled]
    marks, consumer_cpu = got["consumer"]
    lags = []
    for decision_id, position in rows:
        committed, done = _first(samples, position), _first(commits, decision_id)
        if committed is not None and done is not None:
            lags.append(max(done - committed, 0.0))
    elapsed = span(reports)
    drained = (marks[-1][0] - intake_done) if marks else 0.0
    tenth = max(len(lags) // 10, 1)
    intake_cpu = sum(r.cpu for r in reports) / workload.sets * 1000
    server_cpu = sum(r.server_cpu for r in reports) / workload.sets * 1000
    results = [
        f"intake: {args.processes} process(es), lanes {'on, budget ' + str(args.lanes) if args.lanes else 'off'}, "
        f"{fmt(workload.sets / elapsed)} sets/s over {elapsed:.1f} s, {intake_cpu:.2f} ms intake CPU and "
        f"{server_cpu:.2f} ms PostgreSQL CPU a set; "
        f"risk consumer: {fmt(len(rows))} decisions, {consumer_cpu:.1f} s CPU "
        f"({consumer_cpu / max(len(rows), 1) * 1000:.2f} ms a decision), {fmt(measures)} risk measures written, "
        f"drained {drained:.1f} s after intake ended",
        f"event-to-decision lag over {fmt(len(lags))} decisions (0.1 s resolution): p50 {percentile(lags, 0.5):.2f} s, "
        f"p95 {percentile(lags, 0.95):.2f} s, p99 {percentile(lags, 0.99):.2f} s, max {max(lags, default=0):.2f} s; "
        f"first tenth p99 {percentile(lags[:tenth], 0.99):.2f} s, "
        f"last tenth p99 {percentile(lags[-tenth:], 0.99):.2f} s",
    ]
    for line in results:
        print(line)
    data = f"{workload.describe()}; {args.batch} message(s) per intake transaction; PostgreSQL"
    record("risk event-to-decision lag", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
