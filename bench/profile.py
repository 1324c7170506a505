"""Where the end-to-end time goes (性能剖析): py-spy samples one intake process, summarised by stage.

Runs the throughput workload through ``ingest_message`` in one process under py-spy (sampling, so the profile
barely slows the run) and prints the share of samples under each stage of the pipeline and under the
functions that take most time, inclusive. ``Connection.wait`` / ``_send_query_prepared`` is time spent
waiting for PostgreSQL (round trips).

    .venv/bin/python -m bench.profile --sets 2000 --db postgres
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.env import ROOT, fresh_database, print_header, record
from bench.runner import bench_context, ingest_all, prepare_zone
from bench.workload import WorkloadSpec, load_or_generate

# Stages of the pipeline: a sample counts for the first of these functions found on its stack (innermost wins).
STAGES = (
    ("render answers (receipts, tax bills)", "answer (bench/runner.py)"),
    ("commit (incl. audit chain sealing)", "SessionTransaction.commit"),
    ("signature verification", "signature_problems"),
    ("parse + format checks", "parse_message"),
    ("envelope", "open_envelope"),
    ("quota ledger", "QuotaBook."),
    ("receipts + outbox events (receipt book)", "ReceiptBook.issue"),
    ("outbox events", "publish_tax_bill"),
    ("audit records", "record_audit"),
    ("working set: locks + set-based reads", "WorkingSet.prepare"),
    ("tax assessment", "assess_import"),
    ("matching (三单对碰) + payload decryption", "partners_of (cbec/clearance/service/matching.py)"),
    ("matching (三单对碰) + payload decryption", "match (cbec/clearance/service/matching.py)"),
    ("payload encryption", "seal (cbec/clearance/service/run.py)"),
    ("decision + release + tax bill", "decide (cbec/clearance/service/release.py)"),
    ("store documents (COPY of new rows, ORM flush of changed ones)", "copy_new_rows"),
    ("store documents (COPY of new rows, ORM flush of changed ones)", "Session.flush"),
    ("party authority (filings, delegations)", "sender_authority"),
    ("message log (digest look-up)", "message_by_hash"),
    ("code tables", "code_tables"),
    ("other clearance", "handle_import_message"),
    ("other intake", "ingest_message"),
)


def _name(frame: str) -> str:
    match = re.match(r"(.*) \((.*):\d+\)", frame)
    if not match:
        return frame
    path = match.group(2).split("site-packages/")[-1].split("/src/")[-1]
    return f"{match.group(1)} ({path})"


def summarise(folded: Path, top: int) -> list[str]:
    """Return the stage shares and the top inclusive functions of a py-spy raw (folded) profile."""
    inclusive: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    total = 0
    waiting = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        names = [_name(f) for f in stack.split(";")]
        if not any("ingest_all" in n for n in names):
            continue  # set-up and imports
        total += samples
        for name in set(names):
            inclusive[name] += samples
        if names[-1].startswith(("Connection.wait", "BaseCursor._send_query_prepared")):
            waiting += samples
        for stage, needle in STAGES:
            if any(needle in n for n in reversed(names)):
                stages[stage] += samples
                break
    lines = [f"profile: {total:,} samples of the intake loop; waiting on the database: {waiting / total:.0%}"]
    lines += [f"  stage {share / total:6.1%}  {stage}" for stage, share in stages.most_common()]
    lines.append("  top functions (inclusive):")
    wanted = [(n, c) for n, c in inclusive.most_common() if "cbec/" in n and "ingest_all" not in n]
    lines += [f"    {c / total:6.1%}  {n}" for n, c in wanted[:top]]
    return lines


def _child(args: argparse.Namespace) -> None:
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, single=args.single), say=False)
    ctx = bench_context(args.url)
    ingest_all(ctx, workload.messages[: args.messages or None])
    ctx.engine.dispose()


def _pyinstrument(args: argparse.Namespace, url: str, top: int) -> list[str]:
    """Profile in-process with pyinstrument (where py-spy may not sample) and return its call tree."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    args.url = url
    _child(args)
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return ["pyinstrument call tree (inclusive seconds):", *text.splitlines()[: top * 3]]


def main() -> None:
    """Profile one intake process and record the summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--messages", type=int, default=0, help="profile only the first N messages")
    parser.add_argument("--single", action="store_true", help="one document per message (the latency traffic)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--tool", choices=("py-spy", "pyinstrument"), default="py-spy")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--raw", type=Path, help="also keep py-spy's raw (folded) profile here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if args.tool == "py-spy" and not Path(spy).exists():
        raise SystemExit("py-spy is not installed: .venv/bin/pip install -e '.[dev]'")
    machine = print_header("profile of one intake process")
    workload = load_or_generate(WorkloadSpec(sets=args.sets, seed=args.seed, single=args.single))
    with fresh_database(args.db) as url, tempfile.TemporaryDirectory() as folder:
        prepare_zone(url, workload.certificates)
        if args.tool == "pyinstrument":
            lines = _pyinstrument(args, url, args.top)
            data = workload.describe() + f"; {args.db}; pyinstrument"
            record("Profile", machine, data, lines, enabled=not args.no_record)
            return
        out = Path(folder) / "profile.txt"
        child = [sys.executable, "-m", "bench.profile", "--child", "--url", url, "--sets", str(args.sets)]
        child += ["--seed", str(args.seed), "--messages", str(args.messages)] + (["--single"] if args.single else [])
        subprocess.run(
            [spy, "record", "-f", "raw", "-r", str(args.rate), "-o", str(out), "--", *child],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        lines = summarise(out, args.top)
        if args.raw:
            shutil.copyfile(out, args.raw)
    data = workload.describe() + (f"; first {args.messages} messages" if args.messages else "") + f"; {args.db}"
    record("Profile", machine, data, lines, enabled=not args.no_record)


if __name__ == "__main__":
    main()
