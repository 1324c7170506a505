"""Benchmark of the statistics rollups (日汇总): recount 1,000,000 trade facts, a day incrementally, then query.

    .venv/bin/python -m bench.rollup [--facts 1000000] [--db sqlite|postgres] [--seed 1]

Synthetic facts (a year of 2026, about 3 lines per inventory; 21 tenants of a hub, 4 sub-platforms and their
windows; 4 modes, 50 enterprises, 10 platforms, 30 countries, 60 HS chapters; 2 % refused, 1 % returned) loaded
straight into ``trade_fact`` of a fresh database. Times: the full recount (``recount_all``: every day, every
tenant), an incremental refresh of 1,000 inventories of one day (the consumer's pending marks), and the figures of
the year for the hub and for one sub-platform (YoY, MoM and shares included) from the rollups. Checks that the
rollups' total equals the facts' total.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from bench.env import pg_base_url, sqlalchemy_url
from cbec.bootstrap import build_context
from cbec.config import Settings
from cbec.facts import TradeFact
from cbec.statistics.cube import rollup_figures
from cbec.statistics.models import StatRollupPending
from cbec.statistics.rollup import recount_all, refresh
from cbec.statistics.rules import parse_span
from cbec.storage.context import Context
from cbec.storage.migrate import upgrade

TENANTS = ["hub"] + [f"hub/city{c}" for c in range(4)] + [f"hub/city{c}/w{w}" for c in range(4) for w in range(4)]
MODES = ("9610", "1210", "9710", "9810")


def facts(count: int, seed: int) -> list[dict[str, object]]:
    """Return synthetic fact rows: inventories of 1–5 lines spread over 2026."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    inventory = 0
    while len(rows) < count:
        inventory += 1
        direction = "I" if rng.random() < 0.5 else "E"
        mode = rng.choice(MODES[:2] if direction == "I" else MODES)
        declared_at = start + timedelta(seconds=rng.randrange(365 * 86400))
        roll = rng.random()
        status = "refused" if roll < 0.02 else "returned" if roll < 0.03 else "released"
        released_at = None if status == "refused" else declared_at + timedelta(hours=rng.randrange(1, 48))
        tenant = rng.choice(TENANTS)
        ecommerce = f"46019{rng.randrange(50):05d}"
        platform = f"46018{rng.randrange(10):05d}"
        for line in range(1, rng.randint(1, 5) + 1):
            country = f"{rng.randrange(101, 131)}"
            rows.append(
                {
                    "direction": direction,
                    "mode": mode,
                    "document_id": inventory,
                    "eport_no": f"B{inventory:017d}",
                    "inventory_no": None,
                    "order_no": f"O{inventory}",
                    "line_no": line,
                    "hs_code": f"{rng.randrange(1, 61):02d}01000000",
                    "goods_name": "goods",
                    "origin_country": country if direction == "I" else "142",
                    "destination_country": "142" if direction == "I" else country,
                    "quantity": Decimal(1),
                    "unit": "011",
                    "legal_quantity": Decimal(1),
                    "legal_unit": "011",
                    "currency": "142",
                    "value": Decimal(rng.randrange(100, 500000)) / 100,
                    "value_cny": Decimal(rng.randrange(100, 500000)) / 100,
                    "value_usd": None,
                    "platform_code": platform,
                    "ecommerce_code": ecommerce,
                    "logistics_code": "4601930001",
                    "payment_code": None,
                    "agent_code": "4601940001",
                    "warehouse_code": None,
                    "owner_code": None,
                    "tenant": tenant,
                    "customs_code": "6401",
                    "declared_at": declared_at,
                    "declared_on": _shanghai_day(declared_at),
                    "released_at": released_at,
                    "released_on": None if released_at is None else _shanghai_day(released_at),
                    "status": status,
                    "updated_at": declared_at,
                }
            )
    return rows[:count]


def _shanghai_day(moment: datetime) -> date:
    return (moment + timedelta(hours=8)).date()


def load(ctx: Context, rows: list[dict[str, object]]) -> None:
    for first in range(0, len(rows), 20000):
        with ctx.uow() as uow:
            uow.session.execute(insert(TradeFact), rows[first : first + 20000])
            uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.db == "sqlite":
            url = f"sqlite:///{Path(folder) / 'rollup.db'}"
        else:
            base = sqlalchemy_url(pg_base_url())
            url = base.rsplit("/", 1)[0] + "/cbec_bench_rollup"
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS cbec_bench_rollup"))
                connection.execute(text("CREATE DATABASE cbec_bench_rollup"))
            admin.dispose()
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(folder), database_url=url))
        started = time.perf_counter()
        rows = facts(args.facts, args.seed)
        made = time.perf_counter()
        load(ctx, rows)
        loaded = time.perf_counter()
        print(f"{len(rows):,} facts made in {made - started:.1f} s, loaded in {loaded - made:.1f} s ({args.db})")
        began = time.perf_counter()
        pairs, written = recount_all(ctx)
        full = time.perf_counter() - began
        print(f"full recount: {full:.1f} s, {pairs:,} tenant-days, {written:,} rollup rows")
        day = date(2026, 6, 15)
        marked = [
            {"direction": r["direction"], "eport_no": r["eport_no"]}
            for r in rows
            if r["declared_on"] == day and r["line_no"] == 1
        ][:1000]
        with ctx.uow() as uow:
            uow.session.execute(insert(StatRollupPending), marked)
            uow.commit()
        began = time.perf_counter()
        inventories, recounted, _ = refresh(ctx)
        incremental = time.perf_counter() - began
        print(f"incremental refresh: {inventories:,} inventories, {recounted} tenant-days in {incremental:.2f} s")
        year = parse_span("2026")
        assert year is not None
        trade: dict[str, Decimal | None] = {}
        for tenant in ("hub", "hub/city1"):
            began = time.perf_counter()
            with ctx.uow() as uow:
                found = {f.code: f.value for f in rollup_figures(uow.session, year, tenant, today=date(2027, 3, 1))}
            trade[tenant] = found["trade_value_cny"]
            print(f"figures of 2026 for {tenant}: {time.perf_counter() - began:.2f} s, trade {trade[tenant]}")
        expected = Decimal(0)
        for r in rows:
            released_on = r["released_on"]
            if r["status"] != "refused" and isinstance(released_on, date) and released_on.year == 2026:
                expected += r["value_cny"]  # type: ignore[operator]
        print(f"check: the hub's trade value {trade['hub']} equals the facts' {expected}: {trade['hub'] == expected}")
        assert trade["hub"] == expected
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
