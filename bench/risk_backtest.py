"""Benchmark of the ruleset backtest (回测): a candidate version over N stored decisions.

    .venv/bin/python -m bench.risk_backtest [--decisions 1000000] [--db sqlite|postgres] [--workers 1 2]
        [--pool 20000] [--seed 18] [--no-record]

Generates N synthetic stored decisions straight into a fresh, migrated database: each row a real trace of the
shipped ruleset (``trace_of(evaluate(...))``: every input read as a decimal string, every rule's result, every
typology's score and band) for random inputs dense around the rules' constants, drawn from a pool of distinct
traces (``--pool``) and spread over 365 days. Then drafts a candidate (id_misuse review at 20 instead of 40,
fake_order hold at 60 instead of 70) and times ``run_backtest`` over all of them with each ``--workers`` count. The
target of issue 18 is 10,000,000 stored sets in ≤ 10 min on 2 cores; the scan is linear in rows (keyset pages),
so the figure is extrapolated ×(10,000,000 / N) — a measurement at N, not at 10 M.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bench.env import fmt, fresh_database, print_header, record
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.risk.rules import evaluate, shipped_ruleset
from cbec.risk.service import trace_of
from cbec.risk.versions import draft, list_versions, run_backtest
from cbec.risk.versions.compile import sample_inputs
from cbec.risk.versions.service import shipped_text
from cbec.storage.migrate import upgrade

START = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
COLUMNS = (
    "eport_no, order_no, inventory_no, tenant, parties, business_day, ruleset_version, ruleset_sha256, score, band,"
    " typology, expected_revenue, subjects, trace, event_position, decided_at"
)


def traces(pool: int, rng: random.Random) -> list[tuple[str, int, str, str | None]]:
    """Return distinct stored traces (JSON text) with their score, band and top typology."""
    ruleset = shipped_ruleset()
    out = []
    for _ in range(pool):
        assessment = evaluate(ruleset, sample_inputs(ruleset, rng, unknown=0.05))
        top = assessment.top.value if assessment.top else None
        out.append((json.dumps(trace_of(assessment, ruleset)), assessment.score, assessment.band.value, top))
    return out


def load(url: str, n: int, pool: list[tuple[str, int, str, str | None]], rng: random.Random) -> float:
    """Insert n decisions in batches; return the seconds it took."""
    from sqlalchemy import create_engine

    from bench.env import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(url))
    postgres = url.startswith("postgres")
    cast = "CAST(:{} AS json)" if postgres else ":{}"
    values = ", ".join(
        cast.format(c) if c in ("parties", "subjects", "trace") else f":{c}"
        for c in COLUMNS.replace(" ", "").split(",")
    )
    statement = text(f"INSERT INTO risk_decision ({COLUMNS}) VALUES ({values})")
    ruleset = shipped_ruleset()
    started = time.perf_counter()
    batch = 20_000
    for first in range(0, n, batch):
        rows = []
        for k in range(first, min(n, first + batch)):
            trace, score, band, top = pool[rng.randrange(len(pool))]
            moment = START + timedelta(seconds=k * 31_536_000 // n)
            rows.append(
                {
                    "eport_no": f"B{k:017d}",
                    "order_no": f"ORD{k:012d}",
                    "inventory_no": None,
                    "tenant": "hub",
                    "parties": '["P1"]',
                    "business_day": (moment + timedelta(hours=8)).date() if postgres else date.isoformat(moment.date()),
                    "ruleset_version": ruleset.version,
                    "ruleset_sha256": ruleset.sha256,
                    "score": score,
                    "band": band,
                    "typology": top,
                    "expected_revenue": 0 if postgres else "0",
                    "subjects": '{"buyer": "k"}',
                    "trace": trace,
                    "event_position": k,
                    "decided_at": moment if postgres else moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                }
            )
        with engine.begin() as conn:
            conn.execute(statement, rows)
    engine.dispose()
    return time.perf_counter() - started


def candidate() -> str:
    """The shipped ruleset with two thresholds moved."""
    doc = json.loads(shipped_text())
    doc["version"] = "2026.2-bench"
    doc["typologies"]["id_misuse"]["review"] = 20
    doc["typologies"]["fake_order"]["hold"] = 60
    return json.dumps(doc, ensure_ascii=False)


def main() -> None:
    """Generate, backtest, print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("risk backtest")
    rng = random.Random(args.seed)
    results: list[str] = []
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db) as url:
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(folder), database_url=url))
        started = time.perf_counter()
        pool = traces(args.pool, rng)
        print(f"{len(pool)} distinct traces in {time.perf_counter() - started:.1f} s")
        loaded = load(url, args.decisions, pool, rng)
        results.append(f"load: {fmt(args.decisions)} decisions in {loaded:.1f} s")
        print(results[-1])
        list_versions(ctx)  # seeds the shipped version
        draft(ctx, candidate(), actor="bench")
        for workers in args.workers:
            report = run_backtest(ctx, "2026.2-bench", workers=workers, actor="bench")
            rate = report.decisions / report.seconds
            per_cpu = report.decisions / report.cpu_seconds
            ten_million = 10_000_000 / rate
            results.append(
                f"backtest workers={workers}: {fmt(report.decisions)} decisions in {report.seconds:.1f} s = "
                f"{fmt(rate)} decisions/s; {fmt(per_cpu)} per CPU second of the scanning processes; "
                f"10,000,000 extrapolated: {ten_million / 60:.1f} min wall here, "
                f"{10_000_000 / per_cpu / min(workers, 2) / 60:.1f} min on {min(workers, 2)} idle core(s) "
                f"({report.changed:,} change band)"
            )
            print(results[-1])
            for t in report.typologies:
                print(f"  {t.typology:16} live {t.live_alerts:>8,} candidate {t.candidate_alerts:>8,} {t.band_changes}")
    data = f"{fmt(args.decisions)} stored decisions ({args.db}), traces from a pool of {fmt(args.pool)}"
    record("risk backtest", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
