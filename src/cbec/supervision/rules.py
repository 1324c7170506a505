"""Pure rules of classified supervision (分类监管): which measures apply to an inventory and what they decide.

Inspection by credit level is a probability with an independent random sample beside it that no level escapes:
an inventory is inspected when the zone's random draw selects it (the base rate) or, when that draw selected it
for nothing, when a second, independent draw falls under its enterprises' highest level rate, so
P(inspect) = base + (1 − base − review) × level. A hold sends the inventory to manual review (300) whatever its
level, with every hold's reason on the officer's dossier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class SubjectKind(StrEnum):
    """Whom a measure is about."""

    ENTERPRISE = "enterprise"  # a customs code or a credit code (USCC), upper case
    BUYER = "buyer"  # a buyer's keyed hash (blind index), never the ID number
    INVENTORY = "inventory"  # one inventory by its E-port number


class MeasureKind(StrEnum):
    """What a measure asks clearance to do."""

    HOLD = "hold"  # manual review (人工审核) before release
    INSPECTION = "inspection"  # inspection probability (查验率) by credit level
    PRIORITY = "priority"  # facilitation: first in the officers' review and inspection queue (优先办理)
    GUARANTEE_EXEMPT = "guarantee_exempt"  # facilitation: no guarantee asked (免除担保)
    FULL_GUARANTEE = "full_guarantee"  # restriction: the full amount guaranteed (全额担保)
    NO_FACILITATION = "no_facilitation"  # restriction: no facilitation applies (不适用便利措施)


class Guarantee(StrEnum):
    """The guarantee an inventory's measures ask for (担保要求), recorded with its decision."""

    EXEMPT = "exempt"  # 免除担保
    FULL = "full"  # 全额担保


RATELESS = frozenset(MeasureKind) - {MeasureKind.INSPECTION}


SOURCES = frozenset({"credit", "credit_list", "risk", "risk_entity", "officer"})
# credit_list: joint punishment of list entries; risk_entity: risk's entity conditions (blocks, overrides)


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure as clearance reads it."""

    subject_kind: SubjectKind
    subject_key: str
    kind: MeasureKind
    rate: Decimal | None
    source: str
    reference: str
    reason: str
    valid_from: datetime
    valid_until: datetime | None

    def in_force(self, at: datetime) -> bool:
        """Tell whether the measure applies at a moment."""
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


Subject = tuple[SubjectKind, str]


def subjects_of(
    enterprise_codes: Iterable[str | None], buyer_key: str | None, eport_no: str | None
) -> tuple[Subject, ...]:
    """Return the subjects an inventory is about: its enterprises, its buyer and itself."""
    found: list[Subject] = [(SubjectKind.ENTERPRISE, c.strip().upper()) for c in enterprise_codes if c and c.strip()]
    if buyer_key:
        found.append((SubjectKind.BUYER, buyer_key))
    if eport_no:
        found.append((SubjectKind.INVENTORY, eport_no))
    return tuple(dict.fromkeys(found))


def applying(measures: Mapping[Subject, Sequence[Measure]], subjects: Iterable[Subject], at: datetime) -> list[Measure]:
    """Return the measures in force at a moment on any of the subjects, in a stable order."""
    found = [m for s in subjects for m in measures.get(s, ()) if m.in_force(at)]
    return sorted(found, key=lambda m: (m.kind, m.source, m.subject_kind, m.subject_key, m.valid_from, m.reference))


def holds(measures: Sequence[Measure]) -> list[Measure]:
    """Return the holds among measures."""
    return [m for m in measures if m.kind == MeasureKind.HOLD]


def level_rate(measures: Sequence[Measure]) -> tuple[Decimal, Measure | None]:
    """Return the highest inspection probability among the measures and the measure that sets it (0 and None)."""
    best: Measure | None = None
    for measure in measures:
        rated = measure.kind == MeasureKind.INSPECTION and measure.rate is not None
        if rated and (best is None or (measure.rate or Decimal(0)) > (best.rate or Decimal(0))):
            best = measure
    return (best.rate or Decimal(0), best) if best is not None else (Decimal(0), None)


@dataclass(frozen=True, slots=True)
class Facilitation:
    """What facilitation and restriction measures give an inventory: priority and the guarantee asked, with the
    measures that decided them (for the reasons on the dossier)."""

    priority: Measure | None = None
    guarantee: Guarantee | None = None
    guarantee_by: Measure | None = None
    withheld_by: Measure | None = None  # a NO_FACILITATION measure that removed priority or a guarantee exemption

    def notes(self) -> tuple[str, ...]:
        """Return the lines the officer and the enterprise read: why first in the queue, which guarantee, why none."""
        found: list[str] = []
        if self.priority is not None:
            found.append(f"优先办理 / priority ({self.priority.reference}): {self.priority.reason}")
        if self.guarantee is Guarantee.FULL and self.guarantee_by is not None:
            by = self.guarantee_by
            found.append(f"全额担保 / full guarantee ({by.reference}): {by.reason}")
        elif self.guarantee is Guarantee.EXEMPT and self.guarantee_by is not None:
            by = self.guarantee_by
            found.append(f"免除担保 / guarantee exempt ({by.reference}): {by.reason}")
        if self.withheld_by is not None:
            by = self.withheld_by
            found.append(f"不适用便利措施 / no facilitation ({by.reference}): {by.reason}")
        return tuple(found)


def facilitation(measures: Sequence[Measure]) -> Facilitation:
    """Return the priority and guarantee the measures give: NO_FACILITATION removes priority and a guarantee
    exemption; a FULL_GUARANTEE wins over an exemption (the restriction always wins)."""
    first: dict[MeasureKind, Measure] = {}
    for measure in measures:
        first.setdefault(measure.kind, measure)
    withheld = first.get(MeasureKind.NO_FACILITATION)
    priority = None if withheld is not None else first.get(MeasureKind.PRIORITY)
    full, exempt = first.get(MeasureKind.FULL_GUARANTEE), first.get(MeasureKind.GUARANTEE_EXEMPT)
    if full is not None:
        guarantee, by = Guarantee.FULL, full
    elif exempt is not None and withheld is None:
        guarantee, by = Guarantee.EXEMPT, exempt
    else:
        guarantee, by = None, None
    return Facilitation(priority, guarantee, by, withheld)


def inspection_probability(base: Decimal, level: Decimal, review: Decimal = Decimal(0)) -> Decimal:
    """Return P(inspect) of the two independent draws: base + (1 − base − review) × level."""
    return base + (Decimal(1) - base - review) * level
