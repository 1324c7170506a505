"""Under-valuation fields (cbec.risk.valuation): robust z, ratio, and the revenue expected lost with P(illicit)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from importlib import resources

from cbec.risk.rules import parse_ruleset, shipped_ruleset
from cbec.risk.valuation import (
    UnitBand,
    Valuation,
    ValuedLine,
    band_for,
    band_keys,
    band_of,
    brand_key,
    illicit,
    value_fields,
)

SECOND = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.2.json").read_text(encoding="utf-8"))
BANDS = {"330499": UnitBand(40, Decimal("100.00000"), Decimal("16.86000"))}  # spread 0.1686 of the median


def test_a_band_is_the_median_and_mad_to_five_places() -> None:
    band = band_of([Decimal(v) for v in ("10", "12", "13", "20", "31")])
    assert band == UnitBand(5, Decimal("13.00000"), Decimal("3.00000"))  # deviations 3 1 0 7 18 → 3


def test_p_illicit_is_the_posterior_of_the_ratio() -> None:
    prior = (0.01, 0.1, 0.5)
    # r = 0.45, σ = 0.1686 / 0.6745: honest density φ(ln 0.45 / σ) / (σ·0.45) = 0.02158, crooked 1 / (0.45·ln 5)
    # = 1.3807; 0.01 × 1.3807 / (0.01 × 1.3807 + 0.99 × 0.02158) = 0.3927
    assert [illicit(prior, r, 0.1686) for r in (0.05, 0.1, 0.3, 0.45, 0.5, 0.55)] == [
        Decimal(1),  # under the lowest illicit ratio the crooked density is held flat: still illicit
        Decimal(1),
        Decimal("0.9977"),
        Decimal("0.3927"),
        Decimal("0.1553"),
        Decimal(0),  # above the highest: honest by the model
    ]


def test_revenue_expected_lost_is_weighted_by_p_illicit_from_2026_3_only() -> None:
    line = ValuedLine("3304990000", Decimal(2), Decimal("90.00"))  # unit 45: ratio 0.45, z = 0.6745 × −55 / 16.86
    # no prior (2026.2): P = 1
    assert value_fields([line], BANDS, SECOND) == (Decimal("-2.2003"), Decimal("0.4500"), Decimal(1), Decimal("10.01"))
    assert value_fields([line], BANDS, shipped_ruleset()) == Valuation(  # 55 × 2 × 0.091 × 0.3927
        Decimal("-2.2003"), Decimal("0.4500"), Decimal("0.3927"), Decimal("3.93")
    )
    cheap = ValuedLine("3304990000", Decimal(1), Decimal("20.00"))  # ratio 0.2: P ≈ 1
    assert value_fields([cheap], BANDS, shipped_ruleset()).revenue == Decimal("7.28")  # 80 × 0.091
    # the highest P of the suspect lines; a line above the median is not suspect
    dear = ValuedLine("3304990000", Decimal(1), Decimal("120.00"))
    assert value_fields([dear], BANDS, shipped_ruleset()).chance == Decimal(0)
    assert value_fields([dear, cheap, line], BANDS, shipped_ruleset()).chance == Decimal(1)  # the cheap line's


def test_lines_without_a_band_of_enough_lines_are_skipped() -> None:
    thin = {"330499": UnitBand(29, Decimal(100), Decimal(10))}  # band_min_lines 30
    assert value_fields([ValuedLine("3304990000", Decimal(1), Decimal(10))], thin, shipped_ruleset()) == (
        None,
        None,
        None,
        Decimal("0.00"),
    )


def test_band_keys_go_from_brand_to_origin_to_hs6_with_the_brand_folded() -> None:
    assert band_keys("3304990099", "116", "Ｌａ Mer-拉美") == ("330499|116|lamer拉美", "330499|116", "330499")
    assert band_keys("3304990099", "116", "  ") == ("330499|116", "330499")
    assert band_keys("3304990099", "", "La Mer") == ("330499",)  # no origin: no finer band
    assert [brand_key(b) for b in (None, "", "SK-II", "ｓｋⅡ")] == ["", "", "skii", "skii"]


def test_a_line_takes_its_finest_band_with_enough_lines() -> None:
    bands = {
        "330499": UnitBand(300, Decimal(100), Decimal(30)),
        "330499|116": UnitBand(80, Decimal(200), Decimal(20)),
        "330499|116|lamer": UnitBand(29, Decimal(900), Decimal(45)),  # one line short of band_min_lines (30)
        "330499|502|lamer": UnitBand(30, Decimal(800), Decimal(40)),
    }
    japan = ValuedLine("3304990000", Decimal(1), Decimal("95.00"), origin_country="116")
    usa = ValuedLine("3304990000", Decimal(1), Decimal("95.00"), origin_country="502")
    assert band_for(japan, bands, 30, "La Mer") == bands["330499|116"]  # its brand band is too thin
    assert band_for(usa, bands, 30, "LA MER") == bands["330499|502|lamer"]
    assert band_for(usa, bands, 30, None) == bands["330499"]  # no band of its origin alone
    assert band_for(usa, {}, 30, "La Mer") is None
    # 95 against Japan's 200 (ratio 0.475) is suspect; against the HS6 band alone (100) it would not be
    fields = value_fields([japan], bands, shipped_ruleset(), lambda line: "La Mer")
    assert (fields.z_min, fields.ratio_min) == (Decimal("-3.5411"), Decimal("0.4750"))
    assert value_fields([replace(japan, origin_country="")], bands, shipped_ruleset()).ratio_min == Decimal("0.9500")
