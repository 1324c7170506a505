"""A period split into whole calendar months and edge days (cbec.statistics.months.split)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cbec.statistics.months import first_of, last_of, split


@pytest.mark.parametrize(
    ("start", "end", "days", "months"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), (), (date(2026, 3, 1), date(2026, 3, 1))),
        (date(2026, 1, 1), date(2026, 12, 31), (), (date(2026, 1, 1), date(2026, 12, 1))),
        (date(2026, 3, 15), date(2026, 3, 15), ((date(2026, 3, 15), date(2026, 3, 15)),), None),
        (date(2026, 3, 2), date(2026, 3, 31), ((date(2026, 3, 2), date(2026, 3, 31)),), None),
        (date(2026, 3, 1), date(2026, 3, 30), ((date(2026, 3, 1), date(2026, 3, 30)),), None),
        (date(2026, 1, 31), date(2026, 2, 1), ((date(2026, 1, 31), date(2026, 2, 1)),), None),
        (
            date(2025, 12, 20),
            date(2026, 2, 28),
            ((date(2025, 12, 20), date(2025, 12, 31)),),
            (date(2026, 1, 1), date(2026, 2, 1)),
        ),
        (
            date(2024, 2, 29),
            date(2024, 4, 1),
            ((date(2024, 2, 29), date(2024, 2, 29)), (date(2024, 4, 1), date(2024, 4, 1))),
            (date(2024, 3, 1), date(2024, 3, 1)),
        ),
    ],
)
def test_a_period_is_whole_months_and_edge_days(
    start: date, end: date, days: tuple[tuple[date, date], ...], months: tuple[date, date] | None
) -> None:
    cut = split(start, end)
    assert (cut.days, cut.months) == (days, months)


def test_the_parts_cover_every_day_of_the_period_once() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
        end = start + timedelta(days=rng.randrange(500))
        cut = split(start, end)
        covered: list[date] = []
        for first, last in cut.days:
            covered += [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if cut.months is not None:
            month = cut.months[0]
            while month <= cut.months[1]:
                assert month == first_of(month)
                covered += [month + timedelta(days=i) for i in range((last_of(month) - month).days + 1)]
                month = last_of(month) + timedelta(days=1)
        assert sorted(covered) == [start + timedelta(days=i) for i in range((end - start).days + 1)]
