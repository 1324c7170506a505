"""Benchmark of the zone credit rating (信用评级): re-rate 100,000 subjects with their facts, then ask as-of levels.

    .venv/bin/python -m bench.credit_rating [--subjects 100000] [--db sqlite|postgres] [--queries 500] [--seed 1]
        [--publish] [--no-record]

Synthetic subjects (enterprises by customs code, tenants of a hub and 4 sub-platforms) and about 3 facts each
(0–6: penalties minor/general/serious, platform refusals, overdue tax, third-party ratings, customs tiers of
Decree 282; a tenth of them corrected by a later row, a fiftieth withdrawn; decisions spread over three years, windows
computed from the shipped disclosure windows) loaded straight into a fresh database with the shipped configuration.
Times: the full re-rating dry run (``rate_subjects``: every subject's facts as known now, the ruleset in force, the
level distribution and the movers), with ``--publish`` its publication (``credit_score`` rows and the supervision
measures), and the latency of as-of-date queries (``show_subject`` for a random subject on a random day of the
three years).
Targets (issue 17): re-rating ≤ 60 s, as-of query ≤ 20 ms (p95).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.env import fmt, fresh_database, percentile, print_header, record
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.rules import publication_window
from cbec.credit.service import rate_subjects, seed_configuration, show_subject
from cbec.storage.migrate import upgrade

TENANTS = ["hub"] + [f"hub/city{c}" for c in range(4)]
DAY = date(2026, 12, 1)
WINDOWS = {"minor": (0, 3), "general": (3, 12), "serious": (12, 36)}
KINDS = (
    ("penalty", "customs", "minor", None, None),
    ("penalty", "market", "general", None, None),
    ("penalty", "tax", "serious", None, None),
    ("platform_refusals", "platform", "minor", None, None),
    ("overdue_tax", "tax", "general", None, None),
    ("third_party_rating", "third_party", "positive", None, "AAA"),
    ("customs_tier", "customs", "positive", "certified", None),
    ("customs_tier", "customs", "general", "dishonest", None),
)
WEIGHTS = (30, 15, 3, 30, 4, 8, 8, 2)


def code_of(n: int) -> str:
    """Return the customs code of synthetic subject n."""
    return f"46{n:08d}"


def subjects(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Return the subject rows."""
    now = datetime(2026, 11, 30, tzinfo=UTC)
    return [
        {
            "id": n + 1,
            "kind": "enterprise",
            "uscc": None,
            "customs_code": code_of(n),
            "person_key": None,
            "name": f"合成企业{n}",
            "tenant": rng.choice(TENANTS),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]


def facts(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Return about three fact rows per subject, corrections and withdrawals as later rows."""
    rows: list[dict[str, Any]] = []
    recorded = datetime(2026, 11, 30, tzinfo=UTC)
    for subject in range(1, count + 1):
        for _ in range(rng.randint(0, 6)):
            fact_type, source, severity, tier, grade = rng.choices(KINDS, WEIGHTS)[0]
            decided = DAY - timedelta(days=rng.randrange(3 * 365))
            low, high = WINDOWS.get(severity, (0, 12 if fact_type == "third_party_rating" else None))
            min_until, max_until = publication_window(decided, low, high)
            row = {
                "id": len(rows) + 1,
                "subject_id": subject,
                "fact_type": fact_type,
                "severity": severity,
                "source": source,
                "tier": tier,
                "grade": grade,
                "list_type": None,
                "quantity": rng.randint(1, 4) if fact_type == "platform_refusals" else 1,
                "legal_basis": "bench",
                "document_no": f"B{len(rows) + 1}",
                "decided_on": decided,
                "valid_from": decided,
                "valid_to": None,
                "publish_min_until": min_until,
                "publish_max_until": max_until,
                "window_basis": None,
                "evidence_sha256": None,
                "note": None,
                "detail": {},
                "supersedes_id": None,
                "retracted": False,
                "dedupe_key": None,
                "recorded_at": recorded,
                "recorded_by": "bench",
            }
            rows.append(row)
            roll = rng.random()
            if roll < 0.12:  # a correction (a tenth) or a withdrawal (a fiftieth) recorded later
                later = dict(row, id=len(rows) + 1, supersedes_id=row["id"], retracted=roll < 0.02)
                later["recorded_at"] = recorded + timedelta(hours=1)
                rows.append(later)
    return rows


def load(ctx: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in batches."""
    for first in range(0, len(rows), 20_000):
        with ctx.uow() as uow:
            uow.session.execute(insert(table), rows[first : first + 20_000])
            uow.commit()


def _reset_sequences(ctx: Any) -> None:
    """Move PostgreSQL's id sequences past the rows loaded with their ids."""
    if ctx.engine.dialect.name != "postgresql":
        return
    with ctx.uow() as uow:
        for table in ("credit_subject", "credit_fact"):
            uow.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
        uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--publish", action="store_true", help="Also time a published run (credit_score, measures).")
    parser.add_argument("--no-record", action="store_true", help="Print only; do not append to docs/performance.md.")
    args = parser.parse_args()
    machine = print_header("credit rating")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db) as url:
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(folder), database_url=url))
        seed_configuration(ctx, actor="bench")
        began = time.perf_counter()
        subject_rows = subjects(args.subjects, rng)
        fact_rows = facts(args.subjects, rng)
        load(ctx, CreditSubject, subject_rows)
        load(ctx, CreditFact, fact_rows)
        _reset_sequences(ctx)
        print(
            f"{len(subject_rows):,} subjects, {len(fact_rows):,} fact rows "
            f"loaded in {time.perf_counter() - began:.1f} s"
        )

        began = time.perf_counter()
        dry = rate_subjects(ctx, on=DAY, dry_run=True, actor="bench")
        rerate = time.perf_counter() - began
        print(f"re-rating (dry run): {rerate:.1f} s; distribution {dict(sorted(dry.distribution.items()))}")
        publish = None
        if args.publish:
            began = time.perf_counter()
            published = rate_subjects(ctx, on=DAY, dry_run=False, actor="bench")
            publish = time.perf_counter() - began
            print(f"re-rating and publishing: {publish:.1f} s; {published.stored:,} ratings stored")

        latencies: list[float] = []
        levels: Counter[str] = Counter()
        for _ in range(args.queries):
            code = code_of(rng.randrange(args.subjects))
            on = DAY - timedelta(days=rng.randrange(3 * 365))
            began = time.perf_counter()
            answer = show_subject(ctx, code, on=on)
            latencies.append((time.perf_counter() - began) * 1000)
            levels[answer.level] += 1
        p50, p95, worst = percentile(latencies, 0.5), percentile(latencies, 0.95), max(latencies)
        print(f"as-of query: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms over {args.queries} queries")
        ctx.engine.dispose()
    record(
        f"credit rating ({args.db})",
        machine,
        f"{len(subject_rows):,} subjects, {len(fact_rows):,} fact rows (seed {args.seed}), rated on {DAY}",
        [
            f"re-rating dry run: {fmt(rerate)} s (target ≤ 60 s); "
            f"distribution {dict(sorted(dry.distribution.items()))}",
            "re-rating and publishing (credit_score + supervision measures): "
            + (f"{fmt(publish)} s" if publish is not None else "not run (--publish)"),
            f"as-of level query (show_subject, random subject and day): p50 {fmt(p50)} ms, p95 {fmt(p95)} ms "
            f"(target ≤ 20 ms), max {fmt(worst)} ms over {args.queries}",
        ],
        enabled=not args.no_record,
    )


if __name__ == "__main__":
    main()
