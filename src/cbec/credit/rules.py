"""Pure rules of credit facts (信用事实): kinds, severities, disclosure windows, input checks. No I/O, no clock.

A fact is something an agency decided (a penalty, a list entry, a customs tier) or the platform observed (refused
inventories of a day). It is valid in the world from ``valid_from`` to ``valid_to`` and counts in a rating only
while it is also inside its publication window: from the decision date until ``publish_max_until``, which comes
from effective-dated configuration per (source, fact type, severity) (schemes.WindowRule).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from cbec.common.clock import add_months as add_months
from cbec.common.errors import Problem
from cbec.common.ids import validate_customs_code, validate_uscc
from cbec.credit.errors import problem


class FactType(StrEnum):
    """What a credit fact records."""

    CUSTOMS_TIER = "customs_tier"  # 海关企业信用等级 (Decree 251 / 282)
    PENALTY = "penalty"  # 行政处罚
    OVERDUE_TAX = "overdue_tax"  # 欠税 / 逾期未缴税款
    CERTIFICATION = "certification"  # 认证 (AEO mutual recognition, quality certifications …)
    LIST_ENTRY = "list_entry"  # 名单 (严重失信主体名单, 失信被执行人 …)
    THIRD_PARTY_RATING = "third_party_rating"  # 第三方信用评价
    INSPECTION = "inspection_result"  # 检验检疫结果
    CONSUMER_REPORT = "consumer_report"  # 经核实的消费者举报
    PLATFORM_REFUSALS = "platform_refusals"  # 平台退单数 (per enterprise per day)
    PLATFORM_RETURNS = "platform_returns"  # 平台退货数
    PLATFORM_LATE_SUMMARIES = "platform_late_summaries"  # 逾期汇总申报数
    RISK_CASE = "risk_case"  # 经风险处置确认并报送信用的案件 (risk's report_credit, per case action)


class Severity(StrEnum):
    """How a fact weighs: positive, neutral, or the NDRC classes of dishonesty (轻微 / 一般 / 严重)."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


NEGATIVE = frozenset({Severity.MINOR, Severity.GENERAL, Severity.SERIOUS})


class Source(StrEnum):
    """Who decided or observed a fact (谁认定)."""

    CUSTOMS = "customs"
    TAX = "tax"
    MARKET = "market"
    COURT = "court"
    COMMERCE = "commerce"
    FX = "fx"
    CREDIT_CHINA = "credit_china"  # 信用中国 / 国家企业信用信息公示系统
    THIRD_PARTY = "third_party"
    ZONE = "zone"  # the zone office (综试办)
    PLATFORM = "platform"  # the platform's own events


class ListType(StrEnum):
    """Negative lists (负面清单 / 失信名单)."""

    COURT_DISHONEST = "court_dishonest"  # 失信被执行人
    TAX_MAJOR = "tax_major"  # 重大税收违法失信主体
    MARKET_SERIOUS = "market_serious"  # 严重违法失信名单
    CUSTOMS_SERIOUS = "customs_serious"  # 海关严重失信企业
    ZONE = "zone"  # the zone's own list


class SubjectKind(StrEnum):
    """Who a fact is about."""

    ENTERPRISE = "enterprise"
    PERSON = "person"


# Facts of which only one holds at a time: the latest (by valid_from) replaces the earlier in the world.
EXCLUSIVE_TYPES = frozenset({FactType.CUSTOMS_TIER})
# Facts the platform writes from its own events; agencies may not enter them.
PLATFORM_TYPES = frozenset(
    {FactType.PLATFORM_REFUSALS, FactType.PLATFORM_RETURNS, FactType.PLATFORM_LATE_SUMMARIES, FactType.RISK_CASE}
)
# Facts that need a grade, a tier or a list type.
SHA256 = re.compile(r"^[0-9a-f]{64}$")
GRADE = re.compile(r"^[A-Z]{1,4}[+-]?$")


@dataclass(frozen=True, slots=True)
class FactDraft:
    """A checked fact, ready to be recorded (its windows are computed by the service from configuration)."""

    subject_code: str | None  # USCC or customs code of an enterprise
    person_id: str | None  # a person's ID number (hashed before it is stored; never kept in clear)
    fact_type: FactType
    severity: Severity
    source: Source
    decided_on: date
    valid_from: date
    valid_to: date | None
    tier: str | None = None
    grade: str | None = None
    list_type: ListType | None = None
    quantity: int = 1
    legal_basis: str | None = None
    document_no: str | None = None
    evidence_sha256: str | None = None
    note: str | None = None
    supersedes: int | None = None
    retracted: bool = False
    subject_name: str | None = None  # an enterprise's name as the agency publishes it (persons: never)


def publication_window(decided_on: date, min_months: int, max_months: int | None) -> tuple[date, date | None]:
    """Return (publish_min_until, publish_max_until) of a fact decided on a day: the window runs from the decision."""
    return add_months(decided_on, min_months), None if max_months is None else add_months(decided_on, max_months)


def counts_on(valid_from: date, valid_to: date | None, publish_max_until: date | None, on: date) -> bool:
    """Tell whether a fact counts on a day: valid in the world and not past its maximum publication window."""
    if on < valid_from:
        return False
    if valid_to is not None and on >= valid_to:
        return False
    return publish_max_until is None or on < publish_max_until


# --- input checks ----------------------------------------------------------------------------------------------


def _text(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _enum(raw: Mapping[str, Any], name: str, kind: type[StrEnum], problems: list[Problem], zh: str) -> Any:
    text = _text(raw, name)
    if text is None:
        problems.append(problem("CRD-REQUIRED", name, f"缺少{zh}", f"{name} is required", "Fill the column."))
        return None
    try:
        return kind(text.lower())
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        problems.append(
            problem(
                f"CRD-{name.upper().replace('_', '-')}",
                name,
                f"{zh}未知: {text}",
                f"unknown {name} {text!r}",
                f"Use one of: {allowed}.",
            )
        )
        return None


def _date(raw: Mapping[str, Any], name: str, problems: list[Problem], *, required: bool) -> date | None:
    value = raw.get(name)
    if isinstance(value, date):
        return value
    text = _text(raw, name)
    if text is None:
        if required:
            problems.append(
                problem("CRD-REQUIRED", name, f"缺少日期 {name}", f"{name} is required", "Give YYYY-MM-DD.")
            )
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(problem("CRD-DATE", name, f"日期格式错误: {text}", f"not a date: {text!r}", "Give YYYY-MM-DD."))
        return None


def check_subject(raw: Mapping[str, Any], problems: list[Problem]) -> tuple[str | None, str | None]:
    """Return (enterprise code, person ID number) of a raw fact; exactly one must be given."""
    code, person = _text(raw, "subject"), _text(raw, "person_id")
    if (code is None) == (person is None):
        problems.append(
            problem(
                "CRD-SUBJECT",
                "subject",
                "须且只能给出企业代码或个人证件号之一",
                "give exactly one of subject (USCC or customs code) and person_id",
                "An enterprise by its 18-character credit code or 10-character customs code.",
            )
        )
        return None, None
    if code is not None:
        code = code.upper()
        found = (
            validate_uscc(code, field="subject", check_org_code=False)
            if len(code) == 18
            else (validate_customs_code(code, field="subject"))
        )
        errors = [p for p in found if p.severity == "error"]
        if errors:
            problems.append(
                problem(
                    "CRD-SUBJECT",
                    "subject",
                    f"企业代码无效: {code}",
                    f"not a credit or customs code: {code!r}",
                    errors[0].hint,
                )
            )
            return None, None
    return code, person


def parse_fact(
    raw: Mapping[str, Any], *, today: date, resolved: bool = False
) -> tuple[FactDraft | None, list[Problem]]:
    """Check one raw fact (a CSV row or JSON object of strings) and return it, or every problem found.

    Tier names, list types and windows that depend on configuration are checked by the service
    (``check_against_configuration``); this checks what needs no configuration. ``resolved``: the caller names the
    subject itself (a confirmed list request keeps its subject, never a person's ID number), so no subject field is
    read and the draft names none.
    """
    problems: list[Problem] = []
    code, person = (None, None) if resolved else check_subject(raw, problems)
    fact_type = _enum(raw, "fact_type", FactType, problems, "事实类型")
    source = _enum(raw, "source", Source, problems, "来源")
    severity_text = _text(raw, "severity")
    severity: Severity | None = None
    if severity_text is None and fact_type is FactType.CUSTOMS_TIER:
        severity = Severity.NEUTRAL  # taken from the tier by the service
    else:
        severity = _enum(raw, "severity", Severity, problems, "严重程度")
    decided_on = _date(raw, "decided_on", problems, required=True)
    valid_from = _date(raw, "valid_from", problems, required=False) or decided_on
    valid_to = _date(raw, "valid_to", problems, required=False)
    if decided_on is not None and decided_on > today:
        problems.append(
            problem(
                "CRD-DECIDED-FUTURE",
                "decided_on",
                "决定日期晚于今天",
                "decided_on is in the future",
                "Record a fact once it has been decided.",
            )
        )
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        problems.append(
            problem(
                "CRD-DATE-ORDER",
                "valid_to",
                "截止日期须晚于起始日期",
                "valid_to must be after valid_from",
                "Leave valid_to empty when it is open.",
            )
        )
    tier, grade = _text(raw, "tier"), _text(raw, "grade")
    list_type = None
    if fact_type is FactType.CUSTOMS_TIER and tier is None:
        problems.append(
            problem(
                "CRD-TIER",
                "tier",
                "海关信用等级事实须给出等级",
                "a customs tier fact needs tier",
                "advanced, certified, regular, dishonest or serious_dishonest (per scheme).",
            )
        )
    if fact_type is FactType.LIST_ENTRY:
        list_type = _enum(raw, "list_type", ListType, problems, "名单类型")
    if fact_type is FactType.THIRD_PARTY_RATING and (grade is None or not GRADE.match(grade.upper())):
        problems.append(
            problem(
                "CRD-GRADE",
                "grade",
                "第三方评价须给出等级",
                "a third-party rating needs a grade",
                "Give the agency's grade, e.g. AAA, AA, A, B.",
            )
        )
    if fact_type in PLATFORM_TYPES and source is not Source.PLATFORM:
        problems.append(
            problem(
                "CRD-PLATFORM-ONLY",
                "fact_type",
                "平台统计事实只能由平台自身产生",
                "platform counts come from the platform's own events",
                "Record the agency's decision as a penalty or inspection_result instead.",
            )
        )
    document_no, legal_basis = _text(raw, "document_no"), _text(raw, "legal_basis")
    if source is not None and source is not Source.PLATFORM and document_no is None:
        problems.append(
            problem(
                "CRD-DOCUMENT-NO",
                "document_no",
                "缺少决定文书号",
                "document_no is required",
                "Give the number of the decision (e.g. 海关行政处罚决定书号).",
            )
        )
    if severity in NEGATIVE and source is not Source.PLATFORM and legal_basis is None:
        problems.append(
            problem(
                "CRD-LEGAL-BASIS",
                "legal_basis",
                "失信事实须注明法律依据",
                "a negative fact needs its legal basis",
                "Cite the article the decision rests on.",
            )
        )
    evidence = _text(raw, "evidence_sha256")
    if evidence is not None and not SHA256.match(evidence.lower()):
        problems.append(
            problem(
                "CRD-EVIDENCE",
                "evidence_sha256",
                "证据摘要应为64位十六进制SHA-256",
                "evidence_sha256 must be 64 hex digits",
                "sha256sum the evidence file.",
            )
        )
    quantity = _int(raw, "quantity", problems, default=1)
    supersedes = _int(raw, "supersedes", problems, default=None)
    retracted = (_text(raw, "retracted") or "").lower() in ("1", "true", "yes", "y")
    if retracted and supersedes is None:
        problems.append(
            problem(
                "CRD-RETRACT",
                "retracted",
                "撤回须指明被更正的事实",
                "a retraction names the fact",
                "Give supersedes: the id of the fact withdrawn.",
            )
        )
    subject_name = _text(raw, "subject_name")
    if subject_name is not None and (person is not None or len(subject_name) > 200):
        problems.append(
            problem(
                "CRD-SUBJECT-NAME",
                "subject_name",
                "自然人不记名称; 企业名称至多 200 字",
                "a person is never named; an enterprise's name has at most 200 characters",
                "Leave subject_name out for a person (the ID number is kept as a keyed hash only).",
            )
        )
    if problems or fact_type is None or source is None or severity is None or decided_on is None:
        return None, problems
    assert valid_from is not None
    return (
        FactDraft(
            subject_code=code,
            person_id=person,
            subject_name=subject_name,
            fact_type=fact_type,
            severity=severity,
            source=source,
            decided_on=decided_on,
            valid_from=valid_from,
            valid_to=valid_to,
            tier=tier.lower() if tier else None,
            grade=grade.upper() if grade else None,
            list_type=list_type,
            quantity=quantity if quantity is not None else 1,
            legal_basis=legal_basis,
            document_no=document_no,
            evidence_sha256=evidence.lower() if evidence else None,
            note=_text(raw, "note"),
            supersedes=supersedes,
            retracted=retracted,
        ),
        [],
    )


def _int(raw: Mapping[str, Any], name: str, problems: list[Problem], *, default: int | None) -> int | None:
    text = _text(raw, name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        problems.append(
            problem(
                "CRD-NUMBER", name, f"{name} 应为正整数", f"{name} must be a positive whole number", "Give 1 or more."
            )
        )
        return default
    return value


def dedupe_key(draft: FactDraft, subject_key: str) -> str | None:
    """Return the key that makes an agency's decision recorded once: source, document number, type, subject.

    A correction (``supersedes``) has none: it is a new row about the same decision.
    """
    if draft.supersedes is not None or draft.document_no is None:
        return None
    return f"{draft.source.value}:{draft.document_no}:{draft.fact_type.value}:{subject_key}"[:250]
