"""The fields of R1.5 (bunching per platform-week) and R2.5 (a seller's quick cancels and returns), summed from a
counter book's day buckets: exact B, z, shares and the 48-hour edge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cbec.facts.queries import InventoryLine
from cbec.risk.book import CounterBook
from cbec.risk.patterns import below_limit, bunching, is_quick, pattern_fields, quick_undo_share
from cbec.risk.rules import SubjectKind, shipped_ruleset
from cbec.risk.service import count, counted_subjects, met_links, observe

D = Decimal
RULES = shipped_ruleset()
DAY = date(2026, 6, 28)  # a Sunday: its week is the 7 days ending on it
P = "4601800001"


def _week(book: CounterBook, k: int, near: int, below: int) -> None:
    """Put a week's counts (k weeks before the one ending on DAY) on its last day."""
    on = DAY - timedelta(days=7 * k)
    book.add(SubjectKind.PLATFORM, P, "near_limit", on, near)
    book.add(SubjectKind.PLATFORM, P, "below_limit", on, below)


@pytest.mark.parametrize(
    ("total", "below"),
    [(D("3999.99"), False), (D(4000), True), (D("4499.99"), True), (D(4500), False), (D(5000), False)],
)
def test_the_lower_band_is_4000_to_4500_exclusive(total: Decimal, below: bool) -> None:
    assert below_limit(total, RULES) is below


def test_a_flat_baseline_takes_the_floor_of_its_spread() -> None:
    book = CounterBook(None)
    for k in range(1, 9):
        _week(book, k, 20, 20)  # B = 1 every week: sd 0, floored at 0.25 × max(mean, 1)
    _week(book, 0, 60, 20)
    assert bunching(book, P, DAY, RULES) == (D(3), D(8))


def test_z_against_the_eight_weeks_before() -> None:
    book = CounterBook(None)
    for k in range(1, 9):
        _week(book, k, 20 if k % 2 else 30, 20)  # B 1 and 1.5: mean 1.25, sd 0.25 < floor 0.3125
    _week(book, 0, 50, 20)
    assert bunching(book, P, DAY, RULES) == (D("2.5"), D(4))
    _week(book, 9, 500, 1)  # the ninth week back is outside the baseline
    assert bunching(book, P, DAY, RULES) == (D("2.5"), D(4))


def test_a_wide_baseline_uses_its_own_spread() -> None:
    book = CounterBook(None)
    for k, near in zip(range(1, 9), (20, 60, 20, 60, 20, 60, 20, 60), strict=True):
        _week(book, k, near, 20)  # B 1 and 3: mean 2, sd 1
    _week(book, 0, 100, 20)
    assert bunching(book, P, DAY, RULES) == (D(5), D(3))


def test_too_few_inventories_give_no_ratio_and_too_few_weeks_no_z() -> None:
    book = CounterBook(None)
    _week(book, 0, 30, 9)  # 39 < bunching_min 40
    assert bunching(book, P, DAY, RULES) == (None, None)
    book.add(SubjectKind.PLATFORM, P, "near_limit", DAY - timedelta(days=6), 1)  # Monday, the week's first day
    for k in range(1, 4):
        _week(book, k, 20, 20)  # three weeks of baseline: fewer than bunching_min_weeks 4
    _week(book, 4, 10, 10)  # a fourth with 20 inventories does not count either
    assert bunching(book, P, DAY, RULES) == (D("3.4444"), None)


def test_the_week_is_the_calendar_week_up_to_the_day() -> None:
    book = CounterBook(None)
    for k in range(1, 9):
        _week(book, k, 20, 20)
    monday, wednesday = DAY - timedelta(days=6), DAY - timedelta(days=4)
    book.add(SubjectKind.PLATFORM, P, "near_limit", monday, 36)
    book.add(SubjectKind.PLATFORM, P, "below_limit", monday, 4)
    book.add(SubjectKind.PLATFORM, P, "below_limit", DAY, 100)  # Sunday: not yet on Wednesday
    assert bunching(book, P, wednesday, RULES) == (D(9), D(32))
    assert bunching(book, P, DAY, RULES) == (D("0.3462"), D("-2.6152"))
    book.add(SubjectKind.PLATFORM, P, "near_limit", DAY + timedelta(days=1), 40)  # the next Monday: a new week
    # 40 / 1 against 7 weeks of 1 and the week of DAY (0.3462): mean 0.918275, sd 0.2162 under the floor 0.25
    assert bunching(book, P, DAY + timedelta(days=1), RULES) == (D(40), D("156.3269"))


def test_no_inventory_in_the_lower_band_divides_by_one() -> None:
    book = CounterBook(None)
    for k in range(1, 5):
        _week(book, k, 20, 20)
    _week(book, 0, 48, 0)
    assert bunching(book, P, DAY, RULES) == (D(48), D(188))  # (48 − 1) / 0.25


def test_the_quick_share_is_over_the_seller_s_30_days() -> None:
    book = CounterBook(None)
    seller = "4601900001"
    assert quick_undo_share(book, seller, DAY) is None  # no inventory: unknown, not 0
    book.add(SubjectKind.ENTERPRISE, seller, "inventories", DAY, 15)
    book.add(SubjectKind.ENTERPRISE, seller, "inventories", DAY - timedelta(days=29), 5)
    book.add(SubjectKind.ENTERPRISE, seller, "inventories", DAY - timedelta(days=30), 100)  # outside
    book.add(SubjectKind.ENTERPRISE, seller, "quick_undo", DAY - timedelta(days=3), 4)
    assert quick_undo_share(book, seller, DAY) == D("0.2")
    book.add(SubjectKind.ENTERPRISE, seller, "inventories", DAY, 1)
    assert quick_undo_share(book, seller, DAY) == D("0.1905")


def test_quick_means_within_48_hours_of_release_or_of_declaration() -> None:
    declared = datetime(2026, 6, 1, 8, tzinfo=UTC)
    released = declared + timedelta(hours=5)
    assert is_quick(released + timedelta(hours=48), declared, released, RULES)
    assert not is_quick(released + timedelta(hours=48, seconds=1), declared, released, RULES)
    assert is_quick(declared + timedelta(hours=47), declared, None, RULES)  # cancelled before release
    assert not is_quick(declared + timedelta(hours=49), declared, None, RULES)


def _line(total: str, platform: str = P) -> InventoryLine:
    return InventoryLine(
        "E1", None, "O1", 1, "3304990000", D(1), D(total), platform, "4601900001", "L", "A", None, DAY, "800",
        "b1", "b1", "ph1", "ad1",
    )  # fmt: skip


def test_the_platform_alone_counts_the_lower_band_and_the_fields_read_the_book() -> None:
    book = CounterBook(None)
    seen = observe([_line("4200.00")], RULES)
    assert (seen.below_limit, seen.near_limit) == (True, False)
    book.load(counted_subjects(seen), met_links(seen), DAY)
    count(book, seen)
    assert sum(book.series(SubjectKind.PLATFORM, P, "below_limit", [DAY])) == 1
    assert sum(book.series(SubjectKind.BUYER, "b1", "below_limit", [DAY])) == 0  # kept for the platform only
    fields = pattern_fields(book, seen.subjects, DAY, RULES)
    assert fields == {
        "doc.platform_bunching": None,  # 1 inventory in the week: too few
        "doc.platform_bunching_z": None,
        "doc.quick_undo_share": D(0),
    }
