"""Classified supervision by zone credit level (分类监管方案): the measures clearance applies to each level.

An effective-dated configuration document (kind ``supervision``): per level an inspection probability, optionally a
hold, and the facilitation or restriction measures — ``priority`` (first in the officers' queue), ``guarantee``
(``exempt`` or ``full``) and ``facilitation: false`` (no facilitation at all) — with the reason an officer reads on
the dossier. Publishing a rating writes these measures
into ``cbec.supervision`` for every rated enterprise; clearance reads them there as data (it never imports
credit). The shipped figures are the zone's own setting, not public rates (see data/PROVENANCE.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem


@dataclass(frozen=True, slots=True)
class LevelMeasures:
    """What one level asks of clearance."""

    inspection_rate: Decimal
    hold: bool
    reason_zh: str
    reason_en: str
    priority: bool = False
    guarantee: str | None = None  # GUARANTEES
    facilitation: bool = True  # False: NO_FACILITATION (removes priority and a guarantee exemption)


GUARANTEES = ("exempt", "full")


@dataclass(frozen=True, slots=True)
class SupervisionPlan:
    """Measures by level, in force from a day."""

    code: str
    version: str
    effective_from: date
    levels: Mapping[str, LevelMeasures]
    legal_basis: str

    @property
    def reference(self) -> str:
        """Return the plan's name as measures cite it."""
        return f"{self.code}@{self.version}"


def parse_supervision(doc: Mapping[str, Any]) -> tuple[SupervisionPlan | None, list[Problem]]:
    """Parse a supervision plan document; every problem is listed."""
    problems: list[Problem] = []
    try:
        effective_from = date.fromisoformat(str(doc.get("effective_from", "")))
    except ValueError:
        problems.append(
            problem("CRD-SUP-DATE", "effective_from", "生效日期无效", "effective_from is not a date", "Use YYYY-MM-DD.")
        )
        effective_from = date(2000, 1, 1)
    levels: dict[str, LevelMeasures] = {}
    raw_levels = doc.get("levels")
    if not isinstance(raw_levels, Mapping) or not raw_levels:
        problems.append(
            problem("CRD-SUP-LEVELS", "levels", "缺少等级措施", "levels are missing", "Give measures for every level.")
        )
        raw_levels = {}
    for level, raw in raw_levels.items():
        field = f"levels.{level}"
        try:
            rate = Decimal(str(raw.get("inspection_rate", "0")))
        except (InvalidOperation, AttributeError):
            rate = Decimal(-1)
        if not Decimal(0) <= rate <= Decimal(1):
            problems.append(
                problem(
                    "CRD-SUP-RATE",
                    f"{field}.inspection_rate",
                    f"查验率须在 0 与 1 之间：{raw.get('inspection_rate') if isinstance(raw, Mapping) else raw}",
                    "an inspection rate lies between 0 and 1",
                    'Give the probability as a decimal string, e.g. "0.05".',
                )
            )
            continue
        guarantee = raw.get("guarantee")
        if guarantee is not None and guarantee not in GUARANTEES:
            problems.append(
                problem(
                    "CRD-SUP-GUARANTEE",
                    f"{field}.guarantee",
                    f"担保要求无效：{guarantee}",
                    f"unknown guarantee {guarantee!r}",
                    'Use "exempt" (免除担保) or "full" (全额担保), or leave it out.',
                )
            )
            continue
        levels[str(level)] = LevelMeasures(
            rate,
            bool(raw.get("hold", False)),
            str(raw.get("reason_zh", "")),
            str(raw.get("reason_en", "")),
            priority=bool(raw.get("priority", False)),
            guarantee=guarantee,
            facilitation=bool(raw.get("facilitation", True)),
        )
    if problems:
        return None, problems
    plan = SupervisionPlan(
        str(doc.get("code") or "zone-supervision"),
        str(doc.get("version") or "1"),
        effective_from,
        levels,
        str(doc.get("legal_basis") or ""),
    )
    return plan, []
