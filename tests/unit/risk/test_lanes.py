"""Lane selection, pure: the budget, the random green share (always drawn, reproducible), credit multipliers,
over-budget requests documentary, and the policy's refusals."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from cbec.risk.errors import RiskInvalid
from cbec.risk.lanes import Candidate, Lane, LanePolicy, assign_lanes, multiplier

DAY = date(2026, 3, 2)
A, B, D = Decimal("0.002"), Decimal("0.01"), Decimal("0.8")  # the zone's shipped level rates


def _lanes(candidates: list[Candidate], **policy: object) -> dict[str, tuple[str, str]]:
    found = assign_lanes(candidates, LanePolicy(**policy), DAY)  # type: ignore[arg-type]
    return {d.eport_no: (d.lane.value, d.reason) for d in found}


def test_risk_fills_the_budget_by_priority_and_the_rest_goes_documentary() -> None:
    candidates = [Candidate("E1", 70), Candidate("E2", 100), Candidate("E3", 85), Candidate("E4", 45)]
    assert _lanes(candidates, budget=2) == {
        "E2": ("red", "risk"),
        "E3": ("red", "risk"),
        "E1": ("yellow", "over_budget"),
        "E4": ("yellow", "review"),
    }


def test_a_credit_level_scales_the_score() -> None:
    policy = LanePolicy(budget=5)
    assert (multiplier(policy, A), multiplier(policy, B), multiplier(policy, D), multiplier(policy, None)) == (
        Decimal("0.2"),
        Decimal(1),
        Decimal(5),
        Decimal(1),
    )
    candidates = [Candidate("AEO", 100, A), Candidate("LOW", 20, D), Candidate("PLAIN", 20)]
    found = {d.eport_no: (d.lane, d.priority) for d in assign_lanes(candidates, policy, DAY)}
    assert found == {
        "AEO": (Lane.BLUE, Decimal("20.00")),  # 100 x 0.2: below review, released for post-clearance audit
        "LOW": (Lane.RED, Decimal("100.00")),  # 20 x 5
        "PLAIN": (Lane.BLUE, Decimal("20.00")),
    }


def test_the_random_green_share_is_always_drawn_reproducibly_and_takes_budget_first() -> None:
    candidates = [Candidate(f"G{n:03d}", 0) for n in range(200)] + [Candidate("R1", 90), Candidate("R2", 80)]
    first = assign_lanes(candidates, LanePolicy(budget=5, seed=11), DAY)
    again = assign_lanes(candidates, LanePolicy(budget=5, seed=11), DAY)
    assert first == again
    randoms = sorted(d.eport_no for d in first if d.reason == "random")
    assert len(randoms) == 4 and all(e.startswith("G") for e in randoms)  # ceil(2 % of 200)
    assert {d.eport_no: d.reason for d in first if d.eport_no.startswith("R")} == {"R1": "risk", "R2": "over_budget"}
    other = assign_lanes(candidates, LanePolicy(budget=5, seed=12), DAY)
    assert sorted(d.eport_no for d in other if d.reason == "random") != randoms  # another seed, another draw
    none = assign_lanes(candidates, LanePolicy(budget=0, seed=11), DAY)  # no budget: still drawn
    assert sorted(d.eport_no for d in none if d.lane is Lane.RED) == randoms
    assert Counter(d.lane for d in none) == {Lane.GREEN: 196, Lane.RED: 4, Lane.YELLOW: 2}


def test_a_policy_breaking_a_rule_is_refused_with_every_problem() -> None:
    with pytest.raises(RiskInvalid) as caught:
        assign_lanes([], LanePolicy(budget=-1, random_share=Decimal("0.01"), review=80, hold=70), DAY)
    assert [p.rule_id for p in caught.value.problems] == ["RSK-LANES-BUDGET", "RSK-LANES-RANDOM", "RSK-LANES-POLICY"]
