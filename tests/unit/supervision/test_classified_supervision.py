"""Classified supervision (分类监管) in the decision step: holds, inspection by level, the random share kept."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.supervision import (
    DecisionPolicy,
    Guarantee,
    InventoryFacts,
    Measure,
    MeasureKind,
    MeasureSpec,
    Outcome,
    SubjectKind,
    SupervisionInvalid,
    applying,
    facilitation,
    inspection_probability,
    subjects_of,
)
from cbec.supervision.service import _check

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
FACTS = InventoryFacts(1, "9610", "4601960002", "4601960001", Decimal("120.00"), ("0402290000",), "buyer-key")
BASE, REVIEW = Decimal("0.01"), Decimal("0.02")
LEVELS = {"A": Decimal("0.002"), "B": Decimal("0.01"), "C": Decimal("0.05"), "D": Decimal("0.8")}


def level(rate: Decimal, name: str = "C") -> Measure:
    return Measure(
        SubjectKind.ENTERPRISE,
        "4601960002",
        MeasureKind.INSPECTION,
        rate,
        "credit",
        f"level {name}",
        f"信用等级 {name}",
        NOW,
        None,
    )


def hold(reason: str = "fake_order 80") -> Measure:
    return Measure(SubjectKind.INVENTORY, "E1", MeasureKind.HOLD, None, "risk", "risk decision 7", reason, NOW, None)


def policy(seed: int) -> DecisionPolicy:
    return DecisionPolicy(inspection_rate=float(BASE), review_rate=float(REVIEW), rng=random.Random(seed))


@pytest.mark.parametrize(("name", "rate"), sorted(LEVELS.items()))
def test_inspection_by_level_over_10000_inventories_keeps_the_random_share(name: str, rate: Decimal) -> None:
    decide = policy(20260302).decide
    outcomes = [decide(FACTS, [level(rate, name)]) for _ in range(10_000)]
    inspected = sum(o.outcome == Outcome.INSPECT for o in outcomes)
    random_inspections = sum(o.reasons == ("随机布控查验 / random selection for inspection",) for o in outcomes)
    expected = float(inspection_probability(BASE, rate, REVIEW))
    sigma = math.sqrt(10_000 * expected * (1 - expected))
    assert abs(inspected - 10_000 * expected) <= 4 * sigma, (name, inspected, expected)
    # the zone's random selection applies whatever the level: no level escapes it
    assert abs(random_inspections - 100) <= 4 * math.sqrt(10_000 * 0.01 * 0.99)
    assert sum(o.outcome == Outcome.REVIEW for o in outcomes) == pytest.approx(200, abs=4 * math.sqrt(196))


def test_the_probability_formula() -> None:
    assert inspection_probability(Decimal("0.01"), Decimal("0.05"), Decimal("0.02")) == Decimal("0.0585")
    assert inspection_probability(Decimal("0.01"), Decimal(0)) == Decimal("0.01")
    assert inspection_probability(Decimal(0), Decimal(1)) == Decimal(1)


def test_without_measures_the_draws_are_those_of_the_random_selection_alone() -> None:
    plain = DecisionPolicy(inspection_rate=0.01, review_rate=0.02, rng=random.Random(7))
    with_nothing = policy(7)
    assert [plain.decide(FACTS) for _ in range(2_000)] == [with_nothing.decide(FACTS, []) for _ in range(2_000)]


def test_a_hold_sends_to_review_with_its_reason_whatever_the_level() -> None:
    decision = policy(1).decide(FACTS, [level(Decimal(0), "A"), hold()])
    assert decision.outcome == Outcome.REVIEW
    assert decision.reasons == ("监管措施扣留 / hold (risk, risk decision 7): fake_order 80",)


def test_the_highest_level_rate_among_the_enterprises_decides_and_is_named() -> None:
    decision = policy(3).decide(FACTS, [level(Decimal("0.01"), "B"), level(Decimal(1), "D")])
    assert decision.outcome == Outcome.INSPECT
    assert decision.reasons == ("分类监管查验 / classified supervision: 信用等级 D (level D, 100 %)",)


def test_measures_apply_only_while_in_force_and_only_to_their_subjects() -> None:
    later = Measure(SubjectKind.BUYER, "b", MeasureKind.HOLD, None, "risk", "r", "x", NOW + timedelta(days=1), None)
    ended = Measure(SubjectKind.BUYER, "b", MeasureKind.HOLD, None, "risk", "r2", "y", NOW - timedelta(days=2), NOW)
    other = Measure(SubjectKind.BUYER, "c", MeasureKind.HOLD, None, "risk", "r3", "z", NOW, None)
    found = {(SubjectKind.BUYER, "b"): [later, ended], (SubjectKind.BUYER, "c"): [other]}
    subjects = subjects_of(["4601960002", " 4601960001 ", None, "4601960002"], "b", "E1")
    assert subjects == (
        (SubjectKind.ENTERPRISE, "4601960002"),
        (SubjectKind.ENTERPRISE, "4601960001"),
        (SubjectKind.BUYER, "b"),
        (SubjectKind.INVENTORY, "E1"),
    )
    assert applying(found, subjects, NOW) == []
    assert applying(found, subjects, NOW + timedelta(days=1)) == [later]


def test_a_measure_that_breaks_the_rules_names_every_problem() -> None:
    bad = [
        MeasureSpec(MeasureKind.INSPECTION, "r", "x", NOW, rate=Decimal("1.5")),
        MeasureSpec(MeasureKind.HOLD, "r", "x", NOW, NOW - timedelta(hours=1), rate=Decimal("0.1")),
    ]
    with pytest.raises(SupervisionInvalid) as caught:
        _check("police", bad)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("SUP-SOURCE", "source"),
        ("SUP-RATE", "rate"),
        ("SUP-SOURCE", "source"),
        ("SUP-RATE", "rate"),
        ("SUP-VALIDITY", "valid_until"),
    ]


def measure(kind: MeasureKind, reference: str, source: str = "credit") -> Measure:
    return Measure(SubjectKind.ENTERPRISE, "4601960002", kind, None, source, reference, f"why {reference}", NOW, None)


def test_facilitation_priority_and_guarantee_and_what_withdraws_them() -> None:
    a_level = [measure(MeasureKind.PRIORITY, "A"), measure(MeasureKind.GUARANTEE_EXEMPT, "A")]
    given = facilitation(a_level)
    assert (given.priority, given.guarantee, given.withheld_by) == (a_level[0], Guarantee.EXEMPT, None)
    assert given.notes() == ("优先办理 / priority (A): why A", "免除担保 / guarantee exempt (A): why A")
    # no facilitation (a joint measure) removes priority and the exemption; a full guarantee wins over an exemption
    withheld = facilitation([*a_level, measure(MeasureKind.NO_FACILITATION, "JNT", "credit_list")])
    assert (withheld.priority, withheld.guarantee) == (None, None)
    assert withheld.notes() == ("不适用便利措施 / no facilitation (JNT): why JNT",)
    full = facilitation([*a_level, measure(MeasureKind.FULL_GUARANTEE, "CUS", "credit_list")])
    assert (full.priority is not None, full.guarantee) == (True, Guarantee.FULL)
    assert facilitation([]).notes() == ()


def test_facilitation_never_changes_the_outcome_or_the_draws() -> None:
    marks = [measure(MeasureKind.PRIORITY, "A"), measure(MeasureKind.FULL_GUARANTEE, "D")]
    plain, marked = policy(11), policy(11)
    first = [plain.decide(FACTS, [level(Decimal("0.05"))]) for _ in range(2_000)]
    second = [marked.decide(FACTS, [level(Decimal("0.05")), *marks]) for _ in range(2_000)]
    assert [(d.outcome, d.reasons) for d in first] == [(d.outcome, d.reasons) for d in second]
    assert {(d.priority, d.guarantee) for d in second} == {(True, Guarantee.FULL)}
    assert {(d.priority, d.guarantee, d.notes) for d in first} == {(False, None, ())}


def test_a_facilitation_measure_carries_no_rate() -> None:
    spec = MeasureSpec(MeasureKind.PRIORITY, "A", "优先", NOW, rate=Decimal("0.1"))
    with pytest.raises(SupervisionInvalid) as caught:
        _check("credit", [spec])
    assert [p.rule_id for p in caught.value.problems] == ["SUP-RATE"]
