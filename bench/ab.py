"""Before and after (前后对比): the same traffic through an earlier revision of cbec and through the working tree.

The earlier revision's ``src`` is exported with ``git archive`` into var/bench/trees/REV and run in a subprocess
with its own imports; the working tree runs the same way. Each run gets a fresh database migrated by its own
revision, the demo zone filed, and the same cached messages, ingested by one process as in bench.throughput.
Runs alternate (before, after, before, after …) so that load from other users of the machine falls on both.
Reported per side: complete sets/s, CPU of the intake process per set, CPU of the PostgreSQL backend per set,
SQL statements per set, and the outcome counts (which must be the same).

    .venv/bin/python -m bench.ab --before 409c5a4 --sets 2000 --db postgres --rounds 2
    .venv/bin/python -m bench.ab --before 409c5a4 --sets 300 --single   # one document per message
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.env import CACHE, ROOT, fmt, fresh_database, print_header, record
from bench.workload import WorkloadSpec, load_or_generate


def export_tree(revision: str) -> Path:
    """Return a folder holding the src tree of a git revision (exported once)."""
    folder = CACHE / "trees" / revision
    if (folder / "src" / "cbec").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".tar") as archive:
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", archive.name, revision, "src"], check=True)
        with tarfile.open(archive.name) as tar:
            tar.extractall(folder, filter="data")
    return folder


def _child(args: argparse.Namespace) -> None:
    """Run inside one revision: file the zone, ingest the workload, print the figures as JSON."""
    from bench.runner import bench_context, ingest_all, prepare_zone

    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, single=args.single), say=False)
    prepare_zone(args.url, workload.certificates)
    ctx = bench_context(args.url)
    report = ingest_all(ctx, workload.messages)
    ctx.engine.dispose()
    with bench_context(args.url).engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM import_inventory GROUP BY 1 ORDER BY 1"))
        statuses = {str(status): int(count) for status, count in rows}
    print(
        json.dumps(
            {
                "seconds": report.finished - report.started,
                "cpu": report.cpu,
                "server_cpu": report.server_cpu,
                "statements": report.statements,
                "statuses": statuses,
            }
        )
    )


def run(tree: Path | None, url: str, args: argparse.Namespace) -> dict[str, object]:
    """Run one side in a subprocess and return its figures."""
    source = str(tree / "src") if tree is not None else str(ROOT / "src")
    env = {**os.environ, "PYTHONPATH": f"{source}:{ROOT}"}
    command = [sys.executable, "-m", "bench.ab", "--child", "--url", url, "--sets", str(args.sets)]
    command += ["--seed", str(args.seed)] + (["--single"] if args.single else [])
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Compare an earlier revision with the working tree on the same traffic."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="git revision to compare with (required)")
    parser.add_argument("--sets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--single", action="store_true", help="one document per message (the latency traffic)")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    if not args.before:
        parser.error("--before is required")
    machine = print_header(f"before ({args.before}) and after (working tree)")
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, single=args.single))
    tree = export_tree(args.before)
    sides: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for side, folder in (("before", tree), ("after", None)):
            with fresh_database(args.db) as url:
                figures = run(folder, url, args)
            sides[side].append(figures)
            print(f"  {side}: {json.dumps(figures)}", flush=True)
    results = []
    sets = workload.sets
    messages = len(workload.messages)
    for side, runs in sides.items():
        seconds = sum(float(r["seconds"]) for r in runs)
        cpu = sum(float(r["cpu"]) for r in runs)
        server = sum(float(r["server_cpu"]) for r in runs)
        statements = sum(int(r["statements"]) for r in runs)
        total = sets * len(runs)
        results.append(
            f"{side} ({args.before if side == 'before' else 'working tree'}): {fmt(total / seconds)} sets/s; "
            f"per set {cpu / total * 1000:.1f} ms intake CPU, {server / total * 1000:.1f} ms PostgreSQL CPU, "
            f"{statements / total:.1f} SQL statements; inventories by status {runs[-1]['statuses']}"
            + (f"; {fmt(messages * len(runs) / seconds)} messages/s" if args.single else "")
        )
    record(
        "Before and after",
        machine,
        f"{workload.describe()}; {args.db}; {args.rounds} alternating rounds",
        results,
        enabled=not args.no_record,
    )


if __name__ == "__main__":
    main()
