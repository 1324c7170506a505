"""The monthly and block layers of the rollups (月汇总、七日段汇总): daily rows added up, kept beside them.

A period of a year reads twelve rows per key from the monthly layer instead of 365 daily ones; a month it covers in
part is read as whole blocks (days 1–7, 8–14, 15–21, 22–28, 29–end) and at most six days at each end. Both layers
are derived: every time the rollups recount a day, the month and the block of each day recounted are rebuilt whole
from the daily rows of their tenants (one ``INSERT … SELECT … GROUP BY`` each), in the same transaction, so the
layers never disagree. ``split`` cuts a period into the three.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from cbec.common.clock import add_months
from cbec.statistics.models import (
    StatRollup,
    StatRollupBlock,
    StatRollupGoods,
    StatRollupGoodsBlock,
    StatRollupGoodsMonth,
    StatRollupMonth,
)

_INVENTORY_KEYS = ("tenant", "direction", "mode", "platform_code", "ecommerce_code")
_INVENTORY_SUMS = (
    "declared",
    "refused",
    "first_pass",
    "released",
    "released_lines",
    "released_fen",
    "unconverted_lines",
    "returned",
    "returned_fen",
)
_GOODS_KEYS = ("tenant", "direction", "mode", "country", "hs_chapter")
_GOODS_SUMS = ("released", "released_lines", "released_fen")

# (daily model, monthly model, block model, keys, measures)
LAYERS: tuple[tuple[Any, Any, Any, tuple[str, ...], tuple[str, ...]], ...] = (
    (StatRollup, StatRollupMonth, StatRollupBlock, _INVENTORY_KEYS, _INVENTORY_SUMS),
    (StatRollupGoods, StatRollupGoodsMonth, StatRollupGoodsBlock, _GOODS_KEYS, _GOODS_SUMS),
)
MONTH_OF: dict[Any, Any] = {StatRollup: StatRollupMonth, StatRollupGoods: StatRollupGoodsMonth}
BLOCK_OF: dict[Any, Any] = {StatRollup: StatRollupBlock, StatRollupGoods: StatRollupGoodsBlock}
BLOCK_STARTS = (1, 8, 15, 22, 29)


def first_of(day: date) -> date:
    """Return the first day of the day's month."""
    return day.replace(day=1)


def last_of(month: date) -> date:
    """Return the last day of the month that starts on ``month``."""
    return add_months(month, 1) - timedelta(days=1)


def block_of(day: date) -> date:
    """Return the first day of the day's block: the 1st, 8th, 15th, 22nd or 29th (29th to the month's end)."""
    return day.replace(day=min((day.day - 1) // 7, 4) * 7 + 1)


def block_end(block: date) -> date:
    """Return the last day of the block that starts on ``block``."""
    return last_of(first_of(block)) if block.day == 29 else block + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class Split:
    """A period as whole months, whole blocks of the months it covers in part, and the days outside both."""

    days: tuple[tuple[date, date], ...]  # at most two spans of edge days, each under a block (≤ 6 days)
    months: tuple[date, date] | None  # first day of the first and of the last whole month
    blocks: tuple[tuple[date, date], ...] = ()  # first days of the first and last whole block, per partial month


def split(start: date, end: date) -> Split:
    """Split [start, end] into whole calendar months, whole blocks (1–7, 8–14, 15–21, 22–28, 29–end) of the months
    it covers in part, and the edge days left over (at most six at each end).

    E.g. 2026-01-15..2026-04-10: the blocks of 15 and 22 January and the block 29–31, February and March, the
    block of 1 April and the days 8–10 April.
    """
    first = start if start.day == 1 else add_months(first_of(start), 1)  # first day of the first whole month
    after = end + timedelta(days=1)
    stop = first_of(after)  # the day after the last whole month
    edges: list[tuple[date, date]] = []
    months = None
    if first >= stop:  # no whole month inside
        edges.append((start, end))
    else:
        months = (first, add_months(stop, -1))
        if start < first:
            edges.append((start, first - timedelta(days=1)))
        if stop <= end:
            edges.append((stop, end))
    days: list[tuple[date, date]] = []
    blocks: list[tuple[date, date]] = []
    for low, high in edges:
        for part_days, part_blocks in (_blocks(a, b) for a, b in _by_month(low, high)):
            days += part_days
            blocks += part_blocks
    return Split(days=tuple(days), months=months, blocks=tuple(blocks))


def _by_month(low: date, high: date) -> list[tuple[date, date]]:
    """Cut [low, high] at month ends (an edge spans at most two months: a period inside two months)."""
    parts = []
    while low <= high:
        last = min(high, last_of(first_of(low)))
        parts.append((low, last))
        low = last + timedelta(days=1)
    return parts


def _blocks(low: date, high: date) -> tuple[list[tuple[date, date]], list[tuple[date, date]]]:
    """Split [low, high] inside one month into leading days, whole blocks and trailing days."""
    head = low if low == block_of(low) else block_end(block_of(low)) + timedelta(days=1)  # first whole block
    tail = block_of(high) if high != block_end(block_of(high)) else high + timedelta(days=1)  # after the last
    if head >= tail or head > high:
        return [(low, high)], []
    days = []
    if low < head:
        days.append((low, head - timedelta(days=1)))
    if tail <= high:
        days.append((tail, high))
    last_block = block_of(tail - timedelta(days=1))
    return days, [(head, last_block)]


def source(
    model: Any, start: date, end: date, columns: Iterable[str], condition: Any = None, *, monthly: bool = True
) -> Any:
    """Return a subquery of the rows of [start, end] from the daily, block and monthly layers, as one relation.

    Its columns are ``day`` (a month's or block's rows carry its first day) and ``columns``; ``condition(table)``
    returns an extra condition on a layer's table (e.g. the tenant subtree), or None. ``monthly=False`` reads the
    daily rows alone (a breakdown by day).
    """
    parts: list[Select[Any]] = []
    names = tuple(columns)
    cut = split(start, end) if monthly else Split(days=((start, end),), months=None)

    def part(table: Any, key: Any, first: date, last: date) -> Select[Any]:
        stmt = select(key.label("day"), *(getattr(table, name).label(name) for name in names))
        stmt = stmt.where(key >= first, key <= last)
        extra = condition(table) if condition is not None else None
        return stmt if extra is None else stmt.where(extra)

    for first, last in cut.days:
        parts.append(part(model, model.day, first, last))
    if cut.months is not None:
        table = MONTH_OF[model]
        parts.append(part(table, table.month, cut.months[0], cut.months[1]))
    for first, last in cut.blocks:
        table = BLOCK_OF[model]
        parts.append(part(table, table.block, first, last))
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("rollup")


def rebuild(session: Session, pairs: Iterable[tuple[str, date]]) -> int:
    """Rebuild the monthly and block rows of the (tenant, day) pairs from the daily rows; return the months."""
    by_month: dict[date, set[str]] = defaultdict(set)
    by_block: dict[date, set[str]] = defaultdict(set)
    for tenant, day in pairs:
        by_month[first_of(day)].add(tenant)
        by_block[block_of(day)].add(tenant)
    for month, tenants in sorted(by_month.items()):
        _rebuild(session, "month", month, last_of(month), sorted(tenants))
    for block, tenants in sorted(by_block.items()):
        _rebuild(session, "block", block, block_end(block), sorted(tenants))
    return len(by_month)


def rebuild_all(session: Session, days: Iterable[date]) -> int:
    """Rebuild the monthly and block rows of every tenant for the months and blocks of the days; return the months."""
    wanted = set(days)
    months = sorted({first_of(day) for day in wanted})
    for month in months:
        _rebuild(session, "month", month, last_of(month), None)
    for block in sorted({block_of(day) for day in wanted}):
        _rebuild(session, "block", block, block_end(block), None)
    return len(months)


def _rebuild(session: Session, layer: str, first: date, last: date, tenants: list[str] | None) -> None:
    for daily, monthly, blocks, keys, sums in LAYERS:
        table = monthly if layer == "month" else blocks
        key = getattr(table, layer)
        gone = delete(table).where(key == first)
        if tenants is not None:
            gone = gone.where(table.tenant.in_(tenants))
        session.execute(gone)
        rows = select(
            literal(first, key.type).label(layer),
            *(getattr(daily, name) for name in keys),
            *(func.sum(getattr(daily, name)).label(name) for name in sums),
        ).where(daily.day >= first, daily.day <= last)
        if tenants is not None:
            rows = rows.where(daily.tenant.in_(tenants))
        rows = rows.group_by(*(getattr(daily, name) for name in keys))
        session.execute(insert(table).from_select([layer, *keys, *sums], rows))
