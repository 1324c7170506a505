"""Periods of the rollups (日、月、季、年、自定义) and the derived-figure arithmetic: exact, half-up, 4 places."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cbec.statistics.rules import Span, contribution, growth, parse_span, ratio, span_before, year_before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", Span(date(2026, 1, 1), date(2026, 12, 31), "year", "2026")),
        ("2026-Q1", Span(date(2026, 1, 1), date(2026, 3, 31), "quarter", "2026-Q1")),
        ("2026-Q4", Span(date(2026, 10, 1), date(2026, 12, 31), "quarter", "2026-Q4")),
        ("2024-02", Span(date(2024, 2, 1), date(2024, 2, 29), "month", "2024-02")),
        ("2026-12", Span(date(2026, 12, 1), date(2026, 12, 31), "month", "2026-12")),
        ("2026-03-15", Span(date(2026, 3, 15), date(2026, 3, 15), "day", "2026-03-15")),
        (
            "2026-03-01..2026-03-07",
            Span(date(2026, 3, 1), date(2026, 3, 7), "custom", "2026-03-01..2026-03-07"),
        ),
        ("2026-13", None),
        ("2026-Q5", None),
        ("2026-02-30", None),
        ("2026-03-07..2026-03-01", None),
        ("March", None),
        ("", None),
    ],
)
def test_periods(text: str, expected: Span | None) -> None:
    assert parse_span(text) == expected


def test_year_before_and_span_before() -> None:
    leap = parse_span("2024-02")
    assert leap is not None
    assert (year_before(leap).start, year_before(leap).end) == (date(2023, 2, 1), date(2023, 2, 28))
    day = parse_span("2024-02-29")
    assert day is not None
    assert (year_before(day).start, span_before(day).start) == (date(2023, 2, 28), date(2024, 2, 28))
    january = parse_span("2026-01")
    assert january is not None
    assert span_before(january) == Span(date(2025, 12, 1), date(2025, 12, 31), "month", "2025-12")
    q1 = parse_span("2026-Q1")
    assert q1 is not None
    assert span_before(q1) == Span(date(2025, 10, 1), date(2025, 12, 31), "quarter", "2025-Q4")
    year = parse_span("2026")
    assert year is not None
    assert span_before(year) == Span(date(2025, 1, 1), date(2025, 12, 31), "year", "2025")
    week = parse_span("2026-03-01..2026-03-07")
    assert week is not None
    assert (span_before(week).start, span_before(week).end) == (date(2026, 2, 22), date(2026, 2, 28))


def test_growth_shares_and_contributions_round_half_up_to_4_places() -> None:
    assert growth(Decimal("1500.00"), Decimal("1000.00")) == Decimal("0.5000")
    assert growth(Decimal("400"), Decimal("1200")) == Decimal("-0.6667")
    assert growth(Decimal("1.00005"), Decimal("1")) == Decimal("0.0001")  # 0.00005 → half-up
    assert growth(Decimal("5"), Decimal("0")) is None  # no base, no growth
    assert growth(None, Decimal("1")) is None
    assert ratio(1, 3) == Decimal("0.3333")
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(Decimal("0.5"), 0) is None
    assert contribution(Decimal("500"), Decimal("500")) == Decimal("1.0000")
    assert contribution(Decimal("-800"), Decimal("100")) == Decimal("-8.0000")
    assert contribution(Decimal("1"), Decimal("0")) is None
