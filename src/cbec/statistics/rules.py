"""Pure rules of statistics monitoring (统计监测): periods, indicators, rates and refusal reasons.

No I/O and no clock: callers pass the business date. Definitions shown on the dashboard live here so the
page and the numbers cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem


class Indicator(StrEnum):
    """An indicator the zone sets a yearly target for (年度目标指标)."""

    TRADE_VALUE = "trade_value"  # 跨境电商零售进口交易额（放行清单完税价格合计，元）
    RELEASED_COUNT = "released_count"  # 放行清单票数
    TAX_REVENUE = "tax_revenue"  # 代征税款（关税 + 增值税 + 消费税，元）


INDICATOR_UNITS = {
    Indicator.TRADE_VALUE: "CNY",
    Indicator.RELEASED_COUNT: "inventories",
    Indicator.TAX_REVENUE: "CNY",
}


class Direction(StrEnum):
    """Import or export (进出口方向)."""

    IMPORT = "import"
    EXPORT = "export"


# Regulatory modes (监管方式) the dashboard reports, with the directions each can carry.
TRADE_MODES: dict[str, tuple[Direction, ...]] = {
    "9610": (Direction.IMPORT, Direction.EXPORT),
    "1210": (Direction.IMPORT, Direction.EXPORT),
    "1239": (Direction.IMPORT,),
    "9710": (Direction.EXPORT,),
    "9810": (Direction.EXPORT,),
}

_RETURN_INFO = re.compile(
    r"\[Code:(?P<code>[^;\]]*);Desc:(?P<desc>.*?)\]\[Rule:(?P<rule>[^;\]]*);Field:(?P<field>[^;\]]*);Hint:(?P<hint>.*?)\]"
    r"(?=\[Code:|…|$)",
    re.DOTALL,
)
_PERCENT = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open span of business time [start, end), both in UTC."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    def days(self) -> list[date]:
        """Return every business date of the period."""
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def _period(first: date, last: date) -> Period:
    start = datetime.combine(first, time.min, tzinfo=SHANGHAI).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI).astimezone(UTC)
    return Period(first, last, start, end)


def day_period(day: date) -> Period:
    """Return one business day (Asia/Shanghai)."""
    return _period(day, day)


def month_period(day: date) -> Period:
    """Return the calendar month of a business day, up to and including that day."""
    return _period(day.replace(day=1), day)


def year_period(day: date) -> Period:
    """Return the calendar year of a business day, up to and including that day."""
    return _period(day.replace(month=1, day=1), day)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """Return part / whole as a percentage to one decimal (half-up), or None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PERCENT, rounding=ROUND_HALF_UP)


def is_refusal(status: str) -> bool:
    """Tell whether a receipt status refuses the document (100 退单 or a negative business code)."""
    return status == "100" or status.startswith("-")


def parse_return_info(info: str) -> list[Problem]:
    """Return the problems written into a refusal receipt's returnInfo, in order."""
    return [
        Problem(
            rule_id=m["rule"],
            field=m["field"],
            message=m["desc"],
            hint=m["hint"],
            code=None if m["code"] == m["rule"] else m["code"],
        )
        for m in _RETURN_INFO.finditer(info)
    ]


def rule_ids(info: str) -> list[str]:
    """Return the distinct rule ids named in a refusal receipt, in order."""
    seen: list[str] = []
    for found in parse_return_info(info):
        if found.rule_id not in seen:
            seen.append(found.rule_id)
    return seen


class ReportOutcome(StrEnum):
    """What the zone office found on reviewing a consumer's misuse report (额度盗用举报核实结果)."""

    CONFIRMED = "confirmed"  # the consumer did not make the purchase: their ID was misused (身份冒用属实)
    NOT_CONFIRMED = "not_confirmed"  # the purchase was the consumer's, or misuse could not be shown (不属实)


def report_reference(day: date, serial: int) -> str:
    """Return the reference number of a consumer report: CR + yyyymmdd + 6-digit serial."""
    return f"CR{day:%Y%m%d}{serial:06d}"


def mask_reference(value: str) -> str:
    """Mask the middle of an order number, keeping the first 4 and last 4 characters."""
    if len(value) <= 8:
        return value[:2] + "*" * max(0, len(value) - 2)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# --- periods and derived figures of the rollups (YoY, MoM, shares, contributions) ---------------------------

RATIO = Decimal("0.0001")  # ratios (growth, shares, contributions, progress) to 4 places, half-up
FEN = Decimal("0.01")  # money to the fen, half-up
_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?:Q(?P<q>[1-4])|(?P<m>\d{2})(?:-(?P<d>\d{2}))?))?$")


@dataclass(frozen=True, slots=True)
class Span:
    """A span of business days, inclusive, with its kind: day, month, quarter, year or custom."""

    start: date
    end: date
    kind: str
    label: str


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse_span(text: str) -> Span | None:
    """Return the span a period names (2026, 2026-Q1, 2026-03, 2026-03-15, 2026-03-01..2026-03-31), or None."""
    value = text.strip()
    try:
        if ".." in value:
            first, last = (date.fromisoformat(part.strip()) for part in value.split("..", 1))
            return Span(first, last, "custom", f"{first}..{last}") if first <= last else None
        found = _PERIOD.match(value)
        if found is None:
            return None
        year = int(found["y"])
        if found["q"]:
            quarter = int(found["q"])
            return Span(date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter), "quarter", value)
        if found["d"]:
            day = date(year, int(found["m"]), int(found["d"]))
            return Span(day, day, "day", value)
        if found["m"]:
            month = int(found["m"])
            return Span(date(year, month, 1), _month_end(year, month), "month", value)
        return Span(date(year, 1, 1), date(year, 12, 31), "year", value)
    except ValueError:
        return None


def _minus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def year_before(span: Span) -> Span:
    """Return the same span one year earlier (同比 base); a month or quarter keeps its whole calendar length."""
    start = _minus_years(span.start, 1)
    whole = span.kind in ("month", "quarter")
    end = _month_end(start.year, span.end.month) if whole else _minus_years(span.end, 1)
    return Span(start, end, span.kind, f"{span.label} −1y")


def span_before(span: Span) -> Span:
    """Return the span just before (环比 base): the previous day, month, quarter or year; a custom span's length."""
    if span.kind == "month":
        last = span.start - timedelta(days=1)
        return Span(last.replace(day=1), last, "month", f"{last:%Y-%m}")
    if span.kind == "quarter":
        last = span.start - timedelta(days=1)
        first = date(last.year, last.month - 2, 1)
        return Span(first, last, "quarter", f"{last.year}-Q{(last.month - 1) // 3 + 1}")
    if span.kind == "year":
        year = span.start.year - 1
        return Span(date(year, 1, 1), date(year, 12, 31), "year", str(year))
    length = (span.end - span.start).days + 1
    end = span.start - timedelta(days=1)
    start = end - timedelta(days=length - 1)
    return Span(start, end, span.kind, f"{start}" if span.kind == "day" else f"{start}..{end}")


def ratio(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """Return part / whole to 4 places, half-up; None when either is missing or the whole is zero."""
    if part is None or whole is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP)


def growth(current: Decimal | int | None, base: Decimal | int | None) -> Decimal | None:
    """Return (current − base) / base to 4 places (YoY or MoM); None without a base."""
    if current is None or base is None:
        return None
    return ratio(Decimal(current) - Decimal(base), base)


def cagr(current: Decimal | None, base: Decimal | None, years: int) -> Decimal | None:
    """Return the compound annual growth rate (复合增长率) (current / base)^(1/years) − 1 to 4 places, half-up; None
    without a positive base or with a negative current value."""
    if current is None or base is None or base <= 0 or current < 0:
        return None
    with localcontext() as exact:
        exact.prec = 28
        rate = (current / base) ** (Decimal(1) / years) - 1
    return rate.quantize(RATIO, rounding=ROUND_HALF_UP)


def contribution(change: Decimal | None, total_change: Decimal | None) -> Decimal | None:
    """Return a part's change over the total's change (贡献率), to 4 places; None when the total did not move."""
    return ratio(change, total_change)


def fen(value: Decimal) -> Decimal:
    """Return an amount half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
