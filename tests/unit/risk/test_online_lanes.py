"""Lanes decided online, one inventory at a time, and applied by clearance's decision step as supervision measures:
over simulated inventories each lane's inspection (or review) rate lies within tolerance of its policy, the random
green share included; the budget caps the red requests; a rerun draws the same."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from cbec.risk.lane_measures import measure_of
from cbec.risk.lanes import Candidate, Lane, LanePolicy, lane_of, sampled
from cbec.supervision import DecisionPolicy, InventoryFacts, Measure, Outcome, SubjectKind

DAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
POLICY = LanePolicy(budget=250, seed=11)


def simulate(n: int, policy: LanePolicy) -> list[tuple[Candidate, Lane, str]]:
    """Return the lane of n inventories with scores drawn like traffic: 85 % clean, some blue, yellow and red."""
    draw = random.Random(5)
    out = []
    red = 0
    for i in range(n):
        u = draw.random()
        score = 0 if u < 0.85 else draw.randint(5, 35) if u < 0.93 else draw.randint(40, 65) if u < 0.98 else 80
        rate = Decimal("0.05") if i % 10 == 0 else None  # a tenth from a C-level enterprise: five times
        c = Candidate(f"E{i:08d}", score, rate)
        lane = lane_of(c, policy, DAY, red)
        red += lane.lane is Lane.RED
        out.append((c, lane.lane, lane.reason))
    return out


def within(observed: int, n: int, p: float, sds: float = 4.0) -> bool:
    return abs(observed / n - p) <= sds * math.sqrt(p * (1 - p) / n)


def test_inspection_rates_by_lane_over_simulated_inventories_lie_within_tolerance() -> None:
    lanes = simulate(20_000, POLICY)
    decide = DecisionPolicy(rng=random.Random(3))  # no zone-wide random selection: the lanes alone
    outcomes: dict[str, Counter[Outcome]] = {}
    for c, lane, reason in lanes:
        decision = lane_of(c, POLICY, DAY, 0 if reason != "over_budget" else POLICY.budget)
        wanted = measure_of(decision, POLICY)
        measures = (
            [Measure(SubjectKind.INVENTORY, c.eport_no, wanted[0], wanted[1], "risk", "lane", "lane", AT, None)]
            if wanted
            else []
        )
        facts = InventoryFacts(0, "1210", "S", "P", Decimal(100), ("0402",), "b")
        outcomes.setdefault(f"{lane.value}:{reason}", Counter())[decide.decide(facts, measures).outcome] += 1
    by = {key: (sum(c.values()), c) for key, c in outcomes.items()}
    n_yellow, yellow = by["yellow:review"]
    n_blue, blue = by["blue:post_clearance"]
    n_green, green = by["green:release"]
    n_random, randomly = by["red:random"]
    n_risk, risk = by["red:risk"]
    assert within(yellow[Outcome.INSPECT], n_yellow, 0.3) and yellow[Outcome.REVIEW] == 0
    assert within(blue[Outcome.INSPECT], n_blue, 0.05) and blue[Outcome.REVIEW] == 0
    assert green == Counter({Outcome.RELEASE: n_green})  # green: no measure, released
    assert randomly == Counter({Outcome.REVIEW: n_random}) and risk == Counter({Outcome.REVIEW: n_risk})
    # the random share: 2 % of the clean inventories (priority 0) sampled to red, whatever their score
    assert within(n_random, n_random + n_green, 0.02)
    # the budget was used up (random draws take it first when they come), the later red requests went yellow
    assert n_risk < POLICY.budget <= n_risk + n_random and by["yellow:over_budget"][0] > 0


def test_the_budget_caps_red_requests_and_the_multiplier_scales_priority() -> None:
    reasons = [reason for _, _, reason in simulate(20_000, POLICY)]
    first_over = reasons.index("over_budget")
    assert reasons[:first_over].count("risk") + reasons[:first_over].count("random") == POLICY.budget
    assert "risk" not in reasons[first_over:]  # first come: once the day's budget is gone no request is red
    assert "random" in reasons[first_over:]  # … but the random green sample still is
    # a C-level enterprise's 20 points count 100 (red request); 20 points of an unrated one stay blue
    assert lane_of(Candidate("X", 20, Decimal("0.05")), POLICY, DAY, 0).lane is Lane.RED
    assert lane_of(Candidate("X", 20, None), POLICY, DAY, 0).lane is Lane.BLUE
    assert lane_of(Candidate("X", 80, None), POLICY, DAY, POLICY.budget).reason == "over_budget"


def test_the_random_draw_is_seeded_per_inventory() -> None:
    first = [sampled(POLICY, DAY, f"E{i}") for i in range(5_000)]
    assert first == [sampled(POLICY, DAY, f"E{i}") for i in range(5_000)]
    other = LanePolicy(budget=250, seed=12)
    assert first != [sampled(other, DAY, f"E{i}") for i in range(5_000)]
    every = LanePolicy(budget=0, random_share=Decimal(1))
    assert lane_of(Candidate("E1", 0), every, DAY, 0).reason == "random"  # always drawn, even over budget
