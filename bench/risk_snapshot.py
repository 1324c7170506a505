"""Benchmark of the vectorised backtest (向量化回测) over a columnar snapshot of N stored decisions.

    .venv/bin/python -m bench.risk_snapshot [--decisions 10000000] [--workers 1 2] [--pool 20000] [--seed 18]
        [--export 0] [--db sqlite|postgres] [--no-compare] [--no-record]

Writes a synthetic snapshot of N decisions straight to Parquet, in the format ``cbec risk snapshot`` writes
(``cbec.risk.versions.snapshot``): the same generator as bench.risk_backtest's stored traces — a pool of distinct
input sets (``sample_inputs`` of the shipped ruleset, 5 % unknown) evaluated by the shipped ruleset for the live
bands, each decision one draw from the pool, spread over 365 days. Then times ``scan_snapshot`` (the work of
``run_backtest(..., snapshot=DIR)``: the manifest's SHA-256 checked, the candidate's columns read by DuckDB, scored
with numpy) of the bench candidate (id_misuse review at 20, fake_order hold at 60) with each ``--workers`` count —
wall seconds and the CPU seconds of the scanning processes.

``--export N`` (N > 0) also loads N decisions into a fresh database (bench.risk_backtest's loader: real traces)
and times ``take_snapshot`` over them, then (unless ``--no-compare``) checks that the snapshot backtest and the
database backtest agree.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from bench.env import fmt, fresh_database, print_header, record
from bench.risk_backtest import candidate, load, traces
from cbec.risk.rules import evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.versions.compile import sample_inputs
from cbec.risk.versions.service import past_shipped_texts, shipped_text
from cbec.risk.versions.snapshot import FORMAT, MANIFEST, VOCABULARY, file_sha256, micros, scan_snapshot

START = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
CHUNK = 1_000_000


def synthetic_snapshot(folder: Path, n: int, pool: int, seed: int) -> float:
    """Write a snapshot of n decisions drawn from a pool of input sets; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    ruleset = shipped_ruleset()
    names = sorted(
        {
            name
            for text in (shipped_text(), *past_shipped_texts())
            for r in parse_ruleset(text).rules
            for name in r.inputs
        }
    )
    inputs = np.full((len(names), pool), np.nan)
    live = np.zeros((len(VOCABULARY), pool), dtype=np.int8)
    slot = {t: k for k, t in enumerate(VOCABULARY)}
    for j in range(pool):
        drawn = sample_inputs(ruleset, rng, unknown=0.05)
        for i, name in enumerate(names):
            value = drawn.get(name)
            inputs[i, j] = float(value) if value is not None else np.nan
        for s in evaluate(ruleset, drawn).scores:
            live[slot[s.typology.value], j] = s.band.rank
    draws = np.random.default_rng(seed)
    first = micros(START)
    span = 365 * 86_400 * 1_000_000
    folder.mkdir(parents=True)
    target = folder / "part-00001.parquet"
    with tempfile.TemporaryDirectory(dir=folder) as work:
        connection = duckdb.connect(str(Path(work) / "staged.duckdb"))
        try:
            connection.execute("SET enable_progress_bar = false")
            for lo in range(0, n, CHUNK):
                ids = np.arange(lo, min(n, lo + CHUNK), dtype=np.int64)
                pick = draws.integers(0, pool, size=len(ids))
                decided = first + ids * span // n
                day = (decided + 8 * 3_600_000_000) // 86_400_000_000  # business day in Asia/Shanghai
                columns: dict[str, object] = {"id": ids + 1, "decided_at": decided, "business_day": day}
                columns["outcome"] = np.full(len(ids), None, dtype=object)
                columns |= {f"live_{t}": live[k][pick] for k, t in enumerate(VOCABULARY)}
                columns |= {name: inputs[i][pick] for i, name in enumerate(names)}
                connection.register("batch", columns)
                typed = (
                    "SELECT * REPLACE (CAST(DATE '1970-01-01' + CAST(business_day AS INTEGER) AS DATE) AS business_day,"
                    " CAST(outcome AS VARCHAR) AS outcome) FROM batch"
                )
                connection.execute(f"{'CREATE TABLE staged AS' if lo == 0 else 'INSERT INTO staged BY NAME'} {typed}")
                connection.unregister("batch")
            connection.execute(
                f"COPY (SELECT * FROM staged ORDER BY id) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            connection.close()
    part = {"file": target.name, "decisions": n, "first_id": 1, "last_id": n, "sha256": file_sha256(target),
            "taken_at": datetime.now(UTC).isoformat(), "inputs": names, "present": names}  # fmt: skip
    manifest = {"format": FORMAT, "decisions": n, "last_id": n, "labels": False, "parts": [part]}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    return time.perf_counter() - started


def _backtests(folder: Path, workers: list[int], results: list[str]) -> None:
    body = candidate()
    for count in workers:
        started = time.perf_counter()
        tally, _ = scan_snapshot(folder, body, since=None, until=None, workers=count)
        wall = time.perf_counter() - started
        results.append(
            f"snapshot backtest workers={count}: {fmt(tally.decisions)} decisions in {wall:.1f} s wall = "
            f"{fmt(tally.decisions / wall)} decisions/s; {tally.cpu:.1f} CPU s in the scanning processes = "
            f"{fmt(tally.decisions / tally.cpu)} per CPU second ({tally.changed:,} change band)"
        )
        print(results[-1])


def _export(n: int, db: str, seed: int, pool: int, results: list[str], compare: bool) -> None:
    from cbec.bootstrap import build_context
    from cbec.config import Settings
    from cbec.risk.versions import draft, list_versions, run_backtest, take_snapshot
    from cbec.storage.migrate import upgrade

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as data, fresh_database(db) as url:
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(data), database_url=url))
        loaded = load(url, n, traces(pool, rng), rng)
        results.append(f"export: loaded {fmt(n)} stored decisions ({db}) in {loaded:.1f} s")
        print(results[-1])
        list_versions(ctx)
        draft(ctx, candidate(), actor="bench")
        folder = Path(data) / "snap"
        started, cpu = time.perf_counter(), time.process_time()
        manifest = take_snapshot(ctx, folder)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        size = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e6
        results.append(
            f"export: cbec risk snapshot of {fmt(manifest['decisions'])} decisions ({db}) in {wall:.1f} s wall, "
            f"{used:.1f} CPU s in the exporting process; {size:.0f} MB Parquet"
        )
        print(results[-1])
        if not compare:
            return
        timing = {"seconds", "cpu_seconds", "workers"}
        fast = run_backtest(ctx, "2026.2-bench", snapshot=folder, workers=2, actor="bench")
        slow = run_backtest(ctx, "2026.2-bench", workers=2, actor="bench")
        same = fast.model_dump(exclude=timing) == slow.model_dump(exclude=timing)
        results.append(
            f"export: same report as the database backtest: {same} ({fast.decisions:,} decisions, {fast.changed:,} "
            f"change band; snapshot {fast.seconds:.1f} s, "
            f"database {slow.seconds:.1f} s, 2 workers)"
        )
        print(results[-1])


def main() -> None:
    """Write, backtest, print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--export", type=int, default=0)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-compare", action="store_true", help="Skip the database backtest after the export.")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("risk snapshot backtest")
    results: list[str] = []
    if args.decisions:
        with tempfile.TemporaryDirectory() as folder:
            written = synthetic_snapshot(Path(folder) / "snap", args.decisions, args.pool, args.seed)
            size = (Path(folder) / "snap" / "part-00001.parquet").stat().st_size / 1e6
            results.append(
                f"synthetic snapshot: {fmt(args.decisions)} decisions written in {written:.1f} s, {size:.0f} MB"
            )
            print(results[-1])
            _backtests(Path(folder) / "snap", args.workers, results)
    if args.export:
        _export(args.export, args.db, args.seed, args.pool, results, not args.no_compare)
    data = f"{fmt(args.decisions)} snapshotted decisions from a pool of {fmt(args.pool)}; export {fmt(args.export)}"
    record("risk snapshot backtest", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
