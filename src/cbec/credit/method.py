"""The zone's rating method as published (评价方法公开), pure: derived from the ruleset in force, so that accredited
agencies can reproduce a level — dimensions, indicators (the ruleset's modifiers), their points, caps and weights,
the thresholds and the floors. Nothing here is written by hand: change the ruleset and the method follows.

A dimension groups the modifiers by the facts they read: customs tiers (海关信用), third-party evaluation (第三方评价),
the platform's own observations and confirmed reports (经营表现), and the remaining facts by severity (失信记录). Its
**weight** is its share of the largest effect all indicators can have, an indicator's largest effect being its cap,
or its points once when it has no cap; of the customs tiers only one holds at a time, so that dimension counts its
largest indicator only.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cbec.credit.rating import Condition, Modifier, Ruleset
from cbec.credit.rules import EXCLUSIVE_TYPES, FactType

DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("customs", "海关信用", "customs credit tier"),
    ("third_party", "第三方评价", "third-party evaluation"),
    ("conduct", "经营表现", "conduct on the platform, confirmed reports and risk cases"),
    ("dishonesty", "失信记录", "dishonesty record by severity"),
    ("other", "其他", "other facts"),
)
CONDUCT = frozenset(
    {
        FactType.CONSUMER_REPORT.value,
        FactType.PLATFORM_REFUSALS.value,
        FactType.PLATFORM_RETURNS.value,
        FactType.PLATFORM_LATE_SUMMARIES.value,
        FactType.RISK_CASE.value,
    }
)


def dimension_of(modifier: Modifier) -> str:
    """Return the dimension a modifier belongs to."""
    fact_type = modifier.when.fact_type
    if fact_type == FactType.CUSTOMS_TIER.value:
        return "customs"
    if fact_type == FactType.THIRD_PARTY_RATING.value:
        return "third_party"
    if fact_type in CONDUCT:
        return "conduct"
    if fact_type is None and modifier.when.severity is not None:
        return "dishonesty"
    return "other"


def _when(condition: Condition) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in ("fact_type", "severity", "tier", "list_type", "grade", "source"):
        value = getattr(condition, name)
        if value is not None:
            found[name] = value if isinstance(value, str) else sorted(value)
    return found


def _effect(modifier: Modifier) -> int:
    return modifier.cap if modifier.cap is not None else abs(modifier.points)


def method_document(ruleset: Ruleset, grade_levels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the published method of a ruleset (JSON-ready)."""
    grouped: dict[str, list[Modifier]] = {d: [] for d, _, _ in DIMENSIONS}
    for modifier in ruleset.modifiers:
        grouped[dimension_of(modifier)].append(modifier)
    effects: dict[str, int] = {}
    for dimension, modifiers in grouped.items():
        sizes = [_effect(m) for m in modifiers]
        exclusive = modifiers and all(m.when.fact_type in EXCLUSIVE_TYPES for m in modifiers)
        effects[dimension] = (max(sizes) if exclusive else sum(sizes)) if sizes else 0
    total = sum(effects.values()) or 1
    dimensions = []
    for dimension, zh, en in DIMENSIONS:
        if not grouped[dimension]:
            continue
        weight = (Decimal(effects[dimension]) / Decimal(total)).quantize(Decimal("0.001"), ROUND_HALF_UP)
        dimensions.append(
            {
                "id": dimension,
                "name_zh": zh,
                "name_en": en,
                "weight": str(weight),
                "largest_effect": effects[dimension],
                "indicators": [
                    {
                        "id": m.id,
                        "when": _when(m.when),
                        "points": m.points,
                        "per_unit": m.per_unit,
                        "cap": m.cap,
                    }
                    for m in grouped[dimension]
                ],
            }
        )
    return {
        "ruleset": f"{ruleset.code}@{ruleset.version}",
        "effective_from": ruleset.effective_from.isoformat(),
        "formula": "score = clamp(base + sum of the first matching indicator's points of each counting fact, "
        "minimum, maximum); level = first threshold reached; then floors (at_least, then at_most)",
        "base": ruleset.base,
        "minimum": ruleset.minimum,
        "maximum": ruleset.maximum,
        "levels": [{"level": level, "min_score": score} for level, score in ruleset.thresholds]
        + [{"level": ruleset.lowest, "min_score": None}],
        "dimensions": dimensions,
        "weight_basis": "a dimension's share of the largest effect of all indicators (an indicator's cap, else its "
        "points once; customs tiers: the largest only, one tier holds at a time)",
        "floors": [
            {
                "id": f.id,
                "bound": f.bound,
                "level": f.level,
                "when": _when(f.when),
                "unless_severity": sorted(f.unless_severity),
                "description": f.description,
            }
            for f in ruleset.floors
        ],
        "grade_levels": dict(grade_levels or {}),
        "counting": "a fact counts on day D when valid_from <= D < valid_to and D < the end of its publication "
        "window; indicators are tried in the order listed, the first match gives the points",
    }
