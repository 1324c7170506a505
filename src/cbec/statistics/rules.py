"""Pure rules of statistics monitoring (统计监测): periods, indicators, rates and refusal reasons.

No I/O and no clock: callers pass the business date. Definitions shown on the dashboard live here so the
page and the numbers cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
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


def report_reference(day: date, serial: int) -> str:
    """Return the reference number of a consumer report: CR + yyyymmdd + 6-digit serial."""
    return f"CR{day:%Y%m%d}{serial:06d}"


def mask_reference(value: str) -> str:
    """Mask the middle of an order number, keeping the first 4 and last 4 characters."""
    if len(value) <= 8:
        return value[:2] + "*" * max(0, len(value) - 2)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
