"""Lanes in clearance (通道分流 → 监管措施): the consumer's lane of each assessed inventory as a supervision measure.

When a lane policy is set (``cbec.config`` ``risk_lane_*``; off without a budget), the consumer gives every
decision its lane online (``cbec.risk.lanes.lane_of``) right after assessing it: the priority is its score times
the credit multiplier of its enterprises' highest credit-level rate, the red lanes already used that business day
are counted once per batch (then kept), and the lane is stored in ``risk_lane``. An inventory whose facts still
wait for a decision (fact status ``waiting``) gets the lane as a supervision measure that clearance reads when it
decides it: **red** a hold (manual review, 300: the officer orders the physical inspection from the dossier),
**yellow** and **blue** an inspection probability (``yellow_rate``, ``blue_rate``), **green** none. An inventory
already released when risk decides it is not recalled: its lane is recorded (``applied`` false) for post-release
audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.config import Settings
from cbec.facts.queries import InventoryLine
from cbec.risk import repository as repo
from cbec.risk.lanes import Candidate, Lane, LaneDecision, LanePolicy, assign_lanes, check_policy, lane_of
from cbec.risk.models import RiskDecision, RiskLane
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, add_measure, level_rate, measures_in_force
from cbec.supervision import SubjectKind as MeasureSubject

WAITING = "waiting"  # cbec.facts.rules.FactStatus.WAITING: declared, not decided yet
NAMES = {
    Lane.RED: ("红色通道（查验）", "red lane (physical inspection)"),
    Lane.YELLOW: ("黄色通道（审单）", "yellow lane (documentary check)"),
    Lane.BLUE: ("蓝色通道（放行后稽查）", "blue lane (post-clearance audit)"),
}


def policy_of(settings: Settings) -> LanePolicy | None:
    """Return the zone's lane policy from the settings (None: lanes off, no budget set)."""
    if settings.risk_lane_budget is None:
        return None
    policy = LanePolicy(
        budget=settings.risk_lane_budget,
        random_share=settings.risk_lane_random_share,
        seed=settings.risk_lane_seed,
        yellow_rate=settings.risk_lane_yellow_rate,
        blue_rate=settings.risk_lane_blue_rate,
    )
    check_policy(policy)
    return policy


def measure_of(lane: LaneDecision, policy: LanePolicy) -> tuple[MeasureKind, Decimal | None] | None:
    """Return the supervision measure a lane asks for (None: green, or a lane rate of 0)."""
    if lane.lane is Lane.RED:
        return MeasureKind.HOLD, None
    rate = {Lane.YELLOW: policy.yellow_rate, Lane.BLUE: policy.blue_rate}.get(lane.lane)
    return (MeasureKind.INSPECTION, rate) if rate else None


@dataclass(slots=True)
class LaneKeeper:
    """Decides lanes for one batch of the consumer (inside its transaction)."""

    policy: LanePolicy
    now: datetime
    hold_days: int
    decided: dict[str, int] = field(default_factory=dict)  # lane -> count in this batch
    _red: dict[date, int] = field(default_factory=dict)  # red lanes used per business day

    def _red_used(self, session: Session, day: date) -> int:
        if day not in self._red:
            stmt = select(func.count()).where(RiskLane.business_day == day, RiskLane.lane == Lane.RED.value)
            self._red[day] = int(session.scalar(stmt.select_from(RiskLane)) or 0)
        return self._red[day]

    def decide(self, session: Session, decision: RiskDecision, first: InventoryLine) -> LaneDecision:
        """Give one assessed inventory its lane; write its measure when it is not released yet."""
        codes = sorted({*decision.parties, first.ecommerce_code} - {""})
        subjects = [(MeasureSubject.ENTERPRISE, code.upper()) for code in codes]
        found = measures_in_force(session, subjects, self.now)
        rated = [m for s in subjects for m in found.get(s, ()) if m.source == "credit"]
        rate, by = level_rate(rated)
        day = decision.business_day
        candidate = Candidate(decision.eport_no, decision.score, rate if by is not None else None)
        lane = lane_of(candidate, self.policy, day, self._red_used(session, day))
        if lane.lane is Lane.RED:
            self._red[day] += 1
        applied = first.status == WAITING
        session.add(
            RiskLane(
                eport_no=decision.eport_no,
                decision_id=decision.id,
                business_day=day,
                lane=lane.lane.value,
                reason=lane.reason,
                priority=lane.priority,
                multiplier=lane.multiplier,
                applied=applied,
                decided_at=self.now,
            )
        )
        self.decided[lane.lane.value] = self.decided.get(lane.lane.value, 0) + 1
        wanted = measure_of(lane, self.policy)
        if applied and wanted is not None:
            zh, en = NAMES[lane.lane]
            add_measure(
                session,
                source="risk",
                subject=(MeasureSubject.INVENTORY, decision.eport_no),
                spec=MeasureSpec(
                    wanted[0],
                    f"risk lane {lane.lane.value} {lane.reason} decision {decision.id}",
                    f"风险{zh}：{lane.reason}，优先级 {lane.priority} / risk {en}: {lane.reason}, priority "
                    f"{lane.priority}",
                    self.now,
                    self.now + timedelta(days=self.hold_days),
                    wanted[1],
                ),
                at=self.now,
                actor="risk",
            )
        return lane


def day_lanes(ctx: Context, day: date, policy: LanePolicy, *, scope: Scope | None = None) -> list[LaneDecision]:
    """Return the lanes of a business day's decisions under a policy (``cbec.risk.lanes``), read only.

    The credit multiplier of a decision comes from the highest inspection rate a credit-level measure in force now
    holds for one of its enterprises (its parties and its e-commerce enterprise). Nothing is written: this is the
    batch view of a day (exact random share, budget by priority); the consumer decides lanes online
    (``LaneKeeper``, above). Delivery decisions (R2.4, after release) are given no lane.
    """
    check_policy(policy)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        decisions = repo.of_day(uow.session, day, scope)
        codes = {d.id: sorted({*d.parties, *[d.subjects.get("enterprise") or ""]} - {""}) for d in decisions}
        subjects = sorted({(MeasureSubject.ENTERPRISE, c.upper()) for found in codes.values() for c in found})
        measures = measures_in_force(uow.session, subjects, now)
        candidates = []
        for d in decisions:
            rated = [
                m
                for c in codes[d.id]
                for m in measures.get((MeasureSubject.ENTERPRISE, c.upper()), ())
                if m.source == "credit"
            ]
            rate, measure = level_rate(rated)
            candidates.append(Candidate(d.eport_no, d.score, rate if measure is not None else None))
        uow.commit()
    return assign_lanes(candidates, policy, day)
