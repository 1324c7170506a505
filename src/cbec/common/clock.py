"""Injectable clock (时钟); business dates are Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Source of the current time."""

    def now(self) -> datetime:
        """Return the current aware time."""
        ...


class SystemClock:
    """The machine's clock, in Asia/Shanghai."""

    def now(self) -> datetime:
        """Return the current time in Asia/Shanghai."""
        return datetime.now(SHANGHAI)


class FixedClock:
    """A clock that returns a set time; ``advance`` moves it forward."""

    def __init__(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=SHANGHAI)

    def now(self) -> datetime:
        """Return the fixed time."""
        return self._at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._at = self._at + delta

    def set(self, at: datetime) -> None:
        """Set the clock."""
        self._at = at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later (the last day of the month when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # pragma: no cover


def business_date(moment: datetime) -> date:
    """Return the Asia/Shanghai calendar date of a moment."""
    return moment.astimezone(SHANGHAI).date()


def parse_ceb_time(text: str) -> datetime:
    """Parse yyyyMMddHHmmss (or yyyyMMddHHmmssSSS) as Asia/Shanghai local time."""
    if len(text) == 17:
        return datetime.strptime(text, "%Y%m%d%H%M%S%f").replace(tzinfo=SHANGHAI)
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=SHANGHAI)


def format_ceb_time(moment: datetime, millis: bool = False) -> str:
    """Render a moment as yyyyMMddHHmmss (or with milliseconds, 17 characters) in Asia/Shanghai."""
    local = moment.astimezone(SHANGHAI)
    text = local.strftime("%Y%m%d%H%M%S")
    if millis:
        text += f"{local.microsecond // 1000:03d}"
    return text
