"""Decision step (布控决策): release, manual review or inspection for an accepted inventory, import or export.

Rules are data: a random-selection rate for each outcome and optional value thresholds; then the supervision
measures in force on the inventory's subjects (written by credit and risk, applied here): a hold sends it to
manual review, and its enterprises' credit level sets an inspection probability drawn independently of the
zone's random selection, which no level escapes (分类监管). Pure: it reads only supervision's own rules, so both
document domains (import clearance and exports) decide through it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from cbec.supervision.rules import Guarantee, Measure, facilitation, holds, level_rate


class Outcome(StrEnum):
    """What the decision step does with an accepted inventory."""

    RELEASE = "release"
    REVIEW = "review"
    INSPECT = "inspect"


@dataclass(frozen=True, slots=True)
class InventoryFacts:
    """What the decision step may look at."""

    inventory_id: int
    trade_mode: str
    ecommerce_code: str
    platform_code: str
    dutiable_value: Decimal
    hs_codes: tuple[str, ...]
    buyer_key: str


@dataclass(frozen=True, slots=True)
class Decision:
    """An outcome and the reasons for it; with the facilitation measures' effect (priority in the officers' queue,
    the guarantee asked), whatever the outcome."""

    outcome: Outcome
    reasons: tuple[str, ...] = ()
    priority: bool = False
    guarantee: Guarantee | None = None
    notes: tuple[str, ...] = ()  # why priority, which guarantee, why no facilitation (for the dossier)


ExtraCheck = Callable[[InventoryFacts], Decision | None]


@dataclass(slots=True)
class DecisionPolicy:
    """Configurable selection: thresholds first, then extra checks, then random selection."""

    inspection_rate: float = 0.0
    review_rate: float = 0.0
    review_value_at_or_above: Decimal | None = None
    review_hs_prefixes: tuple[str, ...] = ()
    extra_checks: Sequence[ExtraCheck] = ()
    rng: random.Random = field(default_factory=random.Random)

    def decide(self, facts: InventoryFacts, measures: Sequence[Measure] = ()) -> Decision:
        """Return the outcome for one inventory, with the reasons an officer will see.

        ``measures`` are the supervision measures in force on its subjects. Without any the draws are exactly
        those of the random selection alone (one per inventory), so outcomes do not move when nothing is set.
        Facilitation measures never change the outcome or the draws: they set priority (an inventory held for an
        officer goes first in the queue) and the guarantee asked, with their notes.
        """
        decision = self._outcome(facts, measures)
        given = facilitation(measures)
        notes = given.notes()
        if not notes:
            return decision
        return replace(decision, priority=given.priority is not None, guarantee=given.guarantee, notes=notes)

    def _outcome(self, facts: InventoryFacts, measures: Sequence[Measure]) -> Decision:
        if self.review_value_at_or_above is not None and facts.dutiable_value >= self.review_value_at_or_above:
            return Decision(
                Outcome.REVIEW,
                (f"完税价格 {facts.dutiable_value} 达到人工审核阈值 {self.review_value_at_or_above}",),
            )
        flagged = [code for code in facts.hs_codes if code.startswith(self.review_hs_prefixes)]
        if self.review_hs_prefixes and flagged:
            return Decision(Outcome.REVIEW, (f"商品编码 {', '.join(flagged)} 属于重点审核类别",))
        held = holds(measures)
        if held:
            return Decision(
                Outcome.REVIEW, tuple(f"监管措施扣留 / hold ({m.source}, {m.reference}): {m.reason}" for m in held)
            )
        for check in self.extra_checks:
            decision = check(facts)
            if decision is not None:
                return decision
        draw = self.rng.random()
        if draw < self.inspection_rate:
            return Decision(Outcome.INSPECT, ("随机布控查验 / random selection for inspection",))
        if draw < self.inspection_rate + self.review_rate:
            return Decision(Outcome.REVIEW, ("随机抽中人工审核 / random selection for review",))
        rate, by = level_rate(measures)
        if by is not None and self.rng.random() < float(rate):
            return Decision(
                Outcome.INSPECT,
                (f"分类监管查验 / classified supervision: {by.reason} ({by.reference}, {format(rate * 100, 'f')} %)",),
            )
        return Decision(Outcome.RELEASE)
