"""Quota rules without a database: year attribution, fen amounts and refusal messages."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.quota.rules import annual_limit_problem, exact_fen, quantity_cap_problem, quota_year, remaining, yuan
from cbec.quota.service import to_quantity

D = Decimal


def test_year_follows_the_asia_shanghai_calendar() -> None:
    assert quota_year(datetime(2025, 12, 31, 23, 30, tzinfo=SHANGHAI)) == 2025
    assert quota_year(datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI)) == 2026
    assert quota_year(datetime(2025, 12, 31, 16, 0, tzinfo=UTC)) == 2026  # 00:00 on 1 January in Shanghai
    with pytest.raises(ValueError):
        quota_year(datetime(2025, 12, 31, 23, 30))


def test_exact_fen() -> None:
    assert exact_fen(D("26000.00")) == 2_600_000
    assert exact_fen(D("0.01")) == 1
    assert exact_fen(D("5")) == 500
    for bad in (D("0.001"), D("-0.01"), D("NaN"), D("Infinity")):
        with pytest.raises(ValueError):
            exact_fen(bad)


def test_yuan_and_remaining() -> None:
    assert yuan(2_600_001) == D("26000.01")
    assert remaining(2_600_000, 2_600_001) == D("0.00")
    assert remaining(2_600_000, 100) == D("25999.00")


def test_annual_limit_problem_quotes_the_receipt_numbers() -> None:
    problem = annual_limit_problem(2_599_999, 2_000, 2_600_000)
    assert (problem.rule_id, problem.code, problem.severity) == ("QUOTA-ANNUAL-LIMIT", "1313", "error")
    assert problem.message.startswith("订购人购买超过年度限额,超过个人年度购买额度 / ")
    assert "totalPrice: 26,019.99 > limitPrice: 26,000; used 25,999.99, this inventory 20.00" in problem.message
    assert "limitPrice: 26,000.50" in annual_limit_problem(0, 2_600_100, 2_600_050).message


def test_quantity_cap_problem() -> None:
    problem = quantity_cap_problem("17019910", D("1.50000"), D("0.6"), D("2"), "kg")
    assert problem.rule_id == "QUOTA-QUANTITY-CAP"
    assert "HS 17019910" in problem.message and "(2.1 kg > 2 kg; used 1.5 kg, this inventory 0.6 kg)" in problem.message


def test_quantities_keep_five_places() -> None:
    assert to_quantity(D(1) / D(3)) == D("0.33333")
    assert to_quantity(D("0.000005")) == D("0.00001")
