"""Benchmark of the statistics queries (统计查询) with 10,000,000 sets behind the rollups: p95 per kind of query.

    .venv/bin/python -m bench.stat_queries [--sets 10000000] [--db sqlite|postgres] [--queries 40] [--seed 1]

Two years (2025 and 2026) of rollups of a zone whose released sets add up to ``--sets``: 21 tenants of a hub
(4 sub-platforms and their windows), 2,000 e-commerce enterprises on 30 platforms, each trading on about 60 % of the
days in its own direction and mode(s), the goods rows by ~15 countries and ~20 HS chapters per tenant, day,
direction and mode. The rows go straight into ``stat_rollup`` and ``stat_rollup_goods`` (what the rollup of the
facts of 10 million sets leaves: the facts themselves are not read by these queries), then the monthly layer is
built by the product's own ``months.rebuild_all``. Timed, ``--queries`` times each with a random tenant (the hub or
a sub-platform) and period: the figures page and ``GET /statistics/figures`` (every indicator with YoY, MoM, shares
and contributions: ``rollup_indicators``) for a year, a quarter, a month and a custom span; the breakdowns
(``figure_breakdown``) by mode, country, chapter, platform, enterprise, tenant and month; the hub view (``hub_view``).
Each call is its own transaction, as a request is. Target (issue 19): p95 ≤ 300 ms for any period and tenant.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.env import fmt, fresh_database, percentile, print_header, record
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.statistics import months
from cbec.statistics.models import StatRollup, StatRollupGoods, StatRollupGoodsMonth, StatRollupMonth
from cbec.statistics.queries import figure_breakdown, hub_view, rollup_indicators
from cbec.statistics.rules import parse_span
from cbec.storage.context import Context
from cbec.storage.migrate import upgrade

TENANTS = ["hub"] + [f"hub/city{c}" for c in range(4)] + [f"hub/city{c}/w{w}" for c in range(4) for w in range(4)]
FIRST = date(2025, 1, 1)
DAYS = 730
CHUNK = 20_000


def rows(sets: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return daily inventory and goods rollup rows of two years whose released sets add up to ``sets``."""
    rng = random.Random(seed)
    enterprises = []
    for n in range(2000):
        direction = "I" if n % 2 else "E"
        choices = ("9610", "1210") if direction == "I" else ("9610", "9710", "9810")
        enterprises.append(
            (
                f"46019{n:05d}",
                rng.choice(TENANTS),
                direction,
                rng.sample(choices, rng.randint(1, 2)),
                f"4601{n % 30:06d}",
            )
        )
    per_row = sets / (DAYS * len(enterprises) * 0.6 * 1.5)
    inventory: list[dict[str, Any]] = []
    goods: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for offset in range(DAYS):
        day = FIRST + timedelta(days=offset)
        for code, tenant, direction, modes, platform in enterprises:
            if rng.random() > 0.6:
                continue
            for mode in modes:
                released = max(0, round(rng.gauss(per_row, per_row / 3)))
                value = released * rng.randint(8_000, 60_000)  # fen: 80 … 600 yuan a set
                inventory.append(
                    {
                        "day": day, "tenant": tenant, "direction": direction, "mode": mode,
                        "platform_code": platform, "ecommerce_code": code, "declared": released + 1, "refused": 1,
                        "released": released, "released_lines": released * 2, "released_fen": value,
                        "unconverted_lines": 0, "returned": released // 100, "returned_fen": value // 100,
                    }
                )  # fmt: skip
                country = f"{101 + rng.randrange(15)}"
                chapter = f"{rng.randrange(1, 21):02d}"
                for key in ((day, tenant, direction, mode, country, ""), (day, tenant, direction, mode, "", chapter)):
                    cell = goods[key]
                    cell[0] += released
                    cell[1] += released * 2
                    cell[2] += value
    goods_rows = [
        {"day": k[0], "tenant": k[1], "direction": k[2], "mode": k[3], "country": k[4], "hs_chapter": k[5],
         "released": v[0], "released_lines": v[1], "released_fen": v[2]}
        for k, v in goods.items()
    ]  # fmt: skip
    return inventory, goods_rows


def load(ctx: Context, inventory: list[dict[str, Any]], goods: list[dict[str, Any]]) -> None:
    """Insert the daily rows, then build the monthly layer month by month, as the rollup does."""
    for model, data in ((StatRollup, inventory), (StatRollupGoods, goods)):
        for first in range(0, len(data), CHUNK):
            with ctx.uow() as uow:
                uow.session.execute(insert(model), data[first : first + CHUNK])
                uow.commit()
    for offset in range(24):
        with ctx.uow() as uow:
            months.rebuild_all(uow.session, [date(2025 + offset // 12, offset % 12 + 1, 1)])
            uow.commit()


def _period(rng: random.Random, kind: str) -> str:
    year = rng.choice((2025, 2026))
    if kind == "year":
        return str(year)
    if kind == "quarter":
        return f"{year}-Q{rng.randint(1, 4)}"
    if kind == "month":
        return f"{year}-{rng.randint(1, 12):02d}"
    start = FIRST + timedelta(days=rng.randrange(DAYS - 30))
    end = min(start + timedelta(days=rng.randrange(1, 400)), FIRST + timedelta(days=DAYS - 1))
    return f"{start}..{end}"


def timed(ctx: Context, queries: int, seed: int) -> dict[str, list[float]]:
    """Run every kind of query ``queries`` times with random tenants and periods; return the times in ms."""
    rng = random.Random(seed)
    found: dict[str, list[float]] = defaultdict(list)
    kinds = ["figures " + k for k in ("year", "quarter", "month", "custom")]
    kinds += ["by " + d for d in ("mode", "country", "chapter", "platform", "enterprise", "tenant", "month")]
    kinds += ["hub view"]
    for _ in range(queries):
        for kind in kinds:
            tenant = rng.choice(TENANTS[:5])
            period = _period(rng, kind.split()[1] if kind.startswith("figures") else rng.choice(("year", "custom")))
            span = parse_span(period)
            assert span is not None
            began = time.perf_counter()
            if kind.startswith("figures"):
                rollup_indicators(ctx, span, tenant)
            elif kind.startswith("by "):
                figure_breakdown(ctx, span, tenant, kind[3:])
            else:
                hub_view(ctx, span, "hub")
            found[kind].append((time.perf_counter() - began) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sets", type=int, default=10_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="Print only; do not append to docs/performance.md.")
    parser.add_argument("--keep", action="store_true", help="Keep the loaded database and use it again next time.")
    args = parser.parse_args()
    machine = print_header("Statistics queries")
    name = f"cbec_bench_stat_queries_{args.sets}_{args.seed}" if args.keep else None
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db, keep=args.keep, name=name) as url:
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(folder), database_url=url))
        with ctx.uow() as uow:
            present = uow.session.scalar(select(func.count()).select_from(StatRollupMonth))
        began = time.perf_counter()
        inventory, goods = rows(args.sets, args.seed)
        made = time.perf_counter() - began
        began = time.perf_counter()
        if not present:
            load(ctx, inventory, goods)
        loaded = time.perf_counter() - began
        with ctx.uow() as uow:
            stored = int(uow.session.scalar(select(func.sum(StatRollup.released))) or 0)
            monthly = int(uow.session.scalar(select(func.count()).select_from(StatRollupMonth)) or 0)
            monthly_goods = int(uow.session.scalar(select(func.count()).select_from(StatRollupGoodsMonth)) or 0)
        print(f"{stored:,} sets in {len(inventory):,} + {len(goods):,} daily rows ({monthly:,} + {monthly_goods:,} "
              f"monthly) made in {made:.1f} s, loaded in {loaded:.1f} s")  # fmt: skip
        if args.db == "postgres":
            with ctx.engine.begin() as connection:  # committed: ANALYZE's statistics are transactional
                connection.exec_driver_sql("ANALYZE")
        timed(ctx, 2, args.seed + 1)  # warm-up: caches, prepared statements
        found = timed(ctx, args.queries, args.seed)
        every = [t for times in found.values() for t in times]
        results = [
            f"all {len(every):,} queries: p50 {percentile(every, 0.5):.1f} ms, p95 {percentile(every, 0.95):.1f} ms, "
            f"max {max(every):.1f} ms (target p95 ≤ 300 ms)"
        ]
        for kind, times in found.items():
            results.append(
                f"{kind}: p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
                f"max {max(times):.1f} ms"
            )
        ctx.engine.dispose()
    record(
        f"Statistics queries ({args.db})",
        machine,
        f"{stored:,} released sets over 2025–2026 in {len(inventory):,} daily inventory rows and {len(goods):,} goods "
        f"rows ({monthly:,} + {monthly_goods:,} monthly), 21 tenants, 2,000 enterprises, seed {args.seed}; "
        f"made {fmt(made)} s, "
        + (f"loaded with the monthly layer {fmt(loaded)} s" if not present else "loaded by an earlier run (--keep)"),
        results,
        enabled=not args.no_record,
    )


if __name__ == "__main__":
    main()
