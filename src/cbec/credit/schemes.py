"""Credit schemes as data (信用等级方案): customs tiers, their measures, disclosure windows, rating rulesets.

Everything here is effective-dated configuration read from documents: the files shipped under
``cbec/credit/data`` (see its PROVENANCE.md) or a zone's own, loaded into the ``credit_config`` table by
``cbec credit seed`` / ``load_configuration``. The change from Decree 251 to Decree 282 on 2026-04-01 is two
scheme documents with adjacent dates, not code. Parsing is pure: a document becomes dataclasses or problems.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem
from cbec.credit.measures import Catalogue, parse_lists
from cbec.credit.rating import Ruleset, parse_ruleset
from cbec.credit.repair import ObjectionPolicy, parse_objection
from cbec.credit.rules import FactType, Severity, Source
from cbec.credit.supervision import SupervisionPlan, parse_supervision
from cbec.credit.thirdparty import AgencyList, parse_agencies


class ConfigKind:
    """Kinds of configuration documents."""

    SCHEME = "scheme"
    WINDOWS = "windows"
    RULESET = "ruleset"
    SUPERVISION = "supervision"
    OBJECTION = "objection"
    LISTS = "lists"  # measure catalogues of the negative lists (cbec.credit.measures)
    AGENCIES = "agencies"  # accredited third-party agencies and their certificates (cbec.credit.thirdparty)
    ALL = ("scheme", "windows", "ruleset", "supervision", "objection", "lists", "agencies")


@dataclass(frozen=True, slots=True)
class Tier:
    """One customs credit tier of a scheme, with its measures and inspection effect (None: not public)."""

    code: str
    name_zh: str
    rank: int  # 1 = best
    severity: Severity
    inspection: Mapping[str, Any]
    measures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scheme:
    """A customs credit scheme (Decree 251, Decree 282 …) in force from ``effective_from`` until ``effective_to``."""

    code: str
    name: str
    effective_from: date
    effective_to: date | None
    legal_basis: str
    tiers: tuple[Tier, ...]

    def tier(self, code: str) -> Tier | None:
        """Return the tier with that code, or None."""
        return next((t for t in self.tiers if t.code == code), None)


@dataclass(frozen=True, slots=True)
class WindowRule:
    """Disclosure window of facts of one (source, type, severity): minimum and maximum months from the decision.

    ``source`` / ``fact_type`` of ``*`` match any; ``max_months`` None: not limited by a publication window (the
    fact lasts until its valid_to, e.g. a customs tier until the next one).
    """

    source: str
    fact_type: str
    severity: str
    min_months: int
    max_months: int | None
    effective_from: date
    effective_to: date | None
    legal_basis: str
    verified: bool

    def matches(self, source: str, fact_type: str, severity: str, on: date) -> bool:
        """Tell whether the rule covers a fact decided on a day."""
        return (
            self.source in ("*", source)
            and self.fact_type in ("*", fact_type)
            and self.severity == severity
            and self.effective_from <= on
            and (self.effective_to is None or on < self.effective_to)
        )

    @property
    def specificity(self) -> int:
        """More specific rules win: source and type named (3), type (2), source (1), neither (0)."""
        return (2 if self.fact_type != "*" else 0) + (1 if self.source != "*" else 0)


@dataclass(frozen=True, slots=True)
class Configuration:
    """Every configuration document in force at some date: schemes, windows, rulesets."""

    schemes: tuple[Scheme, ...] = ()
    windows: tuple[WindowRule, ...] = ()
    rulesets: tuple[Ruleset, ...] = field(default=())
    supervision: tuple[SupervisionPlan, ...] = field(default=())
    objection: tuple[ObjectionPolicy, ...] = field(default=())
    lists: tuple[Catalogue, ...] = field(default=())

    def lists_on(self, on: date) -> Catalogue | None:
        """Return the negative lists' measure catalogue in force on a day (the latest effective_from not after it)."""
        found = [c for c in self.lists if c.effective_from <= on]
        return max(found, key=lambda c: (c.effective_from, c.version), default=None)

    agencies: tuple[AgencyList, ...] = field(default=())

    def agencies_on(self, on: date) -> AgencyList | None:
        """Return the accredited agency list in force on a day (the latest effective_from not after it)."""
        found = [a for a in self.agencies if a.effective_from <= on]
        return max(found, key=lambda a: (a.effective_from, a.version), default=None)

    def objection_on(self, on: date) -> ObjectionPolicy | None:
        """Return the objection deadlines in force on a day (the latest effective_from not after it)."""
        found = [p for p in self.objection if p.effective_from <= on]
        return max(found, key=lambda p: (p.effective_from, p.version), default=None)

    def scheme_on(self, on: date) -> Scheme | None:
        """Return the customs scheme in force on a day."""
        found = [s for s in self.schemes if s.effective_from <= on and (s.effective_to is None or on < s.effective_to)]
        return max(found, key=lambda s: s.effective_from, default=None)

    def window_for(self, source: str, fact_type: str, severity: str, decided_on: date) -> WindowRule | None:
        """Return the most specific disclosure window for a fact decided on a day."""
        found = [w for w in self.windows if w.matches(source, fact_type, severity, decided_on)]
        return max(found, key=lambda w: (w.specificity, w.effective_from), default=None)

    def supervision_on(self, on: date) -> SupervisionPlan | None:
        """Return the classified-supervision plan in force on a day (the latest effective_from not after it)."""
        found = [p for p in self.supervision if p.effective_from <= on]
        return max(found, key=lambda p: (p.effective_from, p.version), default=None)

    def ruleset_on(self, on: date) -> Ruleset | None:
        """Return the rating ruleset in force on a day (the latest effective_from not after it)."""
        found = [r for r in self.rulesets if r.effective_from <= on]
        return max(found, key=lambda r: (r.effective_from, r.version), default=None)


# --- parsing -------------------------------------------------------------------------------------------------


def _day(value: Any, name: str, problems: list[Problem], rule: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(problem(rule, name, f"日期格式错误: {value}", f"not a date: {value!r}", "Give YYYY-MM-DD."))
        return None


def parse_scheme(doc: Mapping[str, Any]) -> tuple[Scheme | None, list[Problem]]:
    """Return a scheme of a JSON document, or every problem in it."""
    problems: list[Problem] = []
    start = _day(doc.get("effective_from"), "effective_from", problems, "CRD-SCHEME")
    end = _day(doc.get("effective_to"), "effective_to", problems, "CRD-SCHEME")
    tiers: list[Tier] = []
    for i, t in enumerate(doc.get("tiers") or []):
        try:
            tiers.append(
                Tier(
                    code=str(t["code"]),
                    name_zh=str(t["name_zh"]),
                    rank=int(t["rank"]),
                    severity=Severity(t["severity"]),
                    inspection=dict(t.get("inspection") or {}),
                    measures=tuple(str(m) for m in t.get("measures") or ()),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            problems.append(
                problem(
                    "CRD-SCHEME",
                    f"tiers[{i}]",
                    f"等级定义不完整: {exc}",
                    f"bad tier: {exc}",
                    "Each tier needs code, name_zh, rank and severity.",
                )
            )
    if not tiers:
        problems.append(problem("CRD-SCHEME", "tiers", "方案没有等级", "a scheme needs tiers", "List its tiers."))
    if not doc.get("code") or start is None:
        problems.append(
            problem(
                "CRD-SCHEME",
                "code",
                "方案缺少代码或生效日期",
                "a scheme needs code and effective_from",
                "Name the scheme (e.g. GACC-282) and its first day.",
            )
        )
    if problems or start is None:
        return None, problems
    scheme = Scheme(
        str(doc["code"]),
        str(doc.get("name") or doc["code"]),
        start,
        end,
        str(doc.get("legal_basis") or ""),
        tuple(sorted(tiers, key=lambda t: t.rank)),
    )
    return scheme, []


def parse_windows(rows: Iterable[Mapping[str, Any]]) -> tuple[tuple[WindowRule, ...], list[Problem]]:
    """Return the disclosure-window rules of a windows document (rows of the CSV), or every problem."""
    problems: list[Problem] = []
    rules: list[WindowRule] = []
    sources, types, severities = {s.value for s in Source} | {"*"}, {t.value for t in FactType} | {"*"}, set(Severity)
    for number, row in enumerate(rows, start=2):
        before = len(problems)
        where = f"row {number}"
        if (
            row.get("source") not in sources
            or row.get("fact_type") not in types
            or row.get("severity") not in severities
        ):
            problems.append(
                problem(
                    "CRD-WINDOW",
                    where,
                    "来源、类型或严重程度未知",
                    "unknown source, type or severity",
                    "Use the values of cbec.credit.rules (or * for any source or type).",
                )
            )
        try:
            low = int(str(row.get("min_months") or "0"))
            high_text = str(row.get("max_months") or "").strip()
            high = int(high_text) if high_text else None
        except ValueError:
            low, high = 0, None
            problems.append(problem("CRD-WINDOW", where, "月数应为整数", "months must be whole numbers", "E.g. 3, 12."))
        if high is not None and high < low:
            problems.append(
                problem("CRD-WINDOW", where, "最长期限短于最短期限", "max_months is below min_months", "Swap them.")
            )
        start = _day(row.get("effective_from"), where, problems, "CRD-WINDOW")
        end = _day(row.get("effective_to"), where, problems, "CRD-WINDOW")
        if start is None:
            problems.append(problem("CRD-WINDOW", where, "缺少生效日期", "effective_from is required", "YYYY-MM-DD."))
        if len(problems) == before and start is not None:
            rules.append(
                WindowRule(
                    str(row["source"]),
                    str(row["fact_type"]),
                    str(row["severity"]),
                    low,
                    high,
                    start,
                    end,
                    str(row.get("legal_basis") or ""),
                    str(row.get("verified") or "").lower() == "yes",
                )
            )
    return tuple(rules), problems


def parse_document(kind: str, value: Any) -> tuple[Any, list[Problem]]:
    """Parse a configuration document of a kind: a Scheme, a tuple of WindowRules or a Ruleset."""
    if kind == ConfigKind.SCHEME:
        return parse_scheme(value)
    if kind == ConfigKind.WINDOWS:
        return parse_windows(value["rows"] if isinstance(value, Mapping) else value)
    if kind == ConfigKind.RULESET:
        return parse_ruleset(value)
    if kind == ConfigKind.SUPERVISION:
        return parse_supervision(value)
    if kind == ConfigKind.OBJECTION:
        return parse_objection(value)
    if kind == ConfigKind.LISTS:
        return parse_lists(value)
    if kind == ConfigKind.AGENCIES:
        return parse_agencies(value)
    return None, [
        problem(
            "CRD-CONFIG-KIND",
            "kind",
            f"未知配置类型 {kind}",
            f"unknown kind {kind!r}",
            "scheme, windows, ruleset, supervision, objection, lists or agencies.",
        )
    ]


def build_configuration(documents: Sequence[tuple[str, Any]]) -> Configuration:
    """Return the configuration of stored documents (kind, value); documents are checked when loaded."""
    schemes: list[Scheme] = []
    windows: list[WindowRule] = []
    rulesets: list[Ruleset] = []
    plans: list[SupervisionPlan] = []
    objection: list[ObjectionPolicy] = []
    lists: list[Catalogue] = []
    agencies: list[AgencyList] = []
    for kind, value in documents:
        parsed, problems = parse_document(kind, value)
        if problems or parsed is None:
            continue
        if kind == ConfigKind.SCHEME:
            schemes.append(parsed)
        elif kind == ConfigKind.WINDOWS:
            windows.extend(parsed)
        elif kind == ConfigKind.SUPERVISION:
            plans.append(parsed)
        elif kind == ConfigKind.OBJECTION:
            objection.append(parsed)
        elif kind == ConfigKind.LISTS:
            lists.append(parsed)
        elif kind == ConfigKind.AGENCIES:
            agencies.append(parsed)
        else:
            rulesets.append(parsed)
    return Configuration(
        tuple(schemes), tuple(windows), tuple(rulesets), tuple(plans), tuple(objection), tuple(lists), tuple(agencies)
    )


# --- the shipped documents ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """A configuration document ready to be stored: kind, code, version, first day, last day, value, legal basis."""

    kind: str
    code: str
    version: str
    effective_from: date
    effective_to: date | None
    value: Any
    legal_basis: str


def document_of(kind: str, value: Any) -> tuple[Document | None, list[Problem]]:
    """Return the storable document of a parsed JSON value (a windows document is {code, version, rows})."""
    parsed, problems = parse_document(kind, value)
    if problems or parsed is None:
        return None, problems
    if kind == ConfigKind.SCHEME:
        return Document(
            kind,
            parsed.code,
            str(value.get("version") or "1"),
            parsed.effective_from,
            parsed.effective_to,
            value,
            parsed.legal_basis,
        ), []
    if kind == ConfigKind.RULESET:
        return Document(
            kind, parsed.code, parsed.version, parsed.effective_from, None, value, str(value.get("legal_basis") or "")
        ), []
    if kind in (ConfigKind.SUPERVISION, ConfigKind.OBJECTION, ConfigKind.LISTS, ConfigKind.AGENCIES):
        return Document(kind, parsed.code, parsed.version, parsed.effective_from, None, value, parsed.legal_basis), []
    starts = [w.effective_from for w in parsed] or [date(2000, 1, 1)]
    return Document(
        kind,
        str(value.get("code") or "disclosure"),
        str(value.get("version") or "1"),
        min(starts),
        None,
        value,
        "NDRC 信用修复管理办法 (2026-04-01)",
    ), []


def windows_csv(text: str, *, code: str, version: str) -> dict[str, Any]:
    """Return a windows document of CSV text."""
    return {"code": code, "version": version, "rows": list(csv.DictReader(io.StringIO(text)))}


def shipped_documents() -> list[tuple[str, Any]]:
    """Return the configuration shipped with cbec (cbec/credit/data), as (kind, value) pairs."""
    data = resources.files("cbec.credit") / "data"
    found: list[tuple[str, Any]] = []
    for name in ("scheme-gacc-251.json", "scheme-gacc-282.json"):
        found.append((ConfigKind.SCHEME, json.loads((data / name).read_text("utf-8"))))
    found.append(
        (
            ConfigKind.WINDOWS,
            windows_csv((data / "windows.csv").read_text("utf-8"), code="disclosure", version="2026.1"),
        )
    )
    found.append(
        (
            ConfigKind.WINDOWS,
            windows_csv((data / "windows-thirdparty.csv").read_text("utf-8"), code="third-party", version="1"),
        )
    )
    for name in ("ruleset-zone-1.json", "ruleset-zone-2027.json"):
        found.append((ConfigKind.RULESET, json.loads((data / name).read_text("utf-8"))))
    for name in ("supervision-zone-1.json", "supervision-zone-2.json"):
        found.append((ConfigKind.SUPERVISION, json.loads((data / name).read_text("utf-8"))))
    found.append((ConfigKind.OBJECTION, json.loads((data / "objection-zone-1.json").read_text("utf-8"))))
    for name in ("lists-zone-1.json", "lists-zone-2.json"):
        found.append((ConfigKind.LISTS, json.loads((data / name).read_text("utf-8"))))
    found.append((ConfigKind.AGENCIES, json.loads((data / "agencies-zone-1.json").read_text("utf-8"))))
    return found
