"""The zone's credit rating (综试区信用评级), explainable and pure: facts and a ruleset in, a level and its reasons out.

``score = clamp(base + Σ modifiers of the facts counting on the day)``; the level is the first threshold the score
reaches (A ≥ 90, B ≥ 75, C ≥ 60, else D in the shipped ruleset); then the floors: ``at_least`` floors lift the
level (customs 高级认证 with no active negative → at least B), ``at_most`` floors cap it (customs 失信 or unpaid tax
→ at most C; a serious-list entry → D), caps applied last so that a hard negative always wins. An override in
force replaces the level and says who, why and until when. Every result lists each counting fact with its
modifier and every floor that matched. The ruleset is data (schemes.py loads it); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem
from cbec.credit.rules import EXCLUSIVE_TYPES, NEGATIVE, FactType, Severity, counts_on


@dataclass(frozen=True, slots=True)
class FactView:
    """What the rating needs of a recorded fact."""

    id: int
    fact_type: str
    severity: str
    source: str
    decided_on: date
    valid_from: date
    valid_to: date | None
    publish_max_until: date | None
    tier: str | None = None
    grade: str | None = None
    list_type: str | None = None
    quantity: int = 1
    document_no: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """Which facts a modifier or floor applies to: every given attribute must match (None: any)."""

    fact_type: str | None = None
    severity: frozenset[str] | None = None
    tier: frozenset[str] | None = None
    list_type: frozenset[str] | None = None
    grade: frozenset[str] | None = None
    source: frozenset[str] | None = None

    def matches(self, fact: FactView) -> bool:
        """Tell whether a fact meets the condition."""
        return (
            (self.fact_type is None or fact.fact_type == self.fact_type)
            and (self.severity is None or fact.severity in self.severity)
            and (self.tier is None or fact.tier in self.tier)
            and (self.list_type is None or fact.list_type in self.list_type)
            and (self.grade is None or fact.grade in self.grade)
            and (self.source is None or fact.source in self.source)
        )


@dataclass(frozen=True, slots=True)
class Modifier:
    """Points a matching fact adds (negative: takes); ``per_unit`` multiplies by the fact's quantity; ``cap`` bounds
    the total of this modifier over all counting facts (by absolute value)."""

    id: str
    when: Condition
    points: int
    per_unit: bool = False
    cap: int | None = None


@dataclass(frozen=True, slots=True)
class Floor:
    """A hard rule: when a counting fact matches, the level is at least / at most ``level``.

    ``unless_severity``: the floor does not apply while any counting fact has one of these severities.
    """

    id: str
    bound: str  # "at_least" | "at_most"
    level: str
    when: Condition
    unless_severity: frozenset[str] = frozenset()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Ruleset:
    """A versioned rating ruleset (评级规则集)."""

    code: str
    version: str
    effective_from: date
    base: int
    minimum: int
    maximum: int
    thresholds: tuple[tuple[str, int], ...]  # (level, lowest score), best level first
    lowest: str
    modifiers: tuple[Modifier, ...]
    floors: tuple[Floor, ...]

    @property
    def levels(self) -> tuple[str, ...]:
        """Return the levels, best first."""
        return (*(level for level, _ in self.thresholds), self.lowest)

    def level_of(self, score: int) -> str:
        """Return the level a score reaches."""
        return next((level for level, lowest in self.thresholds if score >= lowest), self.lowest)


@dataclass(frozen=True, slots=True)
class Override:
    """A level set by an officer (人工调整), with who, why and until when (exclusive)."""

    id: int
    level: str
    reason: str
    actor: str
    valid_from: date
    valid_until: date

    def in_force(self, on: date) -> bool:
        """Tell whether the override holds on a day."""
        return self.valid_from <= on < self.valid_until


@dataclass(frozen=True, slots=True)
class Contribution:
    """One counting fact and what it did to the score."""

    fact_id: int
    fact_type: str
    severity: str
    modifier: str | None  # the modifier's id, None when no modifier matched
    points: int  # before the modifier's cap
    counted: int  # after the cap


@dataclass(frozen=True, slots=True)
class FloorApplied:
    """A floor whose condition held: its bound, level, the facts that triggered it, and whether it moved the level."""

    id: str
    bound: str
    level: str
    fact_ids: tuple[int, ...]
    changed: bool
    description: str


@dataclass(frozen=True, slots=True)
class Rating:
    """A subject's level on a day and why."""

    on: date
    ruleset: str  # code@version
    score: int
    level: str
    computed_level: str  # before an override
    score_level: str  # before floors and override
    contributions: tuple[Contribution, ...]
    floors: tuple[FloorApplied, ...]
    override: Override | None = None
    facts_counted: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


def active_facts(facts: Iterable[FactView], on: date) -> list[FactView]:
    """Return the facts that count on a day; of exclusive types (the customs tier) only the latest one."""
    counting = [f for f in facts if counts_on(f.valid_from, f.valid_to, f.publish_max_until, on)]
    latest: dict[str, FactView] = {}
    for fact in counting:
        if fact.fact_type in EXCLUSIVE_TYPES:
            held = latest.get(fact.fact_type)
            if held is None or (fact.valid_from, fact.id) > (held.valid_from, held.id):
                latest[fact.fact_type] = fact
    kept = [f for f in counting if f.fact_type not in EXCLUSIVE_TYPES or latest[f.fact_type] is f]
    return sorted(kept, key=lambda f: (f.decided_on, f.id))


def _worse(ruleset: Ruleset, a: str, b: str) -> str:
    order = ruleset.levels
    return a if order.index(a) >= order.index(b) else b


def _better(ruleset: Ruleset, a: str, b: str) -> str:
    order = ruleset.levels
    return a if order.index(a) <= order.index(b) else b


def rate(facts: Sequence[FactView], ruleset: Ruleset, on: date, overrides: Sequence[Override] = ()) -> Rating:
    """Rate a subject on a day from its recorded facts (already as known at the time asked)."""
    counting = active_facts(facts, on)
    used: dict[str, int] = {}
    contributions: list[Contribution] = []
    for fact in counting:
        modifier = next((m for m in ruleset.modifiers if m.when.matches(fact)), None)
        if modifier is None:
            contributions.append(Contribution(fact.id, fact.fact_type, fact.severity, None, 0, 0))
            continue
        points = modifier.points * (fact.quantity if modifier.per_unit else 1)
        counted = points
        if modifier.cap is not None:
            room = modifier.cap - abs(used.get(modifier.id, 0))
            counted = max(-room, min(room, points)) if room > 0 else 0
        used[modifier.id] = used.get(modifier.id, 0) + counted
        contributions.append(Contribution(fact.id, fact.fact_type, fact.severity, modifier.id, points, counted))
    raw = ruleset.base + sum(c.counted for c in contributions)
    score = max(ruleset.minimum, min(ruleset.maximum, raw))
    score_level = level = ruleset.level_of(score)
    applied: list[FloorApplied] = []
    severities = {f.severity for f in counting}
    for bound in ("at_least", "at_most"):
        for floor in (f for f in ruleset.floors if f.bound == bound):
            hits = tuple(f.id for f in counting if floor.when.matches(f))
            if not hits or severities & floor.unless_severity:
                continue
            moved = _better(ruleset, level, floor.level) if bound == "at_least" else _worse(ruleset, level, floor.level)
            applied.append(FloorApplied(floor.id, bound, floor.level, hits, moved != level, floor.description))
            level = moved
    in_force = [o for o in overrides if o.in_force(on)]
    override = max(in_force, key=lambda o: o.id, default=None)
    return Rating(
        on=on,
        ruleset=f"{ruleset.code}@{ruleset.version}",
        score=score,
        level=override.level if override else level,
        computed_level=level,
        score_level=score_level,
        contributions=tuple(contributions),
        floors=tuple(applied),
        override=override,
        facts_counted=len(counting),
    )


# --- the ruleset document --------------------------------------------------------------------------------------


def _set(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(str(v) for v in (value if isinstance(value, list | tuple) else [value]))


def _condition(doc: Mapping[str, Any]) -> Condition:
    known = {"fact_type", "severity", "tier", "list_type", "grade", "source"}
    unknown = set(doc) - known
    if unknown:
        raise ValueError(f"unknown condition keys {sorted(unknown)}")
    fact_type = doc.get("fact_type")
    if fact_type is not None:
        FactType(fact_type)
    severity = _set(doc.get("severity"))
    for s in severity or ():
        Severity(s)
    return Condition(
        fact_type,
        severity,
        _set(doc.get("tier")),
        _set(doc.get("list_type")),
        _set(doc.get("grade")),
        _set(doc.get("source")),
    )


def parse_ruleset(doc: Mapping[str, Any]) -> tuple[Ruleset | None, list[Problem]]:
    """Return a ruleset of its JSON document, type-checked (levels ordered, conditions known), or every problem."""
    problems: list[Problem] = []

    def bad(where: str, zh: str, en: str, hint: str) -> None:
        problems.append(problem("CRD-RULESET", where, zh, en, hint))

    try:
        thresholds = tuple((str(t["level"]), int(t["min_score"])) for t in doc["thresholds"])
        lowest = str(doc["lowest"])
        start = date.fromisoformat(str(doc["effective_from"]))
        base, minimum, maximum = int(doc.get("base", 100)), int(doc.get("minimum", 0)), int(doc.get("maximum", 120))
        code, version = str(doc["code"]), str(doc["version"])
    except (KeyError, ValueError, TypeError) as exc:
        bad(
            "ruleset",
            f"规则集不完整: {exc}",
            f"incomplete ruleset: {exc}",
            "Give code, version, effective_from, thresholds [{level, min_score}] and lowest.",
        )
        return None, problems
    scores = [s for _, s in thresholds]
    levels = [*(lv for lv, _ in thresholds), lowest]
    if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
        bad("thresholds", "阈值须严格递减", "thresholds must be strictly decreasing", "Best level first.")
    if len(set(levels)) != len(levels):
        bad("thresholds", "等级重复", "levels repeat", "Name each level once.")
    if not minimum <= base <= maximum:
        bad("base", "基础分须在最低与最高分之间", "base must lie between minimum and maximum", "E.g. 0 ≤ 100 ≤ 120.")
    modifiers: list[Modifier] = []
    for i, m in enumerate(doc.get("modifiers") or []):
        try:
            cap = m.get("cap")
            modifiers.append(
                Modifier(
                    str(m["id"]),
                    _condition(m.get("when") or {}),
                    int(m["points"]),
                    bool(m.get("per_unit", False)),
                    None if cap is None else abs(int(cap)),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            bad(f"modifiers[{i}]", f"调整项无效: {exc}", f"bad modifier: {exc}", "id, when, points[, per_unit, cap].")
    floors: list[Floor] = []
    for i, f in enumerate(doc.get("floors") or []):
        try:
            floor = Floor(
                str(f["id"]),
                str(f["bound"]),
                str(f["level"]),
                _condition(f.get("when") or {}),
                _set(f.get("unless_severity")) or frozenset(),
                str(f.get("description") or ""),
            )
            if floor.bound not in ("at_least", "at_most") or floor.level not in levels:
                raise ValueError(f"bound {floor.bound!r} or level {floor.level!r} unknown")
            floors.append(floor)
        except (KeyError, ValueError, TypeError) as exc:
            bad(f"floors[{i}]", f"底线规则无效: {exc}", f"bad floor: {exc}", "id, bound at_least|at_most, level, when.")
    ids = [m.id for m in modifiers] + [f.id for f in floors]
    if len(set(ids)) != len(ids):
        bad("modifiers", "规则编号重复", "rule ids repeat", "Give each modifier and floor its own id.")
    if problems:
        return None, problems
    return Ruleset(
        code, version, start, base, minimum, maximum, thresholds, lowest, tuple(modifiers), tuple(floors)
    ), []


NEGATIVE_VALUES = frozenset(s.value for s in NEGATIVE)
