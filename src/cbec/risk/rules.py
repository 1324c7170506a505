"""The risk rule runtime (风险规则引擎): rules as data, evaluated over counter values and document fields.

Pure: no database, no clock. A rule answers one question about one input (a counter over a window, such as
``buyer.near_limit.30d``, or a document field, such as ``doc.value_cny``) and returns the contiguous band the value
falls in (``lower ≤ v < upper``) with that band's weight, provided its guards hold. A missing input is
"insufficient" (never a silent 0). A typology is the weighted sum of its rules' weights, banded by its thresholds
``review ≤ hold ≤ reject``. The trace of an evaluation keeps every input read, so replaying it through the same
ruleset gives the same scores (``replay``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from itertools import pairwise
from typing import Any

from cbec.common.errors import Problem
from cbec.risk.errors import RiskInvalid, problem


class Typology(StrEnum):
    """The fixed vocabulary of typologies an alert names."""

    ORDER_SPLITTING = "order_splitting"  # 化整为零
    FAKE_ORDER = "fake_order"  # 刷单
    ID_MISUSE = "id_misuse"  # 身份冒用
    UNDERVALUATION = "undervaluation"  # 低报
    LAUNDERING = "laundering"  # 洗钱 / 非真实贸易
    IP_INFRINGEMENT = "ip_infringement"  # 侵权
    QUALITY = "quality"  # 质量安全


class SubjectKind(StrEnum):
    """Whom a counter is about: pseudonymous person keys, enterprise and platform codes, HS6."""

    BUYER = "buyer"
    PAYER = "payer"
    PHONE = "phone"
    ADDRESS = "address"
    ENTERPRISE = "enterprise"
    PLATFORM = "platform"
    HS6 = "hs6"
    # one of a buyer's goods: a digest of the buyer key, the e-commerce enterprise and its item number (商品货号),
    # counted per inventory holding it (R1.2, ruleset 2026.6; read through doc.item_repeat, cbec.risk.items)
    BUYER_ITEM = "buyer_item"


class Band(StrEnum):
    """Where a typology's score stands against its thresholds."""

    NONE = "none"
    REVIEW = "review"
    HOLD = "hold"
    REJECT = "reject"

    @property
    def rank(self) -> int:
        """Order of severity (none 0 … reject 3)."""
        return list(Band).index(self)


WINDOWS = (1, 7, 30, 365)  # days, each ending on the business day of the document (inclusive)
_PARTY = ("inventories", "value", "near_limit", "round")  # round: inventories whose total is whole hundreds
FEATURES: dict[SubjectKind, frozenset[str]] = {
    SubjectKind.BUYER: frozenset({*_PARTY, "payers", "phones", "addresses"}),
    SubjectKind.PAYER: frozenset({*_PARTY, "buyers", "enterprises"}),
    SubjectKind.PHONE: frozenset({*_PARTY, "buyers"}),
    SubjectKind.ADDRESS: frozenset({*_PARTY, "buyers"}),
    # export_*: 9610/9710 exports (never 9810) with a receipt of payment above receipt_ratio × the declared value,
    # and without a receipt after receipt_days (ruleset 2026.3, cbec.risk.exports)
    # inspect_failed: inventories of the enterprise refused after an inspection (R7.2, the inspection event; 2026.4)
    # quick_undo: its inventories cancelled (CEB623) or returned (CEB625) within undo_hours of release (R2.5; 2026.5)
    # released / unsigned: the parcels it sold (or, for a logistics enterprise, carried) released that day, and those
    # of them with no signing (CEB513) unsigned_days later, counted by the delivery sweep (R2.4; 2026.6)
    SubjectKind.ENTERPRISE: frozenset(
        {
            *_PARTY,
            "payers",
            "export_excess",
            "export_unreceived",
            "inspect_failed",
            "quick_undo",
            "released",
            "unsigned",
        }
    ),
    # below_limit: inventories whose total lies in [below_limit_lower, near_limit_lower): R1.5's denominator (2026.5)
    SubjectKind.PLATFORM: frozenset({*_PARTY, "below_limit"}),
    SubjectKind.HS6: frozenset({"lines", "value"}),
    SubjectKind.BUYER_ITEM: frozenset({"inventories", "value"}),
}
MONEY_FEATURES = frozenset({"value"})  # kept in fen, read in yuan
# distinct counts: (subject kind, feature) -> the kind of the other key counted
DISTINCT: dict[tuple[SubjectKind, str], SubjectKind] = {
    (SubjectKind.BUYER, "payers"): SubjectKind.PAYER,
    (SubjectKind.BUYER, "phones"): SubjectKind.PHONE,
    (SubjectKind.BUYER, "addresses"): SubjectKind.ADDRESS,
    (SubjectKind.PAYER, "buyers"): SubjectKind.BUYER,
    (SubjectKind.PHONE, "buyers"): SubjectKind.BUYER,
    (SubjectKind.ADDRESS, "buyers"): SubjectKind.BUYER,
    (SubjectKind.PAYER, "enterprises"): SubjectKind.ENTERPRISE,  # a payer's fan-out over sellers
    (SubjectKind.ENTERPRISE, "payers"): SubjectKind.PAYER,  # a seller's fan-in of payers
}
# Document fields. The list fields (cbec.risk.lists) are None when no list of their kind is loaded:
# ipr_score (0-100: the best match of a goods line with a recorded brand the seller is not authorised for),
# recall_hit, prohibited_hit, watched (0/1); round_value (0/1: the total is whole hundreds, at least round_min).
DOC_FIELDS = frozenset(
    {
        "value_cny",
        "lines",
        "payer_differs",
        "near_limit",
        "robust_z_min",
        "value_ratio_min",
        "illicit_chance",  # the highest P(illicit) of a suspect goods line (cbec.risk.valuation; ruleset 2026.4)
        "round_value",
        "ipr_score",
        "recall_hit",
        "prohibited_hit",
        "watched",
        "export",  # 1 on an export's decision (cbec.risk.exports); absent on imports
        "receipt_ratio",  # receipt of payment / declared value (goods + freight) of an export
        "receipt_missing",  # 1: no receipt of payment after receipt_days
        # R1.5 (2026.5): the platform's week B = N[4,500, 5,000] / N[4,000, 4,500) and its z against 8 weeks before
        "platform_bunching",
        "platform_bunching_z",
        # R2.5 (2026.5): the seller's inventories undone (cancelled or returned) quickly / its inventories, 30 days
        "quick_undo_share",
        # R1.2 (2026.6): the most of the buyer's inventories of 30 days holding one of this inventory's items (the
        # same seller's item number), and that item's value over them (cbec.risk.items)
        "item_repeat",
        "item_repeat_value",
        # R2.3 (2026.6): the declared gross weight against the filed unit gross weights of the lines (空包)
        "weight_deviation",
        # R2.4 (2026.6), on a parcel's delivery decision (cbec.risk.deliveries): hours from release to the signing
        # (CEB513) and km from the release customs to the consignee's prefecture; or, found unsigned unsigned_days
        # after release, 1 and the shares of its seller's and its logistics enterprise's parcels so found
        "sign_hours",
        "sign_km",
        "unsigned",
        "unsigned_share",
        "carrier_unsigned_share",
        # R5.1 (2026.6): 1 when the consignee phone is the seller's or the platform's filed contact phone
        "party_consignee",
    }
)
OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@dataclass(frozen=True, slots=True)
class CounterRef:
    """A counter over a window: subject kind, feature, days."""

    subject: SubjectKind
    feature: str
    window: int

    @property
    def name(self) -> str:
        """The input name, e.g. ``buyer.near_limit.30d``."""
        return f"{self.subject.value}.{self.feature}.{self.window}d"


def parse_input(name: str) -> CounterRef | str:
    """Return the counter an input names, or the document field (``doc.…``) as a plain name; raise on others."""
    parts = name.split(".")
    if len(parts) == 2 and parts[0] == "doc" and parts[1] in DOC_FIELDS:
        return parts[1]
    if len(parts) == 3 and parts[2].endswith("d") and parts[2][:-1].isdigit():
        kind = next((k for k in SubjectKind if k.value == parts[0]), None)
        window = int(parts[2][:-1])
        if kind is not None and parts[1] in FEATURES[kind] and window in WINDOWS:
            return CounterRef(kind, parts[1], window)
    raise ValueError(name)


@dataclass(frozen=True, slots=True)
class BandSpec:
    """``lower ≤ v < upper`` (either side open when None) gives ``weight`` points."""

    lower: Decimal | None
    upper: Decimal | None
    weight: int

    def admits(self, value: Decimal) -> bool:
        """Tell whether a value falls in the band."""
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition that must hold for the rule to give points: ``input op value``."""

    input: str
    op: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """One question about one input, banded, with a bilingual reason."""

    id: str
    typology: Typology
    input: str
    bands: tuple[BandSpec, ...]
    guards: tuple[Guard, ...]
    reason_zh: str
    reason_en: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every input the rule reads (its own, then its guards')."""
        return (self.input, *(g.input for g in self.guards))


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A typology's thresholds: review ≤ hold ≤ reject."""

    review: int
    hold: int
    reject: int

    def band(self, score: int) -> Band:
        """Return the band a score reaches."""
        if score >= self.reject:
            return Band.REJECT
        if score >= self.hold:
            return Band.HOLD
        if score >= self.review:
            return Band.REVIEW
        return Band.NONE


# Defaults of the parameters added by later versions (six-systems §3.3): the counters they read are kept whichever
# ruleset is live, so an earlier version (live, in shadow or replayed) that reads them finds them filled. 2026.5:
# R1.5 bunching and R2.5 quick undos (cbec.risk.patterns); 2026.6: R2.3 the carton allowance (cbec.risk.items) and
# R2.4 deliveries (cbec.risk.deliveries).
LATER_PARAMETERS: dict[str, Decimal] = {
    "below_limit_lower": Decimal(4000),
    "bunching_weeks": Decimal(8),
    "bunching_min": Decimal(40),
    "bunching_min_weeks": Decimal(4),
    "bunching_sd_floor": Decimal("0.25"),
    "undo_hours": Decimal(48),
    "weight_tare": Decimal(1),
    "unsigned_days": Decimal(15),
    "unsigned_min_parcels": Decimal(20),
    "delivery_sweep_days": Decimal(30),
}


@dataclass(frozen=True, slots=True)
class Ruleset:
    """A versioned set of rules and typology thresholds, with parameters the collection uses."""

    version: str
    sha256: str
    parameters: Mapping[str, Decimal]
    rules: tuple[Rule, ...]
    typologies: Mapping[Typology, Thresholds]

    def counters(self) -> tuple[CounterRef, ...]:
        """Every counter some rule reads, in a stable order."""
        refs = {parse_input(name) for rule in self.rules for name in rule.inputs}
        return tuple(sorted((r for r in refs if isinstance(r, CounterRef)), key=lambda r: r.name))

    def parameter(self, name: str) -> Decimal:
        """Return a parameter (near-limit band, tax rate, MAD floor …); one added by a later version
        (``LATER_PARAMETERS``) has its default in a ruleset that does not name it."""
        value = self.parameters.get(name)
        return value if value is not None else LATER_PARAMETERS[name]


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """What one rule did: fired (with its band and weight), no band, guard failed or insufficient input."""

    rule: str
    typology: Typology
    status: str  # fired | no_band | guard_failed | insufficient
    weight: int
    value: Decimal | None
    band: tuple[Decimal | None, Decimal | None] | None
    reason_zh: str
    reason_en: str


@dataclass(frozen=True, slots=True)
class TypologyScore:
    """A typology's score, band and the rules that gave points."""

    typology: Typology
    score: int
    band: Band
    contributions: tuple[RuleTrace, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of evaluating a ruleset over one set of inputs."""

    version: str
    inputs: Mapping[str, Decimal | None]
    rules: tuple[RuleTrace, ...]
    scores: tuple[TypologyScore, ...] = field(default=())

    @property
    def score(self) -> int:
        """The highest typology score (0 when nothing fired)."""
        return max((s.score for s in self.scores), default=0)

    @property
    def band(self) -> Band:
        """The most severe band reached by any typology."""
        return max((s.band for s in self.scores), key=lambda b: b.rank, default=Band.NONE)

    @property
    def top(self) -> Typology | None:
        """The typology with the highest score, if any scored."""
        scored = [s for s in self.scores if s.score > 0]
        return max(scored, key=lambda s: (s.score, -list(Typology).index(s.typology))).typology if scored else None


def _run(rule: Rule, inputs: Mapping[str, Decimal | None]) -> RuleTrace:
    value = inputs.get(rule.input)

    def trace(status: str, weight: int = 0, band: BandSpec | None = None) -> RuleTrace:
        bounds = (band.lower, band.upper) if band is not None else None
        return RuleTrace(rule.id, rule.typology, status, weight, value, bounds, rule.reason_zh, rule.reason_en)

    if value is None or any(inputs.get(g.input) is None for g in rule.guards):
        return trace("insufficient")
    for guard in rule.guards:
        if not OPS[guard.op](inputs[guard.input], guard.value):
            return trace("guard_failed")
    for band in rule.bands:
        if band.admits(value):
            return trace("fired", band.weight, band)
    return trace("no_band")


def evaluate(ruleset: Ruleset, inputs: Mapping[str, Decimal | None]) -> Assessment:
    """Run every rule over the inputs and sum the typologies (inputs: name → value, None when unknown)."""
    traces = tuple(_run(rule, inputs) for rule in ruleset.rules)
    scores = []
    for typology, thresholds in ruleset.typologies.items():
        fired = tuple(t for t in traces if t.typology is typology and t.status == "fired" and t.weight)
        score = sum(t.weight for t in fired)
        scores.append(TypologyScore(typology, score, thresholds.band(score), fired))
    read = {name: inputs.get(name) for rule in ruleset.rules for name in rule.inputs}
    return Assessment(ruleset.version, read, traces, tuple(scores))


def replay(ruleset: Ruleset, stored_inputs: Mapping[str, str | None]) -> Assessment:
    """Evaluate a stored trace's inputs (decimal strings) again through a ruleset."""
    return evaluate(ruleset, {k: (Decimal(v) if v is not None else None) for k, v in stored_inputs.items()})


def input_text(value: Decimal | None) -> str | None:
    """Return an input value as stored in a trace (a plain decimal string)."""
    return None if value is None else format(value, "f")


def trace_of(assessment: Assessment, ruleset: Ruleset) -> dict[str, object]:
    """Return the stored trace: ruleset, every input read, every rule's result, every typology's score."""
    return {
        "ruleset": ruleset.version,
        "sha256": ruleset.sha256,
        "inputs": {name: input_text(value) for name, value in sorted(assessment.inputs.items())},
        "rules": [
            {
                "rule": t.rule,
                "typology": t.typology.value,
                "status": t.status,
                "weight": t.weight,
                "value": input_text(t.value),
                "band": [input_text(b) for b in t.band] if t.band else None,
            }
            for t in assessment.rules
        ],
        "typologies": [
            {"typology": s.typology.value, "score": s.score, "band": s.band.value} for s in assessment.scores
        ],
    }


# --- robust bands (低报) ----------------------------------------------------------------------------------------


def median(values: Sequence[Decimal]) -> Decimal:
    """Return the median of a non-empty sequence (the mean of the two middle values when even)."""
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def mad(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    """Return the median absolute deviation from a centre."""
    return median([abs(v - centre) for v in values])


def robust_z(value: Decimal, centre: Decimal, spread: Decimal) -> Decimal:
    """Return Iglewicz-Hoaglin's modified z-score 0.6745·(value − median)/MAD, to 4 places."""
    return (Decimal("0.6745") * (value - centre) / spread).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# --- loading ----------------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(str(value)) from exc


def _input_ok(name: Any) -> bool:
    try:
        parse_input(str(name))
    except ValueError:
        return False
    return True


def _rule(raw: Mapping[str, Any], problems: list[Problem]) -> Rule | None:
    rid = str(raw.get("id", "?"))
    where = f"rules[{rid}]"
    if raw.get("typology") not in {t.value for t in Typology}:
        problems.append(
            problem(
                "RSK-RULESET-TYPOLOGY",
                where,
                "类型不在词表内",
                "typology not in the vocabulary",
                "Use one of " + ", ".join(t.value for t in Typology) + ".",
            )
        )
        return None
    names = [raw.get("input"), *(g.get("input") for g in raw.get("guards", []))]
    bad = [str(n) for n in names if not _input_ok(n)]
    if bad:
        problems.append(
            problem(
                "RSK-RULESET-INPUT",
                where,
                f"未知输入 {bad}",
                f"unknown inputs {bad}",
                "Name a counter kind.feature.Nd (N in 1, 7, 30, 365) or a doc.<field>.",
            )
        )
        return None
    try:
        bands = tuple(
            BandSpec(_decimal(b.get("from")), _decimal(b.get("to")), int(b["weight"])) for b in raw.get("bands", [])
        )
        guards = tuple(Guard(str(g["input"]), str(g["op"]), Decimal(str(g["value"]))) for g in raw.get("guards", []))
    except (KeyError, ValueError, TypeError, InvalidOperation):
        bands, guards = (), ()
    ordered = all(a.upper is not None and b.lower is not None and a.upper <= b.lower for a, b in pairwise(bands))
    if not bands or not ordered or any(g.op not in OPS for g in guards):
        problems.append(
            problem(
                "RSK-RULESET-BANDS",
                where,
                "分段或条件无效",
                "bands or guards are invalid",
                "Give ascending, non-overlapping bands {from, to, weight} and guards with >=, >, <=, <, == or !=.",
            )
        )
        return None
    return Rule(
        rid,
        Typology(raw["typology"]),
        str(raw["input"]),
        bands,
        guards,
        str(raw.get("reason_zh", "")),
        str(raw.get("reason_en", "")),
    )


def parse_ruleset(text: str) -> Ruleset:
    """Parse and check a ruleset document (JSON); raise ``RiskInvalid`` listing every problem."""
    problems: list[Problem] = []
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RiskInvalid(
            "bad ruleset",
            problems=[problem("RSK-RULESET-JSON", "ruleset", "不是有效的 JSON", "not valid JSON", str(exc))],
        ) from exc
    rules = [r for r in (_rule(item, problems) for item in raw.get("rules", [])) if r is not None]
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        problems.append(
            problem(
                "RSK-RULESET-DUPLICATE", "rules", "规则编号重复", "duplicate rule ids", "Give every rule its own id."
            )
        )
    typologies: dict[Typology, Thresholds] = {}
    for name, t in dict(raw.get("typologies", {})).items():
        if name not in {t.value for t in Typology} or not (0 < t["review"] <= t["hold"] <= t["reject"]):
            problems.append(
                problem(
                    "RSK-RULESET-THRESHOLDS",
                    f"typologies[{name}]",
                    "类型或阈值无效",
                    "unknown typology or thresholds not 0 < review ≤ hold ≤ reject",
                    "Fix the typology's thresholds.",
                )
            )
            continue
        typologies[Typology(name)] = Thresholds(int(t["review"]), int(t["hold"]), int(t["reject"]))
    orphans = sorted({r.typology.value for r in rules} - {t.value for t in typologies})
    if orphans:
        problems.append(
            problem(
                "RSK-RULESET-ORPHAN",
                "typologies",
                f"缺少阈值: {orphans}",
                f"rules of typologies without thresholds: {orphans}",
                "Add their thresholds.",
            )
        )
    if not raw.get("version"):
        problems.append(problem("RSK-RULESET-VERSION", "version", "缺少版本", "no version", "Give a version."))
    if problems:
        raise RiskInvalid("bad ruleset", problems=problems)
    parameters = {str(k): Decimal(str(v)) for k, v in dict(raw.get("parameters", {})).items()}
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Ruleset(str(raw["version"]), digest, parameters, tuple(rules), typologies)


def shipped_ruleset() -> Ruleset:
    """Return the ruleset shipped in ``cbec/risk/data/ruleset.json``."""
    return parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset.json").read_text(encoding="utf-8"))
