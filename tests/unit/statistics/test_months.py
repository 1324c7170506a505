"""A period split into whole calendar months and edge days (cbec.statistics.months.split)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cbec.statistics.months import block_end, block_of, first_of, last_of, split

D = date


@pytest.mark.parametrize(
    ("start", "end", "days", "months", "blocks"),
    [
        (D(2026, 3, 1), D(2026, 3, 31), (), (D(2026, 3, 1), D(2026, 3, 1)), ()),
        (D(2026, 1, 1), D(2026, 12, 31), (), (D(2026, 1, 1), D(2026, 12, 1)), ()),
        (D(2026, 3, 15), D(2026, 3, 15), ((D(2026, 3, 15), D(2026, 3, 15)),), None, ()),
        (D(2026, 3, 2), D(2026, 3, 31), ((D(2026, 3, 2), D(2026, 3, 7)),), None, ((D(2026, 3, 8), D(2026, 3, 29)),)),
        (D(2026, 3, 1), D(2026, 3, 30), ((D(2026, 3, 29), D(2026, 3, 30)),), None, ((D(2026, 3, 1), D(2026, 3, 22)),)),
        (D(2026, 1, 31), D(2026, 2, 1), ((D(2026, 1, 31), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 1))), None, ()),
        (
            D(2025, 12, 20),
            D(2026, 2, 28),
            ((D(2025, 12, 20), D(2025, 12, 21)),),
            (D(2026, 1, 1), D(2026, 2, 1)),
            ((D(2025, 12, 22), D(2025, 12, 29)),),
        ),
        (  # a leap February's block 29 is one day; 1 April is the first day of a block not whole
            D(2024, 2, 29),
            D(2024, 4, 1),
            ((D(2024, 4, 1), D(2024, 4, 1)),),
            (D(2024, 3, 1), D(2024, 3, 1)),
            ((D(2024, 2, 29), D(2024, 2, 29)),),
        ),
        (  # February of 2026 has 28 days: no block 29
            D(2026, 2, 20),
            D(2026, 3, 9),
            ((D(2026, 2, 20), D(2026, 2, 21)), (D(2026, 3, 8), D(2026, 3, 9))),
            None,
            ((D(2026, 2, 22), D(2026, 2, 22)), (D(2026, 3, 1), D(2026, 3, 1))),
        ),
    ],
)
def test_a_period_is_whole_months_whole_blocks_and_edge_days(
    start: date,
    end: date,
    days: tuple[tuple[date, date], ...],
    months: tuple[date, date] | None,
    blocks: tuple[tuple[date, date], ...],
) -> None:
    cut = split(start, end)
    assert (cut.days, cut.months, cut.blocks) == (days, months, blocks)
    assert all((last - first).days < 6 for first, last in cut.days)


def test_the_parts_cover_every_day_of_the_period_once() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
        end = start + timedelta(days=rng.randrange(500))
        cut = split(start, end)
        covered: list[date] = []
        for first, last in cut.days:
            covered += [first + timedelta(days=i) for i in range((last - first).days + 1)]
        for first, last in cut.blocks:
            block = first
            while block <= last:
                assert block == block_of(block)
                covered += [block + timedelta(days=i) for i in range((block_end(block) - block).days + 1)]
                block = block_end(block) + timedelta(days=1)
        if cut.months is not None:
            month = cut.months[0]
            while month <= cut.months[1]:
                assert month == first_of(month)
                covered += [month + timedelta(days=i) for i in range((last_of(month) - month).days + 1)]
                month = last_of(month) + timedelta(days=1)
        assert sorted(covered) == [start + timedelta(days=i) for i in range((end - start).days + 1)]
