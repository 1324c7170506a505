"""Lane selection (通道分流), pure: red / yellow / blue / green under a daily inspection budget, with a random share
of the green lane always sampled and credit multipliers applied where a credit level holds an inspection rate.

ASYCUDA's lanes (docs/risk.md, "Lanes"): **red** physical inspection (查验), **yellow** documentary check (审单),
**blue** released for post-clearance audit (后续稽查), **green** released (放行). For one business day:

1. Each decision's priority is its score times its credit multiplier: ``clamp(level_rate / reference_rate, floor,
   cap)`` where a credit-level measure (``cbec.supervision``, kind ``inspection``) holds a rate for one of its
   enterprises (the highest rate), else 1. With the zone's shipped levels (A 0.2 %, B 1 %, C 5 %, D 80 %) and the
   reference rate of B, an A enterprise's score counts a fifth (six-systems §2.4(d): ``mult(AEO) = 0.2``).
2. A priority at or above ``hold`` asks for red, at or above ``review`` yellow, above 0 blue, 0 green.
3. The random share: ``ceil(random_share × green)`` green decisions are drawn (seeded by the policy's seed and the
   day, so a rerun draws the same) and sent red — always, whatever the budget, so labels stay unbiased.
4. The rest of the budget goes to the red requests by priority (highest first, then E-port number); a red request
   beyond it goes yellow ("over budget").

No database and no clock: the caller gives the day's decisions and the policy.

``lane_of`` is the same selection **online**, one decision at a time, as the consumer decides inventories: the
random green sample is a seeded draw per inventory (``sampled``: a hash of seed, day and E-port number under the
share, so a rerun draws the same and the share holds in expectation rather than exactly), and a red request takes
the budget left that day when it comes (first come, not highest priority first). A lane becomes a supervision
measure on the inventory: red a hold, yellow and blue an inspection probability (``yellow_rate``, ``blue_rate``).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.risk.errors import RiskInvalid, problem

MIN_RANDOM_SHARE = Decimal("0.02")  # six-systems: a random ≥ 2 % of green is always sampled


class Lane(StrEnum):
    """Where a decided inventory goes."""

    RED = "red"  # 查验: physical inspection
    YELLOW = "yellow"  # 审单: documentary check
    BLUE = "blue"  # 放行后稽查: released, post-clearance audit
    GREEN = "green"  # 放行: released


@dataclass(frozen=True, slots=True)
class Candidate:
    """A decision of the day: its inventory, score, and the inspection rate its enterprises' credit level holds."""

    eport_no: str
    score: int
    level_rate: Decimal | None = None  # None: no credit level measure in force


@dataclass(frozen=True, slots=True)
class LanePolicy:
    """The day's budget and the selection's parameters."""

    budget: int  # physical inspections a day
    random_share: Decimal = MIN_RANDOM_SHARE
    seed: int = 0
    review: int = 40
    hold: int = 70
    reference_rate: Decimal = Decimal("0.01")  # the rate of an ordinary level: multiplier 1
    floor: Decimal = Decimal("0.2")
    cap: Decimal = Decimal("5")
    yellow_rate: Decimal = Decimal("0.3")  # inspection probability of a yellow inventory (online lanes)
    blue_rate: Decimal = Decimal("0.05")  # inspection probability of a blue inventory (online lanes)


@dataclass(frozen=True, slots=True)
class LaneDecision:
    """Where one inventory goes, why, and with what priority."""

    eport_no: str
    lane: Lane
    reason: str  # risk | over_budget | review | post_clearance | random | release
    priority: Decimal
    multiplier: Decimal


def check_policy(policy: LanePolicy) -> None:
    """Refuse a policy that breaks a rule (every problem listed)."""
    problems: list[Problem] = []
    if policy.budget < 0:
        problems.append(problem("RSK-LANES-BUDGET", "budget", "预算为负", "negative budget", "Give 0 or more."))
    if not MIN_RANDOM_SHARE <= policy.random_share <= 1:
        problems.append(
            problem(
                "RSK-LANES-RANDOM",
                "random_share",
                "随机抽取比例须在 2% 与 100% 之间",
                "the random share must lie in [0.02, 1]",
                "At least 2 % of the green lane is always sampled.",
            )
        )
    rates = (policy.yellow_rate, policy.blue_rate)
    if not (
        0 < policy.review <= policy.hold
        and policy.reference_rate > 0
        and 0 < policy.floor <= 1 <= policy.cap
        and all(0 <= rate <= 1 for rate in rates)
    ):
        problems.append(
            problem(
                "RSK-LANES-POLICY",
                "policy",
                "阈值或倍数无效",
                "thresholds or multipliers are invalid",
                "0 < review ≤ hold, reference rate > 0, 0 < floor ≤ 1 ≤ cap, lane rates in [0, 1].",
            )
        )
    if problems:
        raise RiskInvalid("bad lane policy", problems=problems)


def multiplier(policy: LanePolicy, level_rate: Decimal | None) -> Decimal:
    """Return the credit multiplier of a level's inspection rate (1 without one)."""
    if level_rate is None:
        return Decimal(1)
    return min(policy.cap, max(policy.floor, level_rate / policy.reference_rate)).quantize(
        Decimal("0.0001"), ROUND_HALF_UP
    )


def priority(policy: LanePolicy, candidate: Candidate) -> tuple[Decimal, Decimal]:
    """Return a candidate's priority (score × multiplier, to the cent) and its multiplier."""
    mult = multiplier(policy, candidate.level_rate)
    return (Decimal(candidate.score) * mult).quantize(Decimal("0.01"), ROUND_HALF_UP), mult


def sampled(policy: LanePolicy, day: date, eport_no: str) -> bool:
    """Tell whether the seeded draw of an inventory falls in the random share (the same on every rerun)."""
    digest = hashlib.sha256(f"{policy.seed}:{day.isoformat()}:{eport_no}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < policy.random_share


def lane_of(candidate: Candidate, policy: LanePolicy, day: date, red_used: int) -> LaneDecision:
    """Return one decision's lane online, given how many red lanes the day has used already."""
    p, mult = priority(policy, candidate)
    if p == 0:
        lane, reason = (Lane.RED, "random") if sampled(policy, day, candidate.eport_no) else (Lane.GREEN, "release")
    elif p >= policy.hold:
        lane, reason = (Lane.RED, "risk") if red_used < policy.budget else (Lane.YELLOW, "over_budget")
    elif p >= policy.review:
        lane, reason = Lane.YELLOW, "review"
    else:
        lane, reason = Lane.BLUE, "post_clearance"
    return LaneDecision(candidate.eport_no, lane, reason, p, mult)


def assign_lanes(candidates: Sequence[Candidate], policy: LanePolicy, day: date) -> list[LaneDecision]:
    """Return every candidate's lane for the day, in the candidates' order."""
    check_policy(policy)
    rated = [(c, *priority(policy, c)) for c in candidates]
    lanes: dict[str, tuple[Lane, str]] = {}
    green = sorted(c.eport_no for c, p, _ in rated if p == 0)
    draw = random.Random(f"{policy.seed}:{day.isoformat()}")
    sampled = draw.sample(green, math.ceil(policy.random_share * len(green))) if green else []
    for eport_no in sampled:
        lanes[eport_no] = (Lane.RED, "random")
    left = max(0, policy.budget - len(sampled))
    wanting = sorted(((p, c.eport_no) for c, p, _ in rated if p >= policy.hold), key=lambda x: (-x[0], x[1]))
    for n, (_, eport_no) in enumerate(wanting):
        lanes[eport_no] = (Lane.RED, "risk") if n < left else (Lane.YELLOW, "over_budget")
    out = []
    for c, p, mult in rated:
        lane, reason = lanes.get(c.eport_no) or (
            (Lane.YELLOW, "review")
            if p >= policy.review
            else (Lane.BLUE, "post_clearance")
            if p > 0
            else (Lane.GREEN, "release")
        )
        out.append(LaneDecision(c.eport_no, lane, reason, p, mult))
    return out
