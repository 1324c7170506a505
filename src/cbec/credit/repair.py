"""Credit repair and objections (信用修复与异议), pure rules.

* **Repair** (NDRC 《信用修复管理办法》, from 2026-04-01): an enterprise applies to repair one of its negative
  facts once the fact's minimum publication window has passed (``publish_min_until``), with evidence of the
  correction (a SHA-256 digest of the file and a description), its credit commitment (信用承诺) and, for a serious
  fact, the training it attended. One officer reviews and proposes, a second officer approves (maker-checker: never
  the reviewer, never the applicant). Approval ends the publication: a new fact row, the original stays recorded.
* **Objection** (异议): against any current fact, reviewed by a deadline from configuration (``objection``
  documents, effective-dated, per source; Decree 225 gave customs 20 days). Upheld: the fact is withdrawn (a new
  row); dismissed: it stands.

Every refusal is a problem with a stable rule id, the field, a zh/en message and a hint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem
from cbec.credit.rules import NEGATIVE, FactType, Severity

SHA256 = re.compile(r"^[0-9a-f]{64}$")
TEXT_MAX = 2000


class RepairStatus(StrEnum):
    """Where a repair application stands."""

    PENDING = "pending"  # applied, waiting for a first officer
    PROPOSED = "proposed"  # a first officer proposes approval; a second one decides
    APPROVED = "approved"
    REJECTED = "rejected"


OPEN_REPAIR = frozenset({RepairStatus.PENDING.value, RepairStatus.PROPOSED.value})


class ObjectionStatus(StrEnum):
    """Where an objection stands."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class RequestStatus(StrEnum):
    """Where an override request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Change(StrEnum):
    """The state changes credit shares as outbox events (``kind`` credit, payload ``change``)."""

    REPAIR_APPLIED = "repair_applied"
    REPAIR_PROPOSED = "repair_proposed"
    REPAIR_APPROVED = "repair_approved"
    REPAIR_REJECTED = "repair_rejected"
    OBJECTION_FILED = "objection_filed"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_DISMISSED = "objection_dismissed"
    PUBLICATION_ENDED = "publication_ended"
    OVERRIDE_PROPOSED = "override_proposed"
    OVERRIDE_APPROVED = "override_approved"
    OVERRIDE_REJECTED = "override_rejected"
    MEASURES_APPLIED = "measures_applied"  # a list entry's catalogue measures (joint for serious lists only)
    MEASURES_LIFTED = "measures_lifted"  # lifted by a repair, a withdrawal, a correction or the entry's end
    THIRDPARTY_RECORDED = "thirdparty_recorded"  # a signed third-party report imported as a capped fact
    THIRDPARTY_KEPT = "thirdparty_kept"  # a disagreement review closed keeping the report's fact
    THIRDPARTY_WITHDRAWN = "thirdparty_withdrawn"  # … or withdrawing it (a new row retracts it)
    LIST_PROPOSED = "list_proposed"  # a serious list's entry added, ended or corrected, waiting for a second officer
    LIST_RECORDED = "list_recorded"  # … recorded (confirmed, or at once on a list that is not serious)
    LIST_REJECTED = "list_rejected"  # … rejected by the second officer
    UNCORRECTED_FLAGGED = "uncorrected_flagged"  # a fact flagged uncorrected, waiting for a second officer
    UNCORRECTED_CONFIRMED = "uncorrected_confirmed"  # … confirmed: publication continues past the maximum
    UNCORRECTED_REJECTED = "uncorrected_rejected"  # … rejected


@dataclass(frozen=True, slots=True)
class FactState:
    """What the rules read of a fact: its id, type, severity and publication window, and whether it is current."""

    id: int
    fact_type: str
    severity: str
    publish_min_until: date
    publish_max_until: date | None
    current: bool  # not superseded and not a withdrawal


@dataclass(frozen=True, slots=True)
class RepairDraft:
    """What an enterprise sends to apply for repair (the applicant is the signed-in caller, never a field)."""

    fact_id: int
    evidence_sha256: str
    description: str
    commitment: str
    training: str | None


def repair_opens_on(fact: FactState) -> date:
    """Return the first day a repair may be applied for or granted: the end of the minimum publication window."""
    return fact.publish_min_until


def check_fact_for_repair(fact: FactState, today: date, field: str = "fact_id") -> list[Problem]:
    """Return why a fact cannot be repaired today (empty: it can)."""
    if not fact.current:
        return [
            problem(
                "CRD-REPAIR-FACT",
                field,
                "该事实已被更正或撤回",
                f"fact {fact.id} was corrected or withdrawn",
                "Apply for the current row of the fact.",
            )
        ]
    if fact.fact_type == FactType.CUSTOMS_TIER.value:
        return [
            problem(
                "CRD-REPAIR-TIER",
                field,
                "海关信用等级由海关调整，不在本区修复",
                "a customs tier is changed by customs, not repaired here",
                "Apply to customs (Decree 282); the zone records the new tier as a fact.",
            )
        ]
    if fact.severity not in {s.value for s in NEGATIVE}:
        return [
            problem(
                "CRD-REPAIR-NEGATIVE",
                field,
                "只有失信信息可以修复",
                f"only negative facts are repaired ({fact.severity})",
                "Choose a minor, general or serious fact.",
            )
        ]
    if fact.publish_max_until is not None and today >= fact.publish_max_until:
        return [
            problem(
                "CRD-REPAIR-ENDED",
                field,
                f"该事实的公示已于 {fact.publish_max_until} 结束",
                f"the fact's publication ended on {fact.publish_max_until}",
                "Nothing to repair: the rating no longer counts it.",
            )
        ]
    opens = repair_opens_on(fact)
    if today < opens:
        return [
            problem(
                "CRD-REPAIR-EARLY",
                field,
                f"最短公示期未满，{opens} 起方可申请修复",
                f"the minimum publication window runs until {opens}; repair opens then",
                f"Apply on or after {opens.isoformat()}.",
            )
        ]
    return []


def _text(value: Any) -> str:
    return str(value or "").strip()


def check_repair(fact: FactState | None, draft: RepairDraft, today: date) -> list[Problem]:
    """Return every problem of a repair application (empty: it may be recorded)."""
    problems: list[Problem] = []
    if fact is None:
        problems.append(
            problem(
                "CRD-REPAIR-FACT",
                "fact_id",
                f"无此事实: {draft.fact_id}",
                f"no fact {draft.fact_id} of the subject",
                "Give the id of one of your facts.",
            )
        )
    else:
        problems.extend(check_fact_for_repair(fact, today))
    if not SHA256.match(_text(draft.evidence_sha256).lower()):
        problems.append(
            problem(
                "CRD-REPAIR-EVIDENCE",
                "evidence_sha256",
                "须提供整改证明材料的 SHA-256 摘要",
                "the evidence's SHA-256 digest (64 hex characters) is required",
                "Digest the file of your evidence (sha256sum) and give the 64 hex characters.",
            )
        )
    for name, zh, en, hint in (
        ("description", "须说明整改情况", "describe the correction", "Say what was corrected and when."),
        ("commitment", "须作出信用承诺", "the credit commitment is required", "Write the commitment (信用承诺)."),
    ):
        value = _text(getattr(draft, name))
        if not value:
            problems.append(problem(f"CRD-REPAIR-{name.upper()}", name, zh, en, hint))
        elif len(value) > TEXT_MAX:
            problems.append(
                problem(
                    f"CRD-REPAIR-{name.upper()}",
                    name,
                    f"不得超过 {TEXT_MAX} 字",
                    f"at most {TEXT_MAX} characters",
                    "Shorten it; attach the rest as evidence.",
                )
            )
    if fact is not None and fact.severity == Severity.SERIOUS.value and not _text(draft.training):
        problems.append(
            problem(
                "CRD-REPAIR-TRAINING",
                "training",
                "严重失信信息的修复须参加信用修复培训",
                "a serious fact is repaired only after the credit-repair training",
                "Name the training attended (organiser, date, certificate number).",
            )
        )
    elif len(_text(draft.training)) > TEXT_MAX:
        problems.append(
            problem("CRD-REPAIR-TRAINING", "training", "内容过长", "too long", f"At most {TEXT_MAX} characters.")
        )
    return problems


def maker_checker(
    actor: str,
    *,
    applicant: str | None,
    maker: str | None,
    what: str,
    account: int | None = None,
    maker_account: int | None = None,
) -> list[Problem]:
    """Return the problem of an approval by the applicant or by the officer who proposed it (empty: allowed).

    When both the approver and the proposer signed in (``account``, ``maker_account``), their **accounts** are
    compared, not the recorded names: one officer with two API keys (``alice:key1``, ``alice:key2``) is one person.
    Otherwise the usernames are compared (the part before ``:``), and a proposal made by an account is approved by
    an account only (the operator's CLI names one: ``--as`` or ``CBEC_API_KEY``), so that a free name cannot pass a
    maker-checker step across transports.
    """
    if account is not None and maker_account is not None:
        maker = actor if account == maker_account else None
    elif maker is not None and _user(actor) == _user(maker):
        maker = actor  # one side without an account: the same username is the same person (alice:key1 = alice)
    if maker_account is not None and account is None and maker is not None and actor != maker:
        return [
            problem(
                "CRD-MAKER-CHECKER",
                "actor",
                "提议人以账号提议，审批人须以账号审批",
                f"the {what} was proposed by an account; approve it as an account too",
                "Sign in, or on the CLI name the account: --as USERNAME (or CBEC_API_KEY).",
            )
        ]
    if actor == applicant:
        return [
            problem(
                "CRD-MAKER-CHECKER",
                "actor",
                "申请人不能审批自己的申请",
                f"the applicant cannot approve their own {what}",
                "Another officer approves.",
            )
        ]
    if maker is not None and actor == maker:
        return [
            problem(
                "CRD-MAKER-CHECKER",
                "actor",
                "提议人不能自行批准（须另一人复核）",
                f"the officer who proposed the {what} cannot approve it",
                "A second officer approves.",
            )
        ]
    return []


def _user(name: str) -> str:
    """Return the username of a recorded actor (an API key's ``username:key prefix``; a session's username)."""
    return name.split(":", 1)[0]


def check_note(note: str | None, field: str = "note", *, required: bool) -> list[Problem]:
    """Return the problems of a decision's note (a rejection always says why)."""
    text = _text(note)
    if required and not text:
        return [problem("CRD-DECISION-NOTE", field, "须说明理由", "a reason is required", "Say why.")]
    if len(text) > TEXT_MAX:
        return [problem("CRD-DECISION-NOTE", field, "内容过长", "too long", f"At most {TEXT_MAX} characters.")]
    return []


# --- objection deadlines (configuration) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectionRule:
    """Review deadline of objections against facts of a source (``*``: any), in calendar days."""

    source: str
    review_days: int


@dataclass(frozen=True, slots=True)
class ObjectionPolicy:
    """An objection document: the review deadlines in force from ``effective_from`` until the next version."""

    code: str
    version: str
    effective_from: date
    legal_basis: str
    rules: tuple[ObjectionRule, ...]

    def deadline(self, source: str, filed_on: date) -> tuple[date, str]:
        """Return the day a decision is due on an objection filed on a day, and the rule it rests on."""
        rule = max(
            (r for r in self.rules if r.source in ("*", source)),
            key=lambda r: r.source != "*",
            default=None,
        )
        days = rule.review_days if rule is not None else 0
        basis = f"{self.code}@{self.version} {rule.source if rule else '*'}: {days} days; {self.legal_basis}"
        return filed_on + timedelta(days=days), basis[:1000]


def parse_objection(doc: Mapping[str, Any]) -> tuple[ObjectionPolicy | None, list[Problem]]:
    """Parse an objection document ({code, version, effective_from, legal_basis, rules: [{source, review_days}]})."""
    problems: list[Problem] = []
    try:
        start = date.fromisoformat(str(doc.get("effective_from", "")))
    except ValueError:
        problems.append(
            problem("CRD-OBJECTION-CONFIG", "effective_from", "生效日期无效", "not a date", "Use YYYY-MM-DD.")
        )
        start = date(2000, 1, 1)
    rules: list[ObjectionRule] = []
    raw = doc.get("rules")
    if not isinstance(raw, list) or not raw:
        problems.append(problem("CRD-OBJECTION-CONFIG", "rules", "缺少期限规则", "rules are missing", "Add rules."))
        raw = []
    for index, row in enumerate(raw):
        try:
            days = int(row["review_days"])
            source = str(row.get("source") or "*")
        except (KeyError, TypeError, ValueError, AttributeError):
            days, source = -1, "*"
        if not 1 <= days <= 365:
            problems.append(
                problem(
                    "CRD-OBJECTION-CONFIG",
                    f"rules[{index}].review_days",
                    "复核期限须为 1 至 365 天",
                    "review_days lies between 1 and 365",
                    "E.g. 20.",
                )
            )
            continue
        rules.append(ObjectionRule(source, days))
    code, version = str(doc.get("code") or ""), str(doc.get("version") or "")
    if not code or not version:
        problems.append(problem("CRD-OBJECTION-CONFIG", "code", "缺少编码或版本", "code and version", "Give both."))
    if problems:
        return None, problems
    return ObjectionPolicy(code, version, start, str(doc.get("legal_basis") or ""), tuple(rules)), []
