"""Sample survey rules: a reproducible draw by permanent random numbers, the expansion estimate and its SE."""

from __future__ import annotations

from decimal import Decimal

from cbec.statistics.survey_rules import SAMPLED, TAKE_ALL, FrameUnit, SampleUnit, draw, estimate, prn

FRAME = [FrameUnit(f"E{i:02d}", Decimal(100 * i)) for i in range(1, 13)]  # E01 … E12, sizes 100 … 1,200


def test_the_draw_takes_every_large_unit_and_the_smallest_numbers_of_the_rest() -> None:
    sample = draw(FRAME, sample_size=3, take_all_at=Decimal(1100), seed=7)
    assert [u.code for u in sample if u.stratum == TAKE_ALL] == ["E11", "E12"]
    rest = sorted((u for u in sample if u.stratum == SAMPLED), key=lambda u: u.prn)
    assert [u.code for u in rest if u.selected] == [u.code for u in rest[:3]]
    assert sum(u.selected for u in sample) == 5
    assert draw(FRAME, sample_size=3, take_all_at=Decimal(1100), seed=7) == sample  # reproducible
    assert draw(list(reversed(FRAME)), sample_size=3, take_all_at=Decimal(1100), seed=7) == sample  # order-free
    assert [u.code for u in draw(FRAME, sample_size=3, take_all_at=None, seed=8) if u.selected] != [
        u.code for u in rest[:3]
    ]
    assert 0 <= prn(7, "E01") < 1 and prn(7, "E01") == prn(7, "E01") != prn(8, "E01")


def _unit(code: str, stratum: str, selected: bool = True) -> SampleUnit:
    return SampleUnit(code, Decimal(1), stratum, 0.5, selected)


def test_the_estimate_expands_each_stratum_and_gives_its_standard_error() -> None:
    units = [_unit("T1", TAKE_ALL), _unit("T2", TAKE_ALL)]
    units += [_unit(f"S{i}", SAMPLED, selected=i <= 3) for i in range(1, 8)]  # N = 7, n = 3
    answers = {"T1": Decimal(500), "T2": Decimal(700), "S1": Decimal(10), "S2": Decimal(20), "S3": Decimal(30)}
    found = estimate(units, answers)
    # take-all: 1,200 exactly; sampled: 7 × 20 = 140, V = 7² × (1 − 3/7) × 100 / 3 = 933.33…
    assert (found.total, found.standard_error, found.cv, found.response_rate) == (
        Decimal("1340.00"),
        Decimal("30.55"),
        Decimal("0.0228"),
        Decimal("1.0000"),
    )
    assert [(s.stratum, s.population, s.sampled, s.responded, s.total) for s in found.strata] == [
        (TAKE_ALL, 2, 2, 2, Decimal("1200.00")),
        (SAMPLED, 7, 3, 3, Decimal("140.00")),
    ]
    partial = estimate(units, {"T1": Decimal(500), "T2": Decimal(700), "S1": Decimal(10), "S3": Decimal(30)})
    assert (partial.total, partial.response_rate) == (Decimal("1340.00"), Decimal("0.8000"))
    none = estimate(units, {"T1": Decimal(500)})
    assert (none.total, none.standard_error) == (None, None)  # a stratum without any answer: no estimate
    assert found.caliber == "survey"
