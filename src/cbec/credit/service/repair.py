"""Use cases of credit repair and objections (信用修复与异议); each public function is one transaction.

Facts stay append-only: an approved repair appends a row superseding the fact with its publication ending on the
day of approval (so the rating stops counting it from that day, and "as of" an earlier day still counts it), an
upheld objection appends a withdrawal. Every state change is audited and shared as an outbox event (kind credit).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditFact, CreditObjection, CreditPublicationEnd, CreditRepair, CreditSubject
from cbec.credit.repair import (
    OPEN_REPAIR,
    Change,
    FactState,
    ObjectionStatus,
    RepairDraft,
    RepairStatus,
    check_fact_for_repair,
    check_note,
    check_repair,
    maker_checker,
)
from cbec.credit.rules import FactType
from cbec.credit.schemas import DecisionIn, ObjectionIn, ObjectionRead, RepairIn, RepairRead
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.evidence import accept_file, keep_file
from cbec.credit.service.facts import subject_label
from cbec.credit.service.lists import sync_measures
from cbec.credit.service.sharing import share
from cbec.storage.context import Context


def fact_state(session: Session, fact: CreditFact) -> FactState:
    """Return what the repair rules read of a recorded fact."""
    current = not fact.retracted and not repo.superseded(session, fact.id)
    return FactState(fact.id, fact.fact_type, fact.severity, fact.publish_min_until, fact.publish_max_until, current)


def _fact_in_scope(session: Session, fact_id: int, scope: Scope) -> tuple[CreditFact, CreditSubject]:
    fact = repo.fact_by_id(session, fact_id)
    subject = repo.subject_by_id(session, fact.subject_id) if fact is not None else None
    if fact is None or subject is None or not repo.admits(scope, subject):
        raise CreditNotFound(
            f"no fact {fact_id} in the caller's scope",
            problems=[problem("CRD-FACT-UNKNOWN", "fact_id", "无此事实", f"no fact {fact_id}", "Check the id.")],
        )
    return fact, subject


def _source_allowed(fact: CreditFact, sources: frozenset[str] | None) -> None:
    if sources is not None and fact.source not in sources:
        raise CreditForbidden(
            "an agency decides on facts of its own source only",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "fact_id",
                    "只能处理本部门认定的事实",
                    f"the fact is of source {fact.source}",
                    "The agency that decided it (谁认定、谁修复), or the zone office.",
                )
            ],
        )


def repair_read(row: CreditRepair, subject: CreditSubject, fact: CreditFact) -> RepairRead:
    """Return the output shape of a repair application."""
    return RepairRead(
        id=row.id,
        subject=subject_label(subject),
        fact_id=row.fact_id,
        fact_type=fact.fact_type,
        severity=fact.severity,
        document_no=fact.document_no,
        status=row.status,
        evidence_sha256=row.evidence_sha256,
        description=row.description,
        commitment=row.commitment,
        training=row.training,
        applicant=row.applicant,
        applied_at=row.applied_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_note=row.review_note,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        result_fact_id=row.result_fact_id,
    )


def objection_read(row: CreditObjection, subject: CreditSubject, fact: CreditFact, today: date) -> ObjectionRead:
    """Return the output shape of an objection (``overdue``: still open after its deadline)."""
    return ObjectionRead(
        id=row.id,
        subject=subject_label(subject),
        fact_id=row.fact_id,
        fact_type=fact.fact_type,
        severity=fact.severity,
        document_no=fact.document_no,
        status=row.status,
        reason=row.reason,
        evidence_sha256=row.evidence_sha256,
        applicant=row.applicant,
        filed_at=row.filed_at,
        due_on=row.due_on,
        overdue=row.status == ObjectionStatus.OPEN.value and row.due_on < today,
        deadline_basis=row.deadline_basis,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        result_fact_id=row.result_fact_id,
    )


def _audit(session: Session, now: datetime, actor: str, action: str, subject: CreditSubject, **after: Any) -> None:
    record_audit(
        session,
        at=now,
        actor=actor,
        action=action,
        entity_type="credit_subject",
        entity_key=subject_label(subject),
        after=after,
    )


def successor(fact: CreditFact, *, actor: str, now: datetime, **changes: Any) -> dict[str, Any]:
    """Return the values of a row superseding a fact (a copy with changes): facts are never updated."""
    values = {
        column: getattr(fact, column)
        for column in (
            "subject_id",
            "fact_type",
            "severity",
            "source",
            "tier",
            "grade",
            "list_type",
            "quantity",
            "legal_basis",
            "document_no",
            "decided_on",
            "valid_from",
            "valid_to",
            "publish_min_until",
            "publish_max_until",
            "window_basis",
            "evidence_sha256",
            "note",
        )
    }
    values.update(
        detail=dict(fact.detail or {}),
        supersedes_id=fact.id,
        retracted=False,
        dedupe_key=None,
        recorded_at=now,
        recorded_by=actor,
    )
    values.update(changes)
    return values


# --- repair ------------------------------------------------------------------------------------------------------


def apply_repair(ctx: Context, data: RepairIn, *, actor: str, scope: Scope = EVERYTHING) -> RepairRead:
    """Record an enterprise's repair application for one of its facts, refused (every problem listed) before the
    fact's minimum publication window ends, for a fact not negative, not current or already ended."""
    now = ctx.clock.now()
    today = business_date(now)
    file = accept_file(data.evidence_file, data.evidence_sha256 or None)  # the digest kept is the file's own
    if file is not None:
        data = data.model_copy(update={"evidence_sha256": file.sha256, "evidence_file": None})
    draft = RepairDraft(data.fact_id, data.evidence_sha256, data.description, data.commitment, data.training)
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _fact_in_scope(session, data.fact_id, scope)
        problems = check_repair(fact_state(session, fact), draft, today)
        if problems:
            raise CreditInvalid("the repair application breaks the rules", problems=problems)
        if repo.open_on_fact(session, CreditRepair, fact.id, OPEN_REPAIR) is not None:
            raise CreditConflict(
                "a repair application of the fact is open",
                problems=[
                    problem(
                        "CRD-REPAIR-OPEN",
                        "fact_id",
                        "该事实已有待处理的修复申请",
                        "a repair application of this fact is already open",
                        "Wait for its decision.",
                    )
                ],
            )
        row = repo.add_row(
            session,
            CreditRepair(
                fact_id=fact.id,
                subject_id=subject.id,
                status=RepairStatus.PENDING.value,
                evidence_sha256=draft.evidence_sha256.strip().lower(),
                description=draft.description.strip(),
                commitment=draft.commitment.strip(),
                training=(draft.training or "").strip() or None,
                applicant=actor,
                applied_at=now,
            ),
        )
        if file is not None:
            keep_file(
                session,
                ctx.cipher,
                file,
                subject_id=subject.id,
                purpose="repair",
                reference=row.id,
                actor=actor,
                now=now,
            )
        _audit(session, now, actor, "credit.repair.applied", subject, repair=row.id, fact=fact.id)
        share(ctx, session, Change.REPAIR_APPLIED, subject, fact, reference=row.id, on=today)
        result = repair_read(row, subject, fact)
        uow.commit()
    return result


def refuse_status(what: str, status: str, allowed: str) -> CreditConflict:
    """Return the refusal of an action the application's status does not allow."""
    return CreditConflict(
        f"the {what} is {status}",
        problems=[
            problem(
                "CRD-STATUS",
                "action",
                f"当前状态（{status}）不能进行此操作",
                f"the {what} is {status}; this action needs {allowed}",
                "Reload the queue.",
            )
        ],
    )


def bad_action(action: str, allowed: tuple[str, ...]) -> CreditInvalid:
    """Return the refusal of an unknown action."""
    return CreditInvalid(
        f"unknown action {action!r}",
        problems=[problem("CRD-ACTION", "action", "未知操作", f"unknown action {action!r}", f"One of {allowed}.")],
    )


def decide_repair(
    ctx: Context,
    repair_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
    account: int | None = None,
) -> RepairRead:
    """An officer's step on a repair: ``propose`` (a first officer reviews and proposes approval), ``approve`` (a
    second officer: never the proposer, never the applicant; publication ends today) or ``reject`` (with a reason).

    ``account``: the signed-in officer's account; when the proposer's is known too, maker-checker compares accounts,
    so a second API key of the proposer is refused (the CLI, which has none, compares ``actor``)."""
    actions = ("propose", "approve", "reject")
    if decision.action not in actions:
        raise bad_action(decision.action, actions)
    now = ctx.clock.now()
    today = business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        row = repo.repair_by_id(session, repair_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(f"no repair application {repair_id}")
        fact, _ = _fact_in_scope(session, row.fact_id, EVERYTHING)
        _source_allowed(fact, sources)
        problems: list[Problem] = check_note(decision.note, required=decision.action == "reject")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        note = (decision.note or "").strip() or None
        change: Change
        if decision.action == "reject":
            if row.status not in OPEN_REPAIR:
                raise refuse_status("repair application", row.status, "pending or proposed")
            row.status, row.decided_by, row.decided_at, row.decision_note = (
                RepairStatus.REJECTED.value,
                actor,
                now,
                note,
            )
            change = Change.REPAIR_REJECTED
        else:
            problems = maker_checker(actor, applicant=row.applicant, maker=None, what="repair")
            if decision.action == "approve":
                if row.status != RepairStatus.PROPOSED.value:
                    raise refuse_status("repair application", row.status, "proposed (a first officer proposes)")
                problems = maker_checker(
                    actor,
                    applicant=row.applicant,
                    maker=row.reviewed_by,
                    what="repair",
                    account=account,
                    maker_account=row.reviewed_by_account,
                )
            elif row.status != RepairStatus.PENDING.value:
                raise refuse_status("repair application", row.status, "pending")
            if problems:
                raise CreditForbidden("maker-checker: another officer decides", problems=problems)
            refused = check_fact_for_repair(fact_state(session, fact), today)  # checked again on the day of the step
            if refused:
                raise CreditInvalid("the fact cannot be repaired today", problems=refused)
            if decision.action == "propose":
                row.status, row.reviewed_by, row.reviewed_at = RepairStatus.PROPOSED.value, actor, now
                row.reviewed_by_account = account
                row.review_note = note
                change = Change.REPAIR_PROPOSED
            else:
                ends = min(today, fact.publish_max_until) if fact.publish_max_until else today
                detail = {**(fact.detail or {}), "repair": row.id, "repaired_on": today.isoformat()}
                ended = repo.add_fact(
                    session, **successor(fact, actor=actor, now=now, publish_max_until=ends, detail=detail)
                )
                repo.add_row(
                    session,
                    CreditPublicationEnd(
                        fact_id=ended.id,
                        subject_id=subject.id,
                        cause="repaired",
                        ended_on=ends,
                        recorded_at=now,
                        recorded_by=actor,
                    ),
                )
                row.status, row.decided_by, row.decided_at = RepairStatus.APPROVED.value, actor, now
                row.decision_note, row.result_fact_id = note, ended.id
                change = Change.REPAIR_APPROVED
        session.flush()
        if change is Change.REPAIR_APPROVED and fact.fact_type == FactType.LIST_ENTRY.value:
            sync_measures(ctx, session, now=now, actor=actor, subject_ids={subject.id})  # lifts the entry's measures
        _audit(session, now, actor, f"credit.repair.{row.status}", subject, repair=row.id, fact=fact.id, note=note)
        share(
            ctx,
            session,
            change,
            subject,
            fact,
            reference=row.id,
            on=today,
            new_fact_id=row.result_fact_id,
            published_until=today if change is Change.REPAIR_APPROVED else None,
        )
        result = repair_read(row, subject, fact)
        uow.commit()
    return result


# --- objections --------------------------------------------------------------------------------------------------


def file_objection(ctx: Context, data: ObjectionIn, *, actor: str, scope: Scope = EVERYTHING) -> ObjectionRead:
    """Record an objection against a current fact, due for decision by the configured review deadline."""
    now = ctx.clock.now()
    today = business_date(now)
    file = accept_file(data.evidence_file, data.evidence_sha256)
    if file is not None:
        data = data.model_copy(update={"evidence_sha256": file.sha256, "evidence_file": None})
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _fact_in_scope(session, data.fact_id, scope)
        problems: list[Problem] = []
        if not fact_state(session, fact).current:
            problems.append(
                problem(
                    "CRD-OBJECTION-FACT",
                    "fact_id",
                    "该事实已被更正或撤回",
                    f"fact {fact.id} was corrected or withdrawn",
                    "Object to the current row of the fact.",
                )
            )
        reason = data.reason.strip()
        if not reason or len(reason) > 2000:
            problems.append(
                problem(
                    "CRD-OBJECTION-REASON",
                    "reason",
                    "须说明异议理由（不超过 2000 字）",
                    "a reason of at most 2000 characters is required",
                    "Say what is wrong with the fact.",
                )
            )
        digest = (data.evidence_sha256 or "").strip().lower() or None
        if digest is not None and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
            problems.append(
                problem(
                    "CRD-OBJECTION-EVIDENCE",
                    "evidence_sha256",
                    "证明材料摘要须为 64 位十六进制",
                    "the evidence digest is 64 hex characters",
                    "Give the SHA-256 of the file, or nothing.",
                )
            )
        if problems:
            raise CreditInvalid("the objection breaks the rules", problems=problems)
        if repo.open_on_fact(session, CreditObjection, fact.id, [ObjectionStatus.OPEN.value]) is not None:
            raise CreditConflict(
                "an objection to the fact is open",
                problems=[
                    problem(
                        "CRD-OBJECTION-OPEN",
                        "fact_id",
                        "该事实已有待处理的异议",
                        "an objection to this fact is already open",
                        "Wait for its decision.",
                    )
                ],
            )
        policy = configuration(session).objection_on(today)
        if policy is None:
            raise missing("objection")
        due, basis = policy.deadline(fact.source, today)
        row = repo.add_row(
            session,
            CreditObjection(
                fact_id=fact.id,
                subject_id=subject.id,
                status=ObjectionStatus.OPEN.value,
                reason=reason,
                evidence_sha256=digest,
                applicant=actor,
                filed_at=now,
                due_on=due,
                deadline_basis=basis,
            ),
        )
        if file is not None:
            keep_file(
                session,
                ctx.cipher,
                file,
                subject_id=subject.id,
                purpose="objection",
                reference=row.id,
                actor=actor,
                now=now,
            )
        _audit(session, now, actor, "credit.objection.filed", subject, objection=row.id, fact=fact.id, due=str(due))
        share(ctx, session, Change.OBJECTION_FILED, subject, fact, reference=row.id, on=today)
        result = objection_read(row, subject, fact, today)
        uow.commit()
    return result


def decide_objection(
    ctx: Context,
    objection_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ObjectionRead:
    """An officer decides an objection: ``uphold`` (the fact is withdrawn by a new row) or ``dismiss`` (with a
    reason). The applicant never decides their own objection."""
    actions = ("uphold", "dismiss")
    if decision.action not in actions:
        raise bad_action(decision.action, actions)
    now = ctx.clock.now()
    today = business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        row = repo.objection_by_id(session, objection_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(f"no objection {objection_id}")
        fact, _ = _fact_in_scope(session, row.fact_id, EVERYTHING)
        _source_allowed(fact, sources)
        if row.status != ObjectionStatus.OPEN.value:
            raise refuse_status("objection", row.status, "open")
        problems = check_note(decision.note, required=decision.action == "dismiss")
        problems += maker_checker(actor, applicant=row.applicant, maker=None, what="objection")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        note = (decision.note or "").strip() or None
        change = Change.OBJECTION_DISMISSED
        if decision.action == "uphold":
            if not fact_state(session, fact).current:
                raise CreditConflict(
                    "the fact was corrected meanwhile",
                    problems=[
                        problem(
                            "CRD-OBJECTION-FACT",
                            "fact_id",
                            "该事实已被更正或撤回",
                            "the fact was corrected or withdrawn meanwhile",
                            "Dismiss this objection; object to the current row.",
                        )
                    ],
                )
            detail = {**(fact.detail or {}), "objection": row.id}
            withdrawal = repo.add_fact(
                session, **successor(fact, actor=actor, now=now, retracted=True, detail=detail, note=note)
            )
            row.result_fact_id = withdrawal.id
            change = Change.OBJECTION_UPHELD
        row.status = ObjectionStatus.UPHELD.value if decision.action == "uphold" else ObjectionStatus.DISMISSED.value
        row.decided_by, row.decided_at, row.decision_note = actor, now, note
        session.flush()
        if change is Change.OBJECTION_UPHELD and fact.fact_type == FactType.LIST_ENTRY.value:
            sync_measures(ctx, session, now=now, actor=actor, subject_ids={subject.id})  # lifts the entry's measures
        _audit(session, now, actor, f"credit.objection.{row.status}", subject, objection=row.id, fact=fact.id)
        share(ctx, session, change, subject, fact, reference=row.id, on=today, new_fact_id=row.result_fact_id)
        result = objection_read(row, subject, fact, today)
        uow.commit()
    return result
