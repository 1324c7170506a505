"""Retail-import tax rules: tax-rules.md §1.3-§1.7 and the worked examples of §8; rulings 1-5."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from cbec.tax import (
    ImportAssessment,
    TaxLineInput,
    TaxParameters,
    TaxPath,
    assess_import,
    comprehensive_rate,
)

D = Decimal
ZERO = D("0")


def params(**overrides: Any) -> TaxParameters:
    """Build the 2019+ parameters (5 000 / 26 000, 70 %, duty 0 %), variant A."""
    values: dict[str, Any] = {
        "single_limit": D("5000"),
        "annual_limit": D("26000"),
        "vat_ct_factor": D("0.7"),
        "duty_rate_within_limit": D("0"),
    }
    values.update(overrides)
    return TaxParameters(**values)


def line(**overrides: Any) -> TaxLineInput:
    """Build a general-goods line: 13 % VAT, no consumption tax, duty 10 % (assumed), quantity 1."""
    values: dict[str, Any] = {
        "line_no": 1,
        "hs_code": "3304990029",
        "goods_value": D("100.00"),
        "quantity": D("1"),
        "duty_rate": D("0.10"),
        "vat_rate": D("0.13"),
        "ct_kind": "none",
        "ct_rate": D("0"),
        "ct_threshold": None,
        "net_content": None,
    }
    values.update(overrides)
    return TaxLineInput(**values)


def cosmetic(**overrides: Any) -> TaxLineInput:
    """Build a high-end cosmetics line: 15 % CT from 10 CNY per ml or g."""
    values: dict[str, Any] = {"ct_kind": "ad_valorem", "ct_rate": D("0.15"), "ct_threshold": D("10")}
    values.update(overrides)
    return line(**values)


def assess(
    lines: list[TaxLineInput],
    *,
    freight: str = "0",
    insurance: str = "0",
    used: str = "0",
    p: TaxParameters | None = None,
) -> ImportAssessment:
    return assess_import(lines, freight=D(freight), insurance=D(insurance), used_quota=D(used), params=p or params())


def rule_ids(a: ImportAssessment) -> list[str]:
    return [p.rule_id for p in a.problems]


# --- §8 import, preferential path ----------------------------------------------------------------------------


def test_e1_general_goods_with_freight() -> None:
    a = assess([line(goods_value=D("300.00"))], freight="20.00")
    assert a.path is TaxPath.PREFERENTIAL
    assert a.dutiable_value == D("320.00")
    assert a.quota_amount == D("320.00")
    (t,) = a.lines
    assert (t.dutiable_value, t.customs_duty, t.vat, t.consumption_tax) == (
        D("320.00"),
        D("0.00"),
        D("29.12"),
        D("0.00"),
    )
    assert a.totals.total == D("29.12")
    assert a.problems == []


def test_e2_high_end_skin_care_over_the_threshold() -> None:
    a = assess([cosmetic(goods_value=D("425.00"), net_content=D("20"))])  # 21.25 CNY/g
    (t,) = a.lines
    assert (t.consumption_tax, t.vat) == (D("52.50"), D("45.50"))
    assert a.totals.total == D("98.00")


def test_e3_cosmetic_below_the_threshold_pays_no_consumption_tax() -> None:
    a = assess([cosmetic(goods_value=D("450.00"), net_content=D("150"))])  # 3.00 CNY/g
    (t,) = a.lines
    assert (t.consumption_tax, t.vat) == (D("0.00"), D("40.95"))


@pytest.mark.parametrize(
    ("variant", "ct", "vat", "total"), [("A", "62.38", "54.06", "116.44"), ("B", "62.38", "54.07", "116.45")]
)
def test_e3c_freight_pushes_the_cosmetic_over_the_threshold(variant: str, ct: str, vat: str, total: str) -> None:
    # Ruling 2: 495.00 + 10.00 freight over 50 ml = 10.10 CNY/ml ≥ 10.
    a = assess(
        [cosmetic(goods_value=D("495.00"), net_content=D("50"))], freight="10.00", p=params(rounding_variant=variant)
    )
    (t,) = a.lines
    assert t.dutiable_value == D("505.00")
    assert (t.consumption_tax, t.vat, a.totals.total) == (D(ct), D(vat), D(total))


def test_e3c_without_freight_the_cosmetic_stays_below_the_threshold() -> None:
    a = assess([cosmetic(goods_value=D("495.00"), net_content=D("50"))])  # 9.90 CNY/ml
    assert (a.totals.consumption_tax, a.totals.vat) == (D("0.00"), D("45.05"))


def test_consumption_tax_threshold_is_inclusive() -> None:
    at = assess([cosmetic(goods_value=D("500.00"), net_content=D("50"))])  # exactly 10.00 CNY/ml
    below = assess([cosmetic(goods_value=D("499.99"), net_content=D("50"))])
    assert at.totals.consumption_tax == D("61.76")  # 500 × 0.15 / 0.85 × 0.7 = 61.7647
    assert below.totals.consumption_tax == D("0.00")


def test_consumption_tax_applies_without_a_net_content_when_a_threshold_exists() -> None:
    a = assess([cosmetic(goods_value=D("100.00"), net_content=None)])
    assert a.totals.consumption_tax == D("12.35")


def test_e5_exactly_at_the_single_limit_with_several_items() -> None:
    a = assess([line(line_no=1, goods_value=D("2490.00")), line(line_no=2, goods_value=D("2490.00"))], freight="20.00")
    assert a.path is TaxPath.PREFERENTIAL
    assert [t.dutiable_value for t in a.lines] == [D("2500.00"), D("2500.00")]
    assert a.totals.vat == D("455.00")
    assert a.quota_amount == D("5000.00")


@pytest.mark.parametrize(
    ("goods", "variant", "vat"), [("10.00", "A", "0.91"), ("0.05", "A", "0.00"), ("0.05", "B", "0.01")]
)
def test_e6_tiny_amounts_have_no_de_minimis(goods: str, variant: str, vat: str) -> None:
    a = assess([line(goods_value=D(goods))], p=params(rounding_variant=variant))
    assert a.path is TaxPath.PREFERENTIAL
    assert a.totals.vat == D(vat)


# --- §8 limits and the single-item path ----------------------------------------------------------------------


def test_e9_several_items_just_over_the_single_limit_are_refused() -> None:
    a = assess([line(line_no=1, goods_value=D("2500.00")), line(line_no=2, goods_value=D("2500.01"))])
    assert a.path is TaxPath.REFUSED
    assert a.refused
    assert a.quota_amount == D("0.00")
    assert rule_ids(a) == ["TAX-SINGLE-LIMIT"]
    problem = a.problems[0]
    assert problem.code == "-621005"
    assert "totalPrice: 5,000.01 > limitPrice: 5,000" in problem.message
    assert problem.message.startswith("购买金额超过单笔限额 / ")
    assert problem.hint
    # Information only: the general-trade taxes with an assumed 10 % duty.
    assert (a.totals.customs_duty, a.totals.vat, a.totals.total) == (D("500.00"), D("715.00"), D("1215.00"))


def test_e10_single_item_exactly_at_the_single_limit_is_preferential() -> None:
    a = assess([line(goods_value=D("5000.00"))])
    assert a.path is TaxPath.PREFERENTIAL
    assert (a.totals.customs_duty, a.totals.vat) == (D("0.00"), D("455.00"))


def test_e11_single_item_just_over_the_single_limit_pays_full_tax() -> None:
    a = assess([line(goods_value=D("5000.01"))])
    assert a.path is TaxPath.FULL_TAX_SINGLE_ITEM
    assert (a.totals.customs_duty, a.totals.vat, a.totals.total) == (D("500.00"), D("715.00"), D("1215.00"))
    assert a.quota_amount == D("5000.01")
    assert a.problems == []


def test_e16_two_units_of_one_sku_are_not_a_single_item() -> None:
    a = assess([line(goods_value=D("5200.00"), quantity=D("2"))])
    assert a.path is TaxPath.REFUSED
    assert rule_ids(a) == ["TAX-SINGLE-LIMIT"]


def test_divisible_single_unit_is_not_a_single_item() -> None:
    a = assess([line(goods_value=D("6000.00"), indivisible=False)])
    assert rule_ids(a) == ["TAX-SINGLE-LIMIT"]


def test_full_tax_single_item_with_consumption_tax_uses_rounded_bases() -> None:
    # Watch, 20 % CT, duty 10 % (assumed): D = 1 200.00; CT = 13 200 × 0.2 / 0.8 = 3 300.00; VAT = 16 500 × 0.13.
    watch = line(
        goods_value=D("12000.00"), ct_kind="ad_valorem", ct_rate=D("0.20"), ct_threshold=D("10000"), net_content=D("1")
    )
    a = assess([watch])
    assert a.path is TaxPath.FULL_TAX_SINGLE_ITEM
    (t,) = a.lines
    assert (t.customs_duty, t.consumption_tax, t.vat, t.total) == (
        D("1200.00"),
        D("3300.00"),
        D("2145.00"),
        D("6645.00"),
    )


def test_ruling_4_single_item_of_exactly_26000_is_refused() -> None:
    a = assess([line(goods_value=D("26000.00"))])
    assert a.path is TaxPath.REFUSED
    assert rule_ids(a) == ["TAX-SINGLE-ITEM-26000"]
    assert "totalPrice: 26,000.00 = limitPrice: 26,000" in a.problems[0].message


def test_ruling_4_single_item_just_below_26000_pays_full_tax() -> None:
    assert assess([line(goods_value=D("25999.99"))]).path is TaxPath.FULL_TAX_SINGLE_ITEM


def test_ruling_4_switch_allows_exactly_26000() -> None:
    a = assess([line(goods_value=D("26000.00"))], p=params(single_item_strictly_below_annual=False))
    assert a.path is TaxPath.FULL_TAX_SINGLE_ITEM
    assert a.quota_amount == D("26000.00")


def test_single_item_over_26000_breaks_both_limits_with_the_receipt_numbers() -> None:
    a = assess([line(goods_value=D("26114.44"))])
    assert a.path is TaxPath.REFUSED
    assert rule_ids(a) == ["TAX-SINGLE-LIMIT", "TAX-ANNUAL-LIMIT"]
    annual = a.problems[1]
    assert annual.code == "1313"
    assert "totalPrice: 26,114.44 > limitPrice: 26,000" in annual.message
    assert annual.message.startswith("订购人购买超过年度限额")


def test_single_item_must_also_fit_the_annual_quota() -> None:
    a = assess([line(goods_value=D("6000.00"))], used="20000.01")
    assert a.path is TaxPath.REFUSED
    assert rule_ids(a) == ["TAX-ANNUAL-LIMIT"]
    assert "totalPrice: 26,000.01 > limitPrice: 26,000" in a.problems[0].message
    assert assess([line(goods_value=D("6000.00"))], used="20000.00").path is TaxPath.FULL_TAX_SINGLE_ITEM


def test_annual_boundary_is_inclusive() -> None:
    assert assess([line(goods_value=D("2000.00"))], used="24000.00").path is TaxPath.PREFERENTIAL
    refused = assess([line(goods_value=D("2000.00"))], used="24000.01")
    assert rule_ids(refused) == ["TAX-ANNUAL-LIMIT"]
    assert refused.quota_amount == D("0.00")


def test_line_not_on_the_positive_list_refuses_the_order() -> None:
    a = assess([line(line_no=1), line(line_no=2, hs_code="9307009000", on_positive_list=False)])
    assert a.path is TaxPath.REFUSED
    assert rule_ids(a) == ["TAX-NOT-ON-LIST"]
    assert a.problems[0].field == "lines[1].hs_code"
    assert "9307009000" in a.problems[0].message


def test_every_refusal_reason_is_reported_at_once() -> None:
    a = assess(
        [line(line_no=1, goods_value=D("3000"), on_positive_list=False), line(line_no=2, goods_value=D("3000"))],
        used="25000",
    )
    assert rule_ids(a) == ["TAX-NOT-ON-LIST", "TAX-SINGLE-LIMIT", "TAX-ANNUAL-LIMIT"]


# --- dutiable value and allocation ---------------------------------------------------------------------------


def test_freight_and_insurance_are_allocated_pro_rata_with_the_remainder_last() -> None:
    lines = [line(line_no=n, goods_value=D(v)) for n, v in ((1, "100.00"), (2, "100.00"), (3, "100.00"))]
    a = assess(lines, freight="10.00", insurance="1.00")
    assert [t.dutiable_value for t in a.lines] == [D("103.66"), D("103.66"), D("103.68")]
    assert a.dutiable_value == D("311.00")


def test_gift_line_of_zero_value_carries_no_freight() -> None:
    a = assess([line(line_no=1, goods_value=D("99.00")), line(line_no=2, goods_value=D("0"))], freight="10.00")
    assert [t.dutiable_value for t in a.lines] == [D("109.00"), D("0.00")]
    assert [t.vat for t in a.lines] == [D("9.92"), D("0.00")]


def test_order_totals_are_sums_of_rounded_line_amounts() -> None:
    # Three lines of 0.55: per line VAT 0.05005 → 0.05; a single rounding of the order would give 0.15.
    lines = [line(line_no=n, goods_value=D("0.55")) for n in (1, 2, 3)]
    a = assess(lines)
    assert a.totals.vat == D("0.15")
    assert [t.vat for t in a.lines] == [D("0.05")] * 3
    lines = [line(line_no=n, goods_value=D("0.60")) for n in (1, 2, 3)]  # 0.0546 each → 0.05 each
    assert assess(lines).totals.vat == D("0.15")  # round(1.80 × 0.091) would be 0.16


# --- §1.5 comprehensive rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vat_rate", "ct_rate", "rate_percent", "ct", "vat", "tax"),
    [
        ("0.13", "0", "9.1000", "0.00", "9.10", "9.10"),
        ("0.09", "0", "6.3000", "0.00", "6.30", "6.30"),
        ("0.13", "0.15", "23.0588", "12.35", "10.71", "23.06"),
        ("0.13", "0.10", "17.8889", "7.78", "10.11", "17.89"),
        ("0.13", "0.20", "28.8750", "17.50", "11.38", "28.88"),
    ],
)
def test_comprehensive_rate_table_on_a_100_cny_line(
    vat_rate: str, ct_rate: str, rate_percent: str, ct: str, vat: str, tax: str
) -> None:
    assert (comprehensive_rate(D(vat_rate), D(ct_rate)) * 100).quantize(D("0.0001")) == D(rate_percent)
    kind = "ad_valorem" if D(ct_rate) else "none"
    a = assess([line(goods_value=D("100.00"), vat_rate=D(vat_rate), ct_kind=kind, ct_rate=D(ct_rate))])
    assert (a.totals.consumption_tax, a.totals.vat, a.totals.total) == (D(ct), D(vat), D(tax))


# --- rounding variants and inputs ------------------------------------------------------------------------------


def test_variant_b_rounds_the_statutory_amounts_first() -> None:
    a = assess([line(goods_value=D("0.05"))], p=params(rounding_variant="B"))
    assert a.totals.vat == D("0.01")


def test_unknown_rounding_variant_is_rejected() -> None:
    with pytest.raises(ValueError):
        params(rounding_variant="C")


@pytest.mark.parametrize(
    "bad",
    [
        {"goods_value": D("-1")},
        {"quantity": D("0")},
        {"ct_kind": "specific"},
        {"ct_rate": D("1")},
    ],
)
def test_impossible_lines_are_programming_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        assess([line(**bad)])


def test_no_lines_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        assess([])


def test_results_are_decimals_to_the_fen() -> None:
    a = assess(
        [cosmetic(goods_value=D("123.45"), net_content=D("5")), line(line_no=2)], freight="7.77", insurance="0.33"
    )
    amounts = [
        a.dutiable_value,
        a.quota_amount,
        a.totals.customs_duty,
        a.totals.vat,
        a.totals.consumption_tax,
        a.totals.total,
    ]
    for t in a.lines:
        amounts += [t.dutiable_value, t.customs_duty, t.vat, t.consumption_tax]
    for amount in amounts:
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(D("0.01"))


def test_line_input_is_frozen() -> None:
    item = line()
    with pytest.raises(AttributeError):
        item.goods_value = D("1")  # type: ignore[misc]
    assert replace(item, goods_value=D("1")).goods_value == D("1")


# --- §8 E-17 as a pure accumulation -------------------------------------------------------------------------------


def test_e17_quota_sequence_by_pure_accumulation() -> None:
    used = {2025: ZERO, 2026: ZERO}

    def order(year: int, goods: str) -> ImportAssessment:
        a = assess([line(goods_value=D(goods))], used=str(used[year]))
        used[year] += a.quota_amount
        return a

    for _ in range(5):  # O1-O5
        assert order(2025, "4800.00").totals.vat == D("436.80")
    assert used[2025] == D("24000.00")
    o6 = order(2025, "2000.00")
    assert (o6.path, o6.totals.vat, used[2025]) == (TaxPath.PREFERENTIAL, D("182.00"), D("26000.00"))
    o7 = order(2025, "0.01")
    assert (o7.path, used[2025]) == (TaxPath.REFUSED, D("26000.00"))
    assert "totalPrice: 26,000.01 > limitPrice: 26,000" in o7.problems[0].message
    used[2025] -= o6.quota_amount  # O6 returned within 30/45 days: its VAT is not collected
    assert used[2025] == D("24000.00")
    o8 = order(2025, "1999.99")
    assert (o8.totals.vat, used[2025]) == (D("182.00"), D("25999.99"))
    o9 = order(2025, "0.02")
    assert (o9.path, used[2025]) == (TaxPath.REFUSED, D("25999.99"))
    o9b = order(2025, "0.01")
    assert (o9b.path, o9b.totals.vat, used[2025]) == (TaxPath.PREFERENTIAL, D("0.00"), D("26000.00"))
    o10 = order(2026, "5000.00")
    assert (o10.path, used[2026]) == (TaxPath.PREFERENTIAL, D("5000.00"))
