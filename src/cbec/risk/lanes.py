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
"""

from __future__ import annotations

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
    if not (0 < policy.review <= policy.hold and policy.reference_rate > 0 and 0 < policy.floor <= 1 <= policy.cap):
        problems.append(
            problem(
                "RSK-LANES-POLICY",
                "policy",
                "阈值或倍数无效",
                "thresholds or multipliers are invalid",
                "0 < review ≤ hold, reference rate > 0, 0 < floor ≤ 1 ≤ cap.",
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


def assign_lanes(candidates: Sequence[Candidate], policy: LanePolicy, day: date) -> list[LaneDecision]:
    """Return every candidate's lane for the day, in the candidates' order."""
    check_policy(policy)
    rated = []
    for c in candidates:
        mult = multiplier(policy, c.level_rate)
        rated.append((c, (Decimal(c.score) * mult).quantize(Decimal("0.01"), ROUND_HALF_UP), mult))
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
