"""Use cases of credit facts (信用事实): an agency's fact entered over the API, or a file of them imported.

Every fact is checked against the rules (cbec.credit.rules) and the configuration in force (the customs scheme on
the fact's first day, the disclosure window on its decision date); a file is recorded all or nothing, with every
problem reported by row, rule id and field. Corrections are new rows naming the row they supersede.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.ids import validate_resident_id
from cbec.common.personal import PersonalDataCipher
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.rules import FactDraft, FactType, Severity, dedupe_key, parse_fact, publication_window
from cbec.credit.schemas import FactIn, FactRead, ImportReport
from cbec.credit.schemes import Configuration
from cbec.credit.service.config import configuration
from cbec.credit.service.evidence import accept_file, keep_file
from cbec.enterprises.lookups import find_by_code
from cbec.reference import by_row, read_records
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class Planned:
    """A checked fact with its computed severity and window, ready to be written."""

    draft: FactDraft
    severity: Severity
    publish_min_until: date
    publish_max_until: date | None
    window_basis: str


def subject_label(subject: CreditSubject | repo.SubjectRow) -> str:
    """Return how a subject is named in outputs: its credit code, customs code, or person:<hash prefix>."""
    return subject.uscc or subject.customs_code or f"person:{(subject.person_key or '')[:12]}"


def fact_read(fact: CreditFact, subject: CreditSubject) -> FactRead:
    """Return the output shape of a recorded fact."""
    return FactRead(
        id=fact.id,
        subject=subject_label(subject),
        fact_type=fact.fact_type,
        severity=fact.severity,
        source=fact.source,
        tier=fact.tier,
        grade=fact.grade,
        list_type=fact.list_type,
        quantity=fact.quantity,
        legal_basis=fact.legal_basis,
        document_no=fact.document_no,
        decided_on=fact.decided_on,
        valid_from=fact.valid_from,
        valid_to=fact.valid_to,
        publish_min_until=fact.publish_min_until,
        publish_max_until=fact.publish_max_until,
        evidence_sha256=fact.evidence_sha256,
        supersedes=fact.supersedes_id,
        retracted=fact.retracted,
        recorded_at=fact.recorded_at,
        recorded_by=fact.recorded_by,
    )


def plan_fact(
    session: Session, draft: FactDraft, config: Configuration, prefix: str = ""
) -> tuple[Planned | None, list[Problem]]:
    """Check a fact against the configuration in force and compute its severity and publication window."""
    problems: list[Problem] = []
    severity = draft.severity
    if draft.fact_type is FactType.CUSTOMS_TIER:
        scheme = config.scheme_on(draft.valid_from)
        tier = scheme.tier(draft.tier or "") if scheme is not None else None
        if scheme is None:
            problems.append(
                problem(
                    "CRD-SCHEME-MISSING",
                    prefix + "valid_from",
                    f"{draft.valid_from} 无海关信用方案",
                    f"no customs scheme is in force on {draft.valid_from}",
                    "Load the scheme (cbec credit seed) or check the date.",
                )
            )
        elif tier is None:
            codes = ", ".join(t.code for t in scheme.tiers)
            problems.append(
                problem(
                    "CRD-TIER",
                    prefix + "tier",
                    f"{scheme.code} 无此等级: {draft.tier}",
                    f"tier {draft.tier!r} does not exist under {scheme.code} on {draft.valid_from}",
                    f"Use one of: {codes}.",
                )
            )
        else:
            severity = tier.severity
    window = config.window_for(draft.source.value, draft.fact_type.value, severity.value, draft.decided_on)
    if window is None:
        problems.append(
            problem(
                "CRD-WINDOW-MISSING",
                prefix + "severity",
                "未配置该类事实的公示期限",
                f"no disclosure window for {draft.source}/{draft.fact_type}/{severity} on {draft.decided_on}",
                "Load the windows (cbec credit seed) or add a row.",
            )
        )
    if draft.supersedes is not None and repo.fact_by_id(session, draft.supersedes) is None:
        problems.append(
            problem(
                "CRD-SUPERSEDES",
                prefix + "supersedes",
                f"被更正的事实 {draft.supersedes} 不存在",
                f"fact {draft.supersedes} does not exist",
                "Give the id of a recorded fact.",
            )
        )
    if problems or window is None:
        return None, problems
    low, high = publication_window(draft.decided_on, window.min_months, window.max_months)
    basis = (
        f"{window.source}/{window.fact_type}/{window.severity} {window.min_months}-{window.max_months or '∞'} "
        f"months: {window.legal_basis}"
    )
    return Planned(draft, severity, low, high, basis[:1000]), []


def resolve_subject(
    session: Session, draft: FactDraft, cipher: PersonalDataCipher, now: datetime, scope: Scope
) -> tuple[CreditSubject, bool]:
    """Return the subject of a fact, made if new (an enterprise completed from its filing); (subject, created).

    A subject outside the scope is not found, whether or not it exists.
    """
    if draft.person_id is not None:
        if not scope.unrestricted:
            raise CreditNotFound("persons are the hub's")
        key = cipher.blind_index(draft.person_id)
        existed = repo.subject_by_person_key(session, key) is not None
        return repo.ensure_person(session, key, now), not existed
    code = draft.subject_code or ""
    existing = repo.subject_by_code(session, code)
    filed = find_by_code(session, code)
    uscc = filed.uscc if filed else (code if len(code) == 18 else None)
    customs = filed.customs_code if filed else (code if len(code) == 10 else None)
    tenant = filed.zone if filed else (existing.tenant if existing else repo.HUB)
    listed_name = draft.subject_name if existing is None or not existing.name else None  # a filing's name wins
    if not scope.admits_tenant(tenant) or not scope.admits_party([uscc, customs]):
        raise CreditNotFound(f"no credit subject {code} in the caller's scope")
    subject = repo.ensure_enterprise(
        session, uscc=uscc, customs_code=customs, name=filed.name if filed else listed_name, tenant=tenant, now=now
    )
    return subject, existing is None


def write_fact(
    session: Session,
    planned: Planned,
    subject: CreditSubject,
    *,
    actor: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> CreditFact:
    """Append a planned fact and its audit record."""
    d = planned.draft
    fact = repo.add_fact(
        session,
        subject_id=subject.id,
        fact_type=d.fact_type.value,
        severity=planned.severity.value,
        source=d.source.value,
        tier=d.tier,
        grade=d.grade,
        list_type=d.list_type.value if d.list_type else None,
        quantity=d.quantity,
        legal_basis=d.legal_basis,
        document_no=d.document_no,
        decided_on=d.decided_on,
        valid_from=d.valid_from,
        valid_to=d.valid_to,
        publish_min_until=planned.publish_min_until,
        publish_max_until=planned.publish_max_until,
        window_basis=planned.window_basis,
        evidence_sha256=d.evidence_sha256,
        note=d.note,
        detail=detail or {},
        supersedes_id=d.supersedes,
        retracted=d.retracted,
        dedupe_key=dedupe_key(d, subject.person_key or subject_label(subject)),
        recorded_at=now,
        recorded_by=actor,
    )
    action = (
        "credit.fact.retracted"
        if d.retracted
        else ("credit.fact.corrected" if d.supersedes else "credit.fact.recorded")
    )
    record_audit(
        session,
        at=now,
        actor=actor,
        action=action,
        entity_type="credit_subject",
        entity_key=subject_label(subject),
        after={
            "fact": fact.id,
            "type": fact.fact_type,
            "severity": fact.severity,
            "source": fact.source,
            "document_no": fact.document_no,
            "supersedes": fact.supersedes_id,
        },
    )
    return fact


def _duplicate(prefix: str, key: str) -> Problem:
    return problem(
        "CRD-DUPLICATE",
        prefix + "document_no",
        "该决定已登记",
        f"already recorded: {key}",
        "A correction names the fact it supersedes (supersedes) instead.",
    )


def record_fact(
    ctx: Context, data: FactIn, *, actor: str, scope: Scope = EVERYTHING, sources: frozenset[str] | None = None
) -> FactRead:
    """Record one fact an agency enters. ``sources``: the sources the caller may record (None: any)."""
    now = ctx.clock.now()
    file = accept_file(data.evidence_file, data.evidence_sha256)  # the digest kept is the file's own
    if file is not None:
        data = data.model_copy(update={"evidence_sha256": file.sha256, "evidence_file": None})
    draft, problems = parse_fact(data.raw(), today=business_date(now))
    if draft is None:
        raise CreditInvalid("the fact breaks the rules", problems=problems)
    if sources is not None and draft.source.value not in sources:
        raise CreditForbidden(
            f"the caller records facts of {sorted(sources)} only",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "source",
                    "只能登记本部门认定的事实",
                    "an agency records only the facts it decided",
                    f"Use source {sorted(sources)[0]}." if sources else "Ask the zone office.",
                )
            ],
        )
    with ctx.uow() as uow:
        session = uow.session
        subject, _ = resolve_subject(session, draft, ctx.cipher, now, scope)
        planned, problems = plan_fact(session, draft, configuration(session))
        if planned is None:
            raise CreditInvalid("the fact breaks the rules", problems=problems)
        if draft.supersedes is not None:
            _same_subject(session, draft.supersedes, subject, "")
        key = dedupe_key(draft, subject.person_key or subject_label(subject))
        if key is not None and repo.fact_by_dedupe_key(session, key) is not None:
            raise CreditInvalid("the fact is already recorded", problems=[_duplicate("", key)])
        fact = write_fact(session, planned, subject, actor=actor, now=now)
        if file is not None:
            keep_file(
                session,
                ctx.cipher,
                file,
                subject_id=subject.id,
                purpose="fact",
                reference=fact.id,
                actor=actor,
                now=now,
            )
        if fact.fact_type == FactType.LIST_ENTRY.value:
            _sync_lists(ctx, session, now, actor, [subject.id])
        result = fact_read(fact, subject)
        uow.commit()
    return result


def _sync_lists(ctx: Context, session: Session, now: datetime, actor: str, subject_ids: Iterable[int]) -> None:
    """Apply or lift the measures of the subjects' list entries in this transaction (joint punishment)."""
    from cbec.credit.service.lists import sync_measures

    sync_measures(ctx, session, now=now, actor=actor, subject_ids=set(subject_ids))


def _same_subject(session: Session, fact_id: int, subject: CreditSubject, prefix: str) -> None:
    old = repo.fact_by_id(session, fact_id)
    if old is not None and old.subject_id != subject.id:
        raise CreditInvalid(
            "a correction is about the same subject",
            problems=[
                problem(
                    "CRD-SUPERSEDES",
                    prefix + "supersedes",
                    "更正须针对同一主体",
                    f"fact {fact_id} is about another subject",
                    "Correct a fact of the same subject.",
                )
            ],
        )


def import_facts(ctx: Context, path: str | Path, *, actor: str = "cli") -> ImportReport:
    """Import agencies' facts from a CSV or JSON file ({"facts": [...]} or a list): check every row, then record all
    rows or none; every problem names its row (``row[N].field``), rule id and field."""
    file_path = Path(path)
    _, records = read_records(file_path, list_key="facts")
    now = ctx.clock.now()
    today = business_date(now)
    problems: list[Problem] = []
    drafts: list[tuple[int, FactDraft]] = []
    for row_no, record in records:
        draft, found = parse_fact(record, today=today)
        problems.extend(Problem(p.rule_id, f"row[{row_no}].{p.field}", p.message, p.hint) for p in found)
        if draft is not None:
            drafts.append((row_no, draft))
    if not records:
        problems.append(problem("CRD-EMPTY", "row[2]", "文件没有数据行", "the file has no data rows", "Add rows."))
    with ctx.uow() as uow:
        session = uow.session
        config = configuration(session)
        plan: list[tuple[Planned, CreditSubject]] = []
        seen: dict[str, int] = {}
        created = 0
        for row_no, draft in drafts:
            prefix = f"row[{row_no}]."
            planned, found = plan_fact(session, draft, config, prefix)
            problems.extend(found)
            if planned is None:
                continue
            subject, made = resolve_subject(session, draft, ctx.cipher, now, EVERYTHING)
            created += int(made)
            if draft.supersedes is not None:
                old = repo.fact_by_id(session, draft.supersedes)
                if old is not None and old.subject_id != subject.id:
                    problems.append(
                        problem(
                            "CRD-SUPERSEDES",
                            prefix + "supersedes",
                            "更正须针对同一主体",
                            f"fact {draft.supersedes} is about another subject",
                            "Correct a fact of the same subject.",
                        )
                    )
            key = dedupe_key(draft, subject.person_key or subject_label(subject))
            if key is not None and key in seen:
                problems.append(
                    problem(
                        "CRD-DUPLICATE-ROW",
                        prefix + "document_no",
                        f"与第{seen[key]}行重复",
                        f"the same decision is in row {seen[key]}",
                        "Keep one row per decision.",
                    )
                )
            elif key is not None and repo.fact_by_dedupe_key(session, key) is not None:
                problems.append(_duplicate(prefix, key))
            elif key is not None:
                seen[key] = row_no
            plan.append((planned, subject))
        if problems:
            raise CreditInvalid(
                f"{file_path.name}: {len(problems)} problem(s); nothing was imported", problems=by_row(problems)
            )
        listed: set[int] = set()
        for planned, subject in plan:
            written = write_fact(session, planned, subject, actor=actor, now=now)
            if written.fact_type == FactType.LIST_ENTRY.value:
                listed.add(subject.id)
        if listed:
            _sync_lists(ctx, session, now, actor, listed)
        try:
            uow.commit()
        except IntegrityError as exc:
            raise CreditInvalid(
                f"{file_path.name}: the rows clash with facts recorded meanwhile; nothing was imported",
                problems=[problem("CRD-CLASH", "file", "与同时登记的事实冲突", str(exc.orig), "Run the import again.")],
            ) from exc
    return ImportReport(source=str(file_path), rows=len(records), recorded=len(plan), subjects_created=created)


def check_person_id(number: str, today: date) -> list[Problem]:
    """Return the problems of a person's ID number (facts about persons need a valid resident ID)."""
    return [p for p in validate_resident_id(number, today=today, field="person_id") if p.severity == "error"]
