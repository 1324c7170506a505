"""The monthly layer of the rollups (月汇总): the daily rows of a month added up, kept beside them.

A period of a year reads twelve rows per key here instead of 365 daily ones. The layer is derived: every time
the rollups recount a day, the months of the days recounted are rebuilt whole from the daily rows of their tenants
(one ``INSERT … SELECT … GROUP BY`` per month), in the same transaction, so the two layers never disagree.
A period is answered as its whole months from here and its edge days from the daily rows (``split``).
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
from cbec.statistics.models import StatRollup, StatRollupGoods, StatRollupGoodsMonth, StatRollupMonth

_INVENTORY_KEYS = ("tenant", "direction", "mode", "platform_code", "ecommerce_code")
_INVENTORY_SUMS = (
    "declared",
    "refused",
    "released",
    "released_lines",
    "released_fen",
    "unconverted_lines",
    "returned",
    "returned_fen",
)
_GOODS_KEYS = ("tenant", "direction", "mode", "country", "hs_chapter")
_GOODS_SUMS = ("released", "released_lines", "released_fen")

# (daily model, monthly model, keys, measures)
LAYERS: tuple[tuple[Any, Any, tuple[str, ...], tuple[str, ...]], ...] = (
    (StatRollup, StatRollupMonth, _INVENTORY_KEYS, _INVENTORY_SUMS),
    (StatRollupGoods, StatRollupGoodsMonth, _GOODS_KEYS, _GOODS_SUMS),
)
MONTH_OF: dict[Any, Any] = {StatRollup: StatRollupMonth, StatRollupGoods: StatRollupGoodsMonth}


def first_of(day: date) -> date:
    """Return the first day of the day's month."""
    return day.replace(day=1)


def last_of(month: date) -> date:
    """Return the last day of the month that starts on ``month``."""
    return add_months(month, 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Split:
    """A period as whole months (first days ``months_from`` … ``months_to``) and the days outside them."""

    days: tuple[tuple[date, date], ...]  # at most two spans of edge days
    months: tuple[date, date] | None  # first day of the first and of the last whole month


def split(start: date, end: date) -> Split:
    """Split [start, end] into the whole calendar months it covers and the edge days before and after them.

    >>> split(date(2026, 1, 15), date(2026, 4, 10))
    Split(days=((datetime.date(2026, 1, 15), datetime.date(2026, 1, 31)), (datetime.date(2026, 4, 1), \
datetime.date(2026, 4, 10))), months=(datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)))
    """
    first = start if start.day == 1 else add_months(first_of(start), 1)  # first day of the first whole month
    after = end + timedelta(days=1)
    stop = first_of(after)  # the day after the last whole month
    if first >= stop:  # no whole month inside
        return Split(days=((start, end),), months=None)
    days = []
    if start < first:
        days.append((start, first - timedelta(days=1)))
    if stop <= end:
        days.append((stop, end))
    return Split(days=tuple(days), months=(first, add_months(stop, -1)))


def source(
    model: Any, start: date, end: date, columns: Iterable[str], condition: Any = None, *, monthly: bool = True
) -> Any:
    """Return a subquery of the rows of [start, end] from the daily and monthly layers, as one relation.

    Its columns are ``day`` (a month's rows carry the month's first day) and ``columns``; ``condition(table)``
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
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("rollup")


def rebuild(session: Session, pairs: Iterable[tuple[str, date]]) -> int:
    """Rebuild the monthly rows of the (tenant, any day of the month) pairs from the daily rows; return the months."""
    by_month: dict[date, set[str]] = defaultdict(set)
    for tenant, day in pairs:
        by_month[first_of(day)].add(tenant)
    for month, tenants in sorted(by_month.items()):
        _rebuild(session, month, sorted(tenants))
    return len(by_month)


def rebuild_all(session: Session, days: Iterable[date]) -> int:
    """Rebuild the monthly rows of every tenant for the months of the days; return the months rebuilt."""
    wanted = sorted({first_of(day) for day in days})
    for month in wanted:
        _rebuild(session, month, None)
    return len(wanted)


def _rebuild(session: Session, month: date, tenants: list[str] | None) -> None:
    last = last_of(month)
    for daily, monthly, keys, sums in LAYERS:
        gone = delete(monthly).where(monthly.month == month)
        if tenants is not None:
            gone = gone.where(monthly.tenant.in_(tenants))
        session.execute(gone)
        rows = select(
            literal(month, monthly.month.type).label("month"),
            *(getattr(daily, key) for key in keys),
            *(func.sum(getattr(daily, name)).label(name) for name in sums),
        ).where(daily.day >= month, daily.day <= last)
        if tenants is not None:
            rows = rows.where(daily.tenant.in_(tenants))
        rows = rows.group_by(*(getattr(daily, key) for key in keys))
        session.execute(insert(monthly).from_select(["month", *keys, *sums], rows))
