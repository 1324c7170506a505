"""Publication past the maximum for uncorrected behaviour (未整改继续公示; six-systems §2(g), NDRC: publication stops
at the maximum "unless the behaviour was not corrected", sector rules then apply).

An officer flags a current negative fact before its window's maximum, naming the sector rule and why; **another
account** confirms it (maker-checker, as repairs and overrides). The confirmation appends a row superseding the fact,
identical but for ``publish_max_until`` = the flag's ``until`` (open when empty: until a repair is approved) and
``detail.uncorrected`` — so the rating, the lists, their measures and the daily job follow the new end with no
special case, and "as known before" still sees the window's end. The daily job reports every fact it keeps
publishing past its window's maximum. Agencies flag and confirm their own source's facts only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditFact, CreditSubject, CreditUncorrected
from cbec.credit.repair import Change, check_note, maker_checker
from cbec.credit.rules import NEGATIVE, FactType
from cbec.credit.schemas import DecisionIn, UncorrectedIn, UncorrectedPastRead, UncorrectedRead
from cbec.credit.service.facts import subject_label
from cbec.credit.service.lists import sync_measures
from cbec.credit.service.repair import _fact_in_scope, _source_allowed, bad_action, refuse_status, successor
from cbec.credit.service.sharing import share
from cbec.storage.context import Context
from cbec.storage.locks import lock_keys

PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"
TEXT_MAX = 2000


def flag_read(row: CreditUncorrected, subject: CreditSubject) -> UncorrectedRead:
    """Return the output shape of a flag."""
    return UncorrectedRead(
        id=row.id,
        fact_id=row.fact_id,
        subject=subject_label(subject),
        status=row.status,
        legal_basis=row.legal_basis,
        reason=row.reason,
        window_max=row.window_max,
        until=row.until,
        flagged_by=row.flagged_by,
        flagged_by_account=row.flagged_by_account,
        flagged_at=row.flagged_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        result_fact_id=row.result_fact_id,
    )


def check_flag(fact: CreditFact, current: bool, data: UncorrectedIn, today: date) -> list[Problem]:
    """Return why a fact cannot be flagged uncorrected today (empty: it can)."""
    problems: list[Problem] = []
    if not current:
        problems.append(
            problem(
                "CRD-UNCORRECTED-FACT",
                "fact_id",
                "该事实已被更正、修复或撤回",
                f"fact {fact.id} was corrected, repaired or withdrawn",
                "Flag the current row of the fact.",
            )
        )
    if fact.severity not in {s.value for s in NEGATIVE} or fact.fact_type == FactType.CUSTOMS_TIER.value:
        problems.append(
            problem(
                "CRD-UNCORRECTED-NEGATIVE",
                "fact_id",
                "只有失信事实可继续公示",
                "only a negative fact (not a customs tier) is published past its maximum",
                "Flag a penalty, a list entry or another negative fact.",
            )
        )
    if fact.publish_max_until is None or today >= fact.publish_max_until:
        problems.append(
            problem(
                "CRD-UNCORRECTED-LATE",
                "fact_id",
                "须在公示期满前标记并确认",
                f"flag and confirm before the end of publication ({fact.publish_max_until or 'open'})",
                "Publication ended on its maximum: record a new decision instead.",
            )
        )
    elif data.until is not None and data.until <= fact.publish_max_until:
        problems.append(
            problem(
                "CRD-UNCORRECTED-UNTIL",
                "until",
                f"继续公示的截止日期须晚于 {fact.publish_max_until}",
                f"until must be after the window's maximum {fact.publish_max_until}",
                "Leave it empty to publish until the fact is repaired.",
            )
        )
    for field, text, zh in (("legal_basis", data.legal_basis, "行业规定"), ("reason", data.reason, "理由")):
        if not text.strip() or len(text) > TEXT_MAX:
            problems.append(
                problem(
                    "CRD-UNCORRECTED-TEXT",
                    field,
                    f"须写明{zh}（至多2000字）",
                    f"{field} is required (at most {TEXT_MAX} characters)",
                    "Cite the sector rule and say what was not corrected.",
                )
            )
    return problems


def _current(session: Session, fact: CreditFact) -> bool:
    return not fact.retracted and not repo.superseded(session, fact.id)


def _open(session: Session, fact_id: int) -> CreditUncorrected | None:
    lock_keys(session, [f"credit-uncorrected:{fact_id}"])
    stmt = select(CreditUncorrected).where(CreditUncorrected.fact_id == fact_id, CreditUncorrected.status == PENDING)
    return session.scalars(stmt).first()


def flag_uncorrected(
    ctx: Context,
    data: UncorrectedIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> UncorrectedRead:
    """Flag a fact uncorrected (another account confirms it before publication continues)."""
    now = ctx.clock.now()
    today = business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _fact_in_scope(session, data.fact_id, scope)
        _source_allowed(fact, sources)
        problems = check_flag(fact, _current(session, fact), data, today)
        if problems:
            raise CreditInvalid("the flag breaks the rules", problems=problems)
        held = _open(session, fact.id)
        if held is not None:
            raise CreditConflict(
                f"flag {held.id} on fact {fact.id} waits for a second officer",
                problems=[
                    problem(
                        "CRD-UNCORRECTED-OPEN",
                        "fact_id",
                        f"该事实已有待确认的标记（{held.id}）",
                        f"flag {held.id} on this fact waits for a second officer",
                        "Confirm or reject it first.",
                    )
                ],
            )
        assert fact.publish_max_until is not None  # checked
        row = repo.add_row(
            session,
            CreditUncorrected(
                fact_id=fact.id,
                subject_id=subject.id,
                status=PENDING,
                legal_basis=data.legal_basis.strip(),
                reason=data.reason.strip(),
                window_max=fact.publish_max_until,
                until=data.until,
                flagged_by=actor,
                flagged_by_account=account,
                flagged_at=now,
            ),
        )
        _audit(session, row, subject, actor, "credit.uncorrected.flagged", now)
        share(ctx, session, Change.UNCORRECTED_FLAGGED, subject, fact, reference=row.id, on=today)
        result = flag_read(row, subject)
        uow.commit()
    return result


def decide_uncorrected(
    ctx: Context,
    flag_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> UncorrectedRead:
    """Another account ``confirm``s a flag (publication continues: a row with the new end supersedes the fact) or
    anyone of the officers ``reject``s it with a note."""
    if decision.action not in ("confirm", "reject"):
        raise bad_action(decision.action, ("confirm", "reject"))
    now = ctx.clock.now()
    today = business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        lock_keys(session, [f"credit-uncorrected-flag:{flag_id}"])
        row = session.get(CreditUncorrected, flag_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(
                f"no uncorrected flag {flag_id}",
                problems=[problem("CRD-UNCORRECTED-UNKNOWN", "id", "无此标记", f"no flag {flag_id}", "Check the id.")],
            )
        if row.status != PENDING:
            raise refuse_status("uncorrected flag", row.status, PENDING)
        fact, _ = _fact_in_scope(session, row.fact_id, EVERYTHING)
        _source_allowed(fact, sources)
        problems = check_note(decision.note, required=decision.action == "reject")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        row.decision_note = (decision.note or "").strip() or None
        row.decided_by, row.decided_by_account, row.decided_at = actor, account, now
        if decision.action == "reject":
            row.status = REJECTED
            change = Change.UNCORRECTED_REJECTED
        else:
            checker = maker_checker(
                actor,
                applicant=None,
                maker=row.flagged_by,
                what="uncorrected flag",
                account=account,
                maker_account=row.flagged_by_account,
            )
            if checker:
                raise CreditForbidden("maker-checker: another officer confirms", problems=checker)
            again = UncorrectedIn(fact_id=fact.id, legal_basis=row.legal_basis, reason=row.reason, until=row.until)
            problems = check_flag(fact, _current(session, fact), again, today)
            if problems:
                raise CreditInvalid("the flag no longer holds", problems=problems)
            detail = {**(fact.detail or {}), "uncorrected": row.id, "window_max": row.window_max.isoformat()}
            continued = repo.add_fact(
                session,
                **successor(fact, actor=actor, now=now, publish_max_until=row.until, detail=detail),
            )
            row.status, row.result_fact_id = CONFIRMED, continued.id
            change = Change.UNCORRECTED_CONFIRMED
        session.flush()
        if row.status == CONFIRMED and fact.fact_type == FactType.LIST_ENTRY.value:
            sync_measures(ctx, session, now=now, actor=actor, subject_ids={subject.id})  # the measures follow the row
        _audit(session, row, subject, actor, f"credit.uncorrected.{row.status}", now)
        share(ctx, session, change, subject, fact, reference=row.id, on=today, new_fact_id=row.result_fact_id)
        result = flag_read(row, subject)
        uow.commit()
    return result


def list_uncorrected(ctx: Context, *, status: str | None = None, scope: Scope = EVERYTHING) -> list[UncorrectedRead]:
    """Return the uncorrected flags of a scope (of a status), newest first."""
    if status is not None and status not in (PENDING, CONFIRMED, REJECTED):
        raise CreditInvalid(
            f"unknown status {status!r}",
            problems=[
                problem("CRD-STATUS", "status", "未知状态", f"unknown status {status!r}", "pending, confirmed …")
            ],
        )
    with ctx.uow() as uow:
        session = uow.session
        stmt = select(CreditUncorrected, CreditSubject).join(
            CreditSubject, CreditSubject.id == CreditUncorrected.subject_id
        )
        if status is not None:
            stmt = stmt.where(CreditUncorrected.status == status)
        for condition in repo.in_scope(scope):
            stmt = stmt.where(condition)
        found = session.execute(stmt.order_by(CreditUncorrected.id.desc()))
        return [flag_read(row, subject) for row, subject in found]


def published_past_maximum(session: Session, today: date) -> list[UncorrectedPastRead]:
    """Return the current facts published today past their window's maximum because a confirmed flag continues
    them (the daily job's report)."""
    stmt = (
        select(CreditUncorrected, CreditFact, CreditSubject)
        .join(CreditFact, CreditFact.id == CreditUncorrected.result_fact_id)
        .join(CreditSubject, CreditSubject.id == CreditFact.subject_id)
        .where(CreditUncorrected.status == CONFIRMED, CreditUncorrected.window_max <= today)
        .order_by(CreditUncorrected.id)
    )
    shown = []
    for flag, fact, subject in session.execute(stmt):
        still = _current(session, fact) and (fact.publish_max_until is None or today < fact.publish_max_until)
        if still:
            shown.append(
                UncorrectedPastRead(
                    fact_id=fact.id,
                    subject=subject_label(subject),
                    fact_type=fact.fact_type,
                    severity=fact.severity,
                    document_no=fact.document_no,
                    window_max=flag.window_max,
                    published_until=fact.publish_max_until,
                    flag=flag.id,
                )
            )
    return shown


def _audit(
    session: Session, row: CreditUncorrected, subject: CreditSubject, actor: str, action: str, now: datetime
) -> None:
    record_audit(
        session,
        at=now,
        actor=actor,
        action=action,
        entity_type="credit_subject",
        entity_key=subject_label(subject),
        reason=row.reason,
        after={
            "flag": row.id,
            "fact": row.fact_id,
            "legal_basis": row.legal_basis,
            "window_max": row.window_max.isoformat(),
            "until": row.until.isoformat() if row.until else None,
            "status": row.status,
            "result": row.result_fact_id,
        },
    )


__all__ = ["decide_uncorrected", "flag_uncorrected", "list_uncorrected", "published_past_maximum"]
