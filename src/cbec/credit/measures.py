"""Measure catalogues of the negative lists (名单惩戒措施目录) and joint punishment (联合惩戒): pure rules.

An effective-dated configuration document (kind ``lists``) gives, per list type, its name, legal basis, whether it
is a serious list (严重失信主体名单) and its measures: each with a code, a scope — ``own`` (the listing
department's) or ``joint`` (another department's: 联合惩戒) — the department that applies it, its text and legal
basis, and optionally what it asks of clearance (a hold, or an inspection probability). **Only serious-list entries
trigger joint measures** (国办发〔2020〕49号): an entry gets the joint measures when its list is serious *and* the
entry's own severity is serious; every entry gets its list's own measures. See docs/credit.md "Negative lists".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem
from cbec.credit.rules import ListType, Severity


class MeasureScope(StrEnum):
    """Whose measure it is."""

    OWN = "own"  # the listing department's own measure
    JOINT = "joint"  # another department's (cross-department, 联合惩戒): serious lists only


class ClearanceEffect(StrEnum):
    """What a measure asks of clearance (written as supervision measures clearance reads as data)."""

    HOLD = "hold"
    INSPECTION = "inspection"
    NO_FACILITATION = "no_facilitation"  # no priority, no guarantee exemption
    FULL_GUARANTEE = "full_guarantee"  # the full guarantee recorded on each inventory's decision


SUBJECTS = ("enterprise", "person")  # whom a measure applies to (a person: as the buyer of inventories)


class LiftCause(StrEnum):
    """Why applied measures were lifted (解除)."""

    REPAIRED = "repaired"  # a repair was approved (信用修复)
    WITHDRAWN = "withdrawn"  # the entry was withdrawn (an upheld objection, an agency's withdrawal)
    CORRECTED = "corrected"  # the entry was corrected by a new row (its measures follow the new row)
    ENDED = "ended"  # the entry's validity or publication ended


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a list's catalogue."""

    code: str
    scope: MeasureScope
    department: str
    zh: str
    en: str
    legal_basis: str
    verified: str
    clearance: ClearanceEffect | None = None
    rate: Decimal | None = None  # an inspection probability, for ``clearance == inspection``
    subjects: tuple[str, ...] = ("enterprise",)  # SUBJECTS it applies to


@dataclass(frozen=True, slots=True)
class ListCatalogue:
    """A list type with its legal basis and measures."""

    list_type: str
    name_zh: str
    name_en: str
    department: str
    serious: bool
    legal_basis: str
    verified: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The measure catalogues of every list type, in force from a day."""

    code: str
    version: str
    effective_from: date
    legal_basis: str
    lists: Mapping[str, ListCatalogue]

    @property
    def reference(self) -> str:
        """Return the catalogue's name as applied measures cite it."""
        return f"{self.code}@{self.version}"


def measures_for(
    catalogue: Catalogue, list_type: str | None, severity: str, subject: str = "enterprise"
) -> tuple[Measure, ...]:
    """Return the measures a list entry about a subject kind (enterprise or person) triggers: its list's own
    measures, and the joint ones only when the list is a serious list and the entry itself is serious; of those, the
    ones that apply to that kind of subject. A list type the catalogue does not know triggers nothing."""
    found = catalogue.lists.get(list_type or "")
    if found is None:
        return ()
    joint = found.serious and severity == Severity.SERIOUS.value
    return tuple(m for m in found.measures if (m.scope is MeasureScope.OWN or joint) and subject in m.subjects)


def lift_cause(*, retracted: bool, repaired: bool, still_counts: bool) -> LiftCause:
    """Return why an entry's measures are lifted: a repair or a withdrawal first, else a correction (the successor
    still counts), else the end of its validity or publication."""
    if repaired:
        return LiftCause.REPAIRED
    if retracted:
        return LiftCause.WITHDRAWN
    return LiftCause.CORRECTED if still_counts else LiftCause.ENDED


def _bad(field: str, zh: str, en: str, hint: str) -> Problem:
    return problem("CRD-LISTS", field, zh, en, hint)


def _measure(raw: Any, field: str, problems: list[Problem]) -> Measure | None:
    if not isinstance(raw, Mapping):
        problems.append(_bad(field, "措施格式错误", "a measure is an object", "Give code, scope, department, zh, en."))
        return None
    code = str(raw.get("code") or "").strip()
    if not code or len(code) > 40:
        problems.append(_bad(f"{field}.code", "措施代码无效", "a measure needs a code (≤ 40)", "e.g. JNT-INSPECT."))
    try:
        scope = MeasureScope(str(raw.get("scope", "")))
    except ValueError:
        problems.append(_bad(f"{field}.scope", "措施范围无效", "scope is own or joint", "Use own or joint."))
        return None
    if not str(raw.get("legal_basis") or "").strip():
        problems.append(
            _bad(f"{field}.legal_basis", "缺少法律依据", "a measure needs its legal basis", "Name the instrument.")
        )
    effect: ClearanceEffect | None = None
    rate: Decimal | None = None
    clearance = raw.get("clearance")
    if clearance is not None:
        try:
            effect = ClearanceEffect(str(clearance.get("kind", "")))
        except (ValueError, AttributeError):
            problems.append(_bad(f"{field}.clearance", "通关效果无效", "kind is hold or inspection", "Fix kind."))
        if effect is ClearanceEffect.INSPECTION:
            try:
                rate = Decimal(str(clearance.get("rate")))
            except InvalidOperation:
                rate = Decimal(-1)
            if not Decimal(0) < rate <= Decimal(1):
                problems.append(
                    _bad(f"{field}.clearance.rate", "查验率须在 0 与 1 之间", "a rate lies in (0, 1]", 'e.g. "0.8".')
                )
    subjects = raw.get("subjects", ["enterprise"])
    if not isinstance(subjects, list) or not subjects or any(x not in SUBJECTS for x in subjects):
        problems.append(
            _bad(f"{field}.subjects", "适用主体无效", "subjects are enterprise and/or person", '["person"].')
        )
        subjects = ["enterprise"]
    return Measure(
        code,
        scope,
        str(raw.get("department") or ""),
        str(raw.get("zh") or ""),
        str(raw.get("en") or ""),
        str(raw.get("legal_basis") or ""),
        str(raw.get("verified") or "design"),
        effect,
        rate,
        tuple(dict.fromkeys(str(x) for x in subjects)),
    )


def parse_lists(doc: Mapping[str, Any]) -> tuple[Catalogue | None, list[Problem]]:
    """Parse a measure-catalogue document (kind ``lists``); every problem is listed."""
    problems: list[Problem] = []
    try:
        effective_from = date.fromisoformat(str(doc.get("effective_from", "")))
    except ValueError:
        problems.append(_bad("effective_from", "生效日期无效", "effective_from is not a date", "Use YYYY-MM-DD."))
        effective_from = date(2000, 1, 1)
    raw_lists = doc.get("lists")
    if not isinstance(raw_lists, Mapping) or not raw_lists:
        problems.append(_bad("lists", "缺少名单", "lists are missing", "Give a catalogue per list type."))
        raw_lists = {}
    lists: dict[str, ListCatalogue] = {}
    known = {t.value for t in ListType}
    for list_type, raw in raw_lists.items():
        field = f"lists.{list_type}"
        if list_type not in known or not isinstance(raw, Mapping):
            problems.append(
                _bad(field, f"未知名单类型 {list_type}", f"unknown list type {list_type}", ", ".join(sorted(known)))
            )
            continue
        measures = [_measure(m, f"{field}.measures[{i}]", problems) for i, m in enumerate(raw.get("measures") or [])]
        codes = [m.code for m in measures if m is not None]
        if len(set(codes)) != len(codes):
            problems.append(_bad(f"{field}.measures", "措施代码重复", "measure codes repeat", "One code once."))
        serious = bool(raw.get("serious", False))
        if not serious and any(m is not None and m.scope is MeasureScope.JOINT for m in measures):
            problems.append(
                _bad(
                    f"{field}.serious",
                    "非严重失信名单不得设联合惩戒措施",
                    "only serious lists carry joint measures",
                    "Make the measure own, or the list serious.",
                )
            )
        lists[list_type] = ListCatalogue(
            list_type,
            str(raw.get("name_zh") or list_type),
            str(raw.get("name_en") or list_type),
            str(raw.get("department") or ""),
            serious,
            str(raw.get("legal_basis") or ""),
            str(raw.get("verified") or "design"),
            tuple(m for m in measures if m is not None),
        )
    if problems:
        return None, problems
    return Catalogue(
        str(doc.get("code") or "zone-lists"),
        str(doc.get("version") or "1"),
        effective_from,
        str(doc.get("legal_basis") or ""),
        lists,
    ), []
