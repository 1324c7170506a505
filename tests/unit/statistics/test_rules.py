"""Pure rules of statistics monitoring: business periods, shares, refusal receipts read back, references."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from cbec.common.errors import Problem
from cbec.statistics.rules import (
    day_period,
    is_refusal,
    mask_reference,
    month_period,
    parse_return_info,
    report_reference,
    rule_ids,
    share,
    year_period,
)

R4 = (
    "[Code:-301002;Desc:商品序号须从1开始连续且不重复，实为 [1, 3] / line numbers must run 1..n without gaps or "
    "repeats, got [1, 3]][Rule:CEB-R4;Field:order.line_no;Hint:Number the lines 1, 2, 3 ... in the order they appear.]"
)
M3 = (
    "[Code:CEB-M3;Desc:支付金额 278.02 与订单实际支付金额 288.02 不一致 / amount paid differs][Rule:CEB-M3;"
    "Field:payment.amount_paid;Hint:The payment's amountPaid must equal the order's acturalPaid exactly (ruling 9).]"
)


def test_a_business_day_runs_from_midnight_in_shanghai() -> None:
    period = day_period(date(2026, 3, 2))
    assert (period.start, period.end) == (datetime(2026, 3, 1, 16, tzinfo=UTC), datetime(2026, 3, 2, 16, tzinfo=UTC))
    assert period.days() == [date(2026, 3, 2)]


def test_month_and_year_run_up_to_the_day_included() -> None:
    month = month_period(date(2026, 3, 2))
    assert month.days() == [date(2026, 3, 1), date(2026, 3, 2)]
    assert month.start == datetime(2026, 2, 28, 16, tzinfo=UTC)
    year = year_period(date(2026, 3, 2))
    assert (year.start, year.end) == (datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 3, 2, 16, tzinfo=UTC))
    assert len(year.days()) == 61


def test_shares_are_percentages_to_one_decimal_half_up() -> None:
    assert [share(1, 3), share(2, 3), share(1, 8), share(0, 5)] == [
        Decimal("33.3"),
        Decimal("66.7"),
        Decimal("12.5"),
        Decimal("0.0"),
    ]
    assert share(3, 0) is None
    assert share(Decimal("606"), Decimal("5000000000")) == Decimal("0.0")


def test_refusal_statuses_are_100_and_negative_codes() -> None:
    assert [is_refusal(s) for s in ("100", "-621029", "2", "120", "800", "1300")] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_return_info_reads_back_into_problems_even_with_brackets_in_the_message() -> None:
    assert parse_return_info(R4 + M3) == [
        Problem(
            "CEB-R4",
            "order.line_no",
            "商品序号须从1开始连续且不重复，实为 [1, 3] / "
            "line numbers must run 1..n without gaps or repeats, got [1, 3]",
            "Number the lines 1, 2, 3 ... in the order they appear.",
            "-301002",
        ),
        Problem(
            "CEB-M3",
            "payment.amount_paid",
            "支付金额 278.02 与订单实际支付金额 288.02 不一致 / amount paid differs",
            "The payment's amountPaid must equal the order's acturalPaid exactly (ruling 9).",
            None,
        ),
    ]


def test_a_truncated_return_info_keeps_the_whole_problems() -> None:
    assert rule_ids(M3 + R4 + "…(+3 more)") == ["CEB-M3", "CEB-R4"]
    assert rule_ids(M3 + M3) == ["CEB-M3"]
    assert parse_return_info("[Code:1800;Desc:逻辑校验通过]") == []


def test_report_references_and_masked_order_numbers() -> None:
    assert report_reference(date(2026, 3, 2), 7) == "CR20260302000007"
    assert mask_reference("ORD20260302000101") == "ORD2*********0101"
    assert mask_reference("ORD-1") == "OR***"
