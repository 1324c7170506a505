"""Typology fields read from a batch's counter book (类型特征), pure: platform bunching (R1.5, order splitting) and a
seller's quick cancels and returns (R2.5, fake orders). Ruleset 2026.5.

* **R1.5 bunching per platform-week.** ``B = N[4,500, 5,000] / N[4,000, 4,500)`` over the platform's calendar
  week (Monday to Sunday, Asia/Shanghai business days) up to the inventory's day (``near_limit`` and ``below_limit``
  day buckets), and its z-score against the same ratio in each of the 8 whole weeks before
  (``z = (B − mean) / sd``, population sd floored at ``bunching_sd_floor`` × max(mean, 1)). Calendar weeks, not a
  sliding 7 days, so that a platform's alerts fall in one platform-week and a bunched week does not spill into the
  days after it. A week counts only with at least ``bunching_min`` inventories in the two bands (else its B is
  noise); z needs ``bunching_min_weeks`` such weeks of baseline. With no inventory in the lower band B is the
  upper band's count (divided by 1). Unknown is ``None`` (insufficient), never 0.
* **R2.5 quick cancels and returns.** An inventory cancelled (撤单, CEB623) or returned (退货, CEB625) within
  ``undo_hours`` (48) of its release — of its declaration when it was cancelled before release — counts one
  ``quick_undo`` for its e-commerce enterprise on the business day of the cancel or return application; the share
  is ``enterprise.quick_undo`` over ``enterprise.inventories`` in the 30 days ending on the inventory's day.

Every window is summed from day buckets already loaded in the book (no raw-history scan at decision time).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from cbec.risk.book import CounterBook
from cbec.risk.rules import Ruleset, SubjectKind

PLACES = Decimal("0.0001")
WEEK = 7
UNDO_DAYS = 30


def below_limit(total: Decimal, ruleset: Ruleset) -> bool:
    """Tell whether an inventory total lies in [4,000, 4,500): the lower band of R1.5's ratio."""
    return ruleset.parameter("below_limit_lower") <= total < ruleset.parameter("near_limit_lower")


def _ratio(near: int, below: int, least: int) -> Decimal | None:
    if near + below < least:
        return None
    return (Decimal(near) / max(below, 1)).quantize(PLACES, ROUND_HALF_UP)


@lru_cache(maxsize=256)
def _calendar(day: date, weeks: int) -> tuple[tuple[date, ...], tuple[slice, ...]]:
    """Return the days from the Monday ``weeks`` weeks before ``day``'s week to ``day``, and the slices of its
    week so far (first) and of each whole week before it (1 … weeks back)."""
    monday = day - timedelta(days=day.weekday())
    first = monday - timedelta(days=WEEK * weeks)
    days = tuple(first + timedelta(days=k) for k in range((day - first).days + 1))
    current = slice(WEEK * weeks, len(days))
    return days, (current, *(slice(WEEK * (weeks - k), WEEK * (weeks - k + 1)) for k in range(1, weeks + 1)))


@lru_cache(maxsize=256)
def _month(day: date) -> tuple[date, ...]:
    return tuple(day - timedelta(days=k) for k in range(UNDO_DAYS))


def bunching(book: CounterBook, platform: str, day: date, ruleset: Ruleset) -> tuple[Decimal | None, Decimal | None]:
    """Return the platform's B over its calendar week up to ``day`` and its z against the whole weeks before."""
    least = int(ruleset.parameter("bunching_min"))
    days, weeks = _calendar(day, int(ruleset.parameter("bunching_weeks")))
    near = book.series(SubjectKind.PLATFORM, platform, "near_limit", days)
    below = book.series(SubjectKind.PLATFORM, platform, "below_limit", days)
    ratios = [_ratio(sum(near[w]), sum(below[w]), least) for w in weeks]
    b = ratios[0]
    if b is None:
        return None, None
    base = [r for r in ratios[1:] if r is not None]
    if len(base) < int(ruleset.parameter("bunching_min_weeks")):
        return b, None
    mean = sum(base, Decimal(0)) / len(base)
    sd = (sum(((r - mean) ** 2 for r in base), Decimal(0)) / len(base)).sqrt()
    spread = max(sd, ruleset.parameter("bunching_sd_floor") * max(mean, Decimal(1)))
    return b, ((b - mean) / spread).quantize(PLACES, ROUND_HALF_UP)


def quick_undo_share(book: CounterBook, enterprise: str, day: date) -> Decimal | None:
    """Return the share of the seller's inventories of the last 30 days undone quickly (None without inventories)."""
    days = _month(day)
    lists = sum(book.series(SubjectKind.ENTERPRISE, enterprise, "inventories", days))
    if not lists:
        return None
    undone = sum(book.series(SubjectKind.ENTERPRISE, enterprise, "quick_undo", days))
    return (Decimal(undone) / lists).quantize(PLACES, ROUND_HALF_UP)


def is_quick(at: datetime, declared_at: datetime, released_at: datetime | None, ruleset: Ruleset) -> bool:
    """Tell whether a cancel or return at ``at`` came within ``undo_hours`` of the release (or declaration)."""
    return at - (released_at or declared_at) <= timedelta(hours=int(ruleset.parameter("undo_hours")))


def pattern_fields(
    book: CounterBook, subjects: dict[SubjectKind, str], day: date, ruleset: Ruleset
) -> dict[str, Decimal | None]:
    """Return the document fields of R1.5 and R2.5 for an inventory already counted in the book."""
    platform, seller = subjects.get(SubjectKind.PLATFORM), subjects.get(SubjectKind.ENTERPRISE)
    b, z = bunching(book, platform, day, ruleset) if platform else (None, None)
    return {
        "doc.platform_bunching": b,
        "doc.platform_bunching_z": z,
        "doc.quick_undo_share": quick_undo_share(book, seller, day) if seller else None,
    }
