"""Export tax rules: the worked examples of tax-rules.md §8 (X-1, X-3, X-5, X-6, X-7) and the returns relief."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cbec.exports.tax_rules import (
    EnterpriseSize,
    ExportTaxParameters,
    LineFacts,
    Regime,
    customs_rate_date,
    decide_regime,
    deemed_profit_cit,
    must_register_fx,
    rebate,
    return_relief,
    third_wednesday,
)

PARAMS = ExportTaxParameters(
    deemed_profit_rate=Decimal("0.04"),
    cit_rate=Decimal("0.25"),
    small_profit_income_cap=Decimal("3000000"),
    small_profit_income_share=Decimal("0.25"),
    small_profit_rate=Decimal("0.2"),
    small_profit_employee_cap=300,
    small_profit_asset_cap=Decimal("50000000"),
    return_relief_months=6,
    fx_registration_threshold_usd=Decimal("200000"),
)
SMALL = EnterpriseSize(employees=40, total_assets=Decimal("8000000"), restricted_industry=False)


def weekdays(closed: set[date]):  # type: ignore[no-untyped-def]
    return lambda day: day.weekday() < 5 and day not in closed


def test_x1_rate_date_is_the_third_wednesday_of_last_month() -> None:
    assert third_wednesday(2026, 9) == date(2026, 9, 16)
    assert customs_rate_date(date(2026, 10, 3), weekdays(set())) == date(2026, 9, 16)


def test_x1_rate_date_moves_past_the_spring_festival_closure() -> None:
    closure = {date(2026, 2, 15) + timedelta(days=n) for n in range(9)}  # explicit holiday calendar: 02-15..02-23
    assert third_wednesday(2026, 2) == date(2026, 2, 18)
    assert customs_rate_date(date(2026, 3, 5), weekdays(closure)) == date(2026, 2, 24)
    assert customs_rate_date(date(2026, 3, 5), weekdays(set())) == date(2026, 2, 18)


def test_x1_january_declarations_use_december_of_the_year_before() -> None:
    assert customs_rate_date(date(2026, 1, 8), weekdays(set())) == date(2025, 12, 17)


def test_x3_deemed_profit_cit_small_low_profit_and_not() -> None:
    small = deemed_profit_cit(Decimal("10000000.00"), SMALL, PARAMS)
    assert (small.taxable_income, small.small_low_profit, small.tax) == (
        Decimal("400000.00"),
        True,
        Decimal("20000.00"),
    )
    big = deemed_profit_cit(Decimal("10000000.00"), EnterpriseSize(400, Decimal("8000000"), False), PARAMS)
    assert (big.small_low_profit, big.tax) == (False, Decimal("100000.00"))
    assert [c.met for c in big.conditions] == [True, False, True, True]


def test_x3_relief_not_in_force_taxes_at_the_full_rate() -> None:
    from dataclasses import replace

    lapsed = replace(PARAMS, small_profit_income_cap=None, small_profit_employee_cap=None, small_profit_asset_cap=None)
    assert deemed_profit_cit(Decimal("10000000.00"), SMALL, lapsed).tax == Decimal("100000.00")


def test_x5_trading_company_rebate() -> None:
    full = rebate(Decimal("10000.00"), vat_rate=Decimal("0.13"), rebate_rate=Decimal("0.13"))
    assert (full.refund, full.non_refundable) == (Decimal("1300.00"), Decimal("0.00"))
    cut = rebate(Decimal("10000.00"), vat_rate=Decimal("0.13"), rebate_rate=Decimal("0.09"))
    assert (cut.refund, cut.non_refundable) == (Decimal("900.00"), Decimal("400.00"))
    with pytest.raises(ValueError):
        rebate(Decimal("1"), vat_rate=Decimal("0.09"), rebate_rate=Decimal("0.13"))


FACTS = LineFacts(
    registered_in_zone=True,
    data_on_platform=True,
    declared_at_zone_customs=True,
    ecommerce_export=True,
    goods_excluded=False,
    has_invoice=False,
    refund_qualified=False,
    tax_registered=True,
    proceeds_received=True,
    statistics_flag="B",
)


def test_x6_103_exemption_in_the_zone_and_not_outside() -> None:
    from dataclasses import replace

    inside = decide_regime(FACTS)
    assert inside.regime == Regime.EXEMPT_WITHOUT_INVOICE
    assert all(c.met for c in inside.conditions)
    outside = decide_regime(replace(FACTS, declared_at_zone_customs=False))
    assert outside.regime == Regime.TAXABLE
    assert "✗ 103号(二)" in outside.explain()
    assert decide_regime(replace(FACTS, goods_excluded=True)).regime == Regime.TAXABLE


def test_invoices_lead_to_refund_or_exemption_with_invoice() -> None:
    from dataclasses import replace

    assert decide_regime(replace(FACTS, has_invoice=True, refund_qualified=True)).regime == Regime.REFUND
    assert decide_regime(replace(FACTS, has_invoice=True)).regime == Regime.EXEMPT_WITH_INVOICE
    simplified = replace(FACTS, has_invoice=True, refund_qualified=True, statistics_flag="A")
    assert decide_regime(simplified).regime == Regime.EXEMPT_WITH_INVOICE


def test_x7_fx_registration_threshold() -> None:
    assert must_register_fx(Decimal("199999.99"), Decimal("200000")) is False
    assert must_register_fx(Decimal("200000.00"), Decimal("200000")) is True
    assert must_register_fx(Decimal("200000.01"), Decimal("200000")) is True


def test_returns_relief_within_six_months_non_food_only() -> None:
    assert return_relief(date(2026, 1, 31), date(2026, 7, 31), "6109100011", 6).eligible is True
    assert return_relief(date(2026, 1, 31), date(2026, 8, 1), "6109100011", 6).eligible is False
    assert return_relief(date(2026, 1, 31), date(2026, 2, 10), "0409000000", 6).eligible is False
    assert return_relief(date(2023, 1, 20), date(2023, 2, 10), "6109100011", None).eligible is False


def test_x9_individual_quota_cbec_settlement_not_counted_then_purchases_fill_it() -> None:
    from cbec.exports.tax_rules import FxTransaction, FxUse, individual_fx_uses

    uses = individual_fx_uses(
        [
            FxTransaction("settlement", Decimal("60000"), cbec_backed=True),
            FxTransaction("purchase", Decimal("50000")),
            FxTransaction("purchase", Decimal("1")),
            FxTransaction("settlement", Decimal("50000")),
        ]
    )
    assert uses == [FxUse.NOT_COUNTED, FxUse.WITHIN_QUOTA, FxUse.OUTSIDE_QUOTA, FxUse.WITHIN_QUOTA]
