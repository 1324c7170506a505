"""Pure reference rules: effective dating, code snapshots, goods thresholds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cbec.reference.rules import (
    CodeName,
    CodeTables,
    GoodsRule,
    chain_valid_to,
    code_format_problem,
    is_in_force,
    merge_names,
    net_content_unit_problems,
    plain,
)

COSMETIC = GoodsRule(
    hs8="33049900",
    description_zh="其他美容品或化妆品及护肤品",
    on_positive_list=True,
    bonded_only=False,
    qty_cap=None,
    qty_cap_unit=None,
    named_goods=None,
    duty_rate=Decimal("0.01"),
    vat_rate=Decimal("0.13"),
    ct_kind="ad_valorem",
    ct_rate=Decimal("0.15"),
    ct_threshold=Decimal("10"),
    ct_threshold_basis="per_ml_or_g",
    source="test",
    ct_threshold_piece=Decimal("15"),
)
WATCH = replace(
    COSMETIC, hs8="91022100", ct_rate=Decimal("0.2"), ct_threshold=Decimal("10000"), ct_threshold_basis="per_piece"
)
WINE = replace(COSMETIC, hs8="22042100", ct_rate=Decimal("0.1"), ct_threshold=None, ct_threshold_basis=None)
MILK = replace(COSMETIC, hs8="19011010", ct_kind="none", ct_rate=Decimal(0), ct_threshold=None, ct_threshold_basis=None)


def test_chain_closes_each_span_the_day_before_the_next() -> None:
    spans = [(date(2016, 4, 8), None), (date(2019, 1, 1), None), (date(2022, 3, 1), None)]
    assert chain_valid_to(spans) == [date(2018, 12, 31), date(2022, 2, 28), None]


def test_chain_keeps_an_earlier_explicit_end_and_the_last_end() -> None:
    spans = [(date(2016, 4, 8), date(2017, 6, 30)), (date(2019, 1, 1), date(2030, 12, 31))]
    assert chain_valid_to(spans) == [date(2017, 6, 30), date(2030, 12, 31)]


def test_chain_shortens_an_overlapping_end() -> None:
    assert chain_valid_to([(date(2020, 1, 1), date(2025, 1, 1)), (date(2024, 1, 1), None)]) == [
        date(2023, 12, 31),
        None,
    ]


@pytest.mark.parametrize(
    ("on", "expected"),
    [(date(2019, 12, 31), False), (date(2020, 1, 1), True), (date(2020, 6, 30), True), (date(2020, 7, 1), False)],
)
def test_in_force_is_inclusive_at_both_ends(on: date, expected: bool) -> None:
    assert is_in_force(date(2020, 1, 1), date(2020, 6, 30), on) is expected


def test_open_ended_row_is_in_force_forever() -> None:
    assert is_in_force(date(2020, 1, 1), None, date(2099, 1, 1)) is True


@pytest.mark.parametrize(
    ("value", "text"),
    [("5E+3", "5000"), ("0.150", "0.15"), ("0", "0"), ("10.00000", "10"), ("0.7", "0.7")],
)
def test_plain_drops_exponent_and_trailing_zeros(value: str, text: str) -> None:
    assert str(plain(Decimal(value))) == text


def test_code_tables_answer_contains_and_name() -> None:
    tables = CodeTables(
        date(2026, 3, 2),
        merge_names(
            [
                ("country", "142", CodeName("中国", "China", "CHN")),
                ("trade_mode", "1210", CodeName("保税电商")),
            ]
        ),
    )
    assert tables.contains("country", "142") is True
    assert tables.contains("country", "143") is False
    assert tables.contains("currency", "142") is False
    assert tables.name("country", "142") == "中国"
    assert tables.name("country", "999") is None
    assert tables.entry("country", "142") == CodeName("中国", "China", "CHN")
    assert tables.codes("trade_mode") == frozenset({"1210"})
    assert tables.tables == ("country", "trade_mode")


@pytest.mark.parametrize(
    ("unit", "threshold"),
    [("036", "10"), ("096", "10"), ("035", "10000"), ("095", "10000"), ("020", "15"), ("010", "15")],
)
def test_cosmetics_threshold_per_net_content_unit(unit: str, threshold: str) -> None:
    assert COSMETIC.ct_threshold_in(unit) == Decimal(threshold)


def test_cosmetics_threshold_refuses_a_bottle_count() -> None:
    with pytest.raises(ValueError, match="per ml, g, 片 or 张"):
        COSMETIC.ct_threshold_in("142")


def test_watch_threshold_is_per_piece() -> None:
    assert WATCH.ct_threshold_in("008") == Decimal("10000")
    with pytest.raises(ValueError, match="per piece"):
        WATCH.ct_threshold_in("096")


def test_no_threshold_for_wine_or_untaxed_goods() -> None:
    assert WINE.ct_threshold_in("095") is None
    assert MILK.ct_threshold_in("035") is None


def test_net_content_unit_problem_names_the_allowed_units() -> None:
    [problem] = net_content_unit_problems(COSMETIC, "142", "net_content_unit")
    assert problem.rule_id == "REF-NET-CONTENT-UNIT"
    assert problem.field == "net_content_unit"
    assert problem.hint == "Give the net content in one of: 036 克, 096 毫升, 035 千克, 095 升, 020 片 or 010 张."
    assert net_content_unit_problems(COSMETIC, "096", "net_content_unit") == []
    assert net_content_unit_problems(MILK, "142", "net_content_unit") == []


@pytest.mark.parametrize(
    ("table", "code", "ok"),
    [
        ("country", "142", True),
        ("country", "42", False),
        ("trade_mode", "9710", True),
        ("trade_mode", "971A", False),
        ("transport_mode", "W", True),
        ("transport_mode", "w", False),
        ("hs8", "33049900", True),
        ("hs8", "3304990", False),
        ("wrap_type", "2", True),
        ("wrap_type", "22", False),
        ("customs_district", "4601", True),
    ],
)
def test_code_format(table: str, code: str, ok: bool) -> None:
    assert (code_format_problem(table, code, "code") is None) is ok
