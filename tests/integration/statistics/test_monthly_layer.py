"""The monthly layer answers any period exactly as the daily rows alone would (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from cbec.statistics import months
from cbec.statistics.cube import breakdown, period_totals
from cbec.statistics.models import StatRollup, StatRollupGoods
from cbec.statistics.rules import Span
from cbec.storage.context import Context

TENANTS = ("hub", "hub/sanya", "hub/sanya/w1", "hub/haikou", "")
FIRST = date(2025, 1, 1)


def _rows(rng: random.Random) -> tuple[list[StatRollup], list[StatRollupGoods]]:
    inventories, goods = [], []
    for offset in range(0, 730, 3):
        day = FIRST + timedelta(days=offset)
        for _ in range(rng.randint(1, 4)):
            direction = rng.choice("IE")
            inventories.append(
                StatRollup(
                    day=day, tenant=rng.choice(TENANTS), direction=direction, mode=rng.choice(("9610", "1210")),
                    platform_code=f"P{rng.randrange(3)}", ecommerce_code=f"E{rng.randrange(40)}",
                    declared=rng.randint(0, 9), refused=rng.randint(0, 2), released=rng.randint(0, 9),
                    released_lines=rng.randint(0, 20), released_fen=rng.randint(0, 10**7), unconverted_lines=0,
                    returned=rng.randint(0, 1), returned_fen=rng.randint(0, 10**4),
                )
            )  # fmt: skip
            country = f"{rng.randrange(101, 110)}"
            goods.append(
                StatRollupGoods(
                    day=day, tenant=rng.choice(TENANTS), direction=direction, mode="9610", country=country,
                    hs_chapter="", released=1, released_lines=1, released_fen=rng.randint(0, 10**6),
                )
            )  # fmt: skip
    # unique keys: keep the first row of each key
    seen: set[tuple[object, ...]] = set()
    unique = []
    for row in inventories:
        key = (row.day, row.tenant, row.direction, row.mode, row.platform_code, row.ecommerce_code)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    seen_goods: set[tuple[object, ...]] = set()
    unique_goods = []
    for g in goods:
        key = (g.day, g.tenant, g.direction, g.mode, g.country)
        if key not in seen_goods:
            seen_goods.add(key)
            unique_goods.append(g)
    return unique, unique_goods


def _in(tenant: str, own: str) -> bool:
    return tenant == "hub" or own == tenant or own.startswith(tenant + "/")


def test_any_period_reads_the_same_from_months_and_days_as_from_the_days(ctx: Context) -> None:
    rng = random.Random(11)
    inventories, goods = _rows(rng)
    plain = [
        (r.day, r.tenant, r.direction, r.mode, r.ecommerce_code, r.declared, r.released, r.released_fen)
        for r in inventories
    ]
    plain_goods = [(g.day, g.tenant, g.country, g.direction, g.released_fen) for g in goods]
    with ctx.uow() as uow:
        uow.session.add_all([*inventories, *goods])
        uow.session.flush()
        written = months.rebuild_all(uow.session, [FIRST + timedelta(days=i) for i in range(730)])
        uow.commit()
    assert written == 24  # the months of 2025 and 2026
    spans = [(date(2025, 1, 1), date(2026, 12, 31)), (date(2025, 2, 14), date(2025, 11, 3)),
             (date(2026, 3, 1), date(2026, 3, 31)), (date(2025, 12, 31), date(2026, 1, 1))]  # fmt: skip
    for _ in range(20):
        start = FIRST + timedelta(days=rng.randrange(700))
        spans.append((start, start + timedelta(days=rng.randrange(400))))
    with ctx.uow() as uow:
        for start, end in spans:
            for tenant in ("hub", "hub/sanya"):
                found = period_totals(uow.session, start, end, tenant)
                rows = [r for r in plain if start <= r[0] <= end and _in(tenant, r[1])]
                for direction in "IE":
                    expected = sum(r[7] for r in rows if r[2] == direction)
                    assert found.value[direction] == Decimal(expected) / 100, (start, end, tenant, direction)
                    assert found.released[direction] == sum(r[6] for r in rows if r[2] == direction)
                assert found.declared == sum(r[5] for r in rows)
                assert found.enterprises == {r[4] for r in rows if r[6] > 0}
                exports = {}
                for day, who, country, direction, fen in plain_goods:
                    if start <= day <= end and _in(tenant, who) and direction == "E":
                        exports[country] = exports.get(country, 0) + fen
                assert dict(found.export_countries) == {c: Decimal(v) / 100 for c, v in exports.items()}
            by_month = breakdown(uow.session, Span(start, end, "custom", "x"), "hub", "month")
            for row in by_month:
                expected = sum(r[7] for r in plain if start <= r[0] <= end and f"{r[0]:%Y-%m}" == row["month"]
                               and r[2] == row["direction"])  # fmt: skip
                assert row["value_cny"] == Decimal(expected) / 100
        days = breakdown(uow.session, Span(date(2026, 3, 1), date(2026, 3, 31), "month", "2026-03"), "hub", "day")
        assert {row["day"] for row in days} == {f"{r[0]}" for r in plain if r[0].month == 3 and r[0].year == 2026}
