"""Level overrides with maker-checker (人工调整，双人复核): one officer proposes, a second approves or rejects.

The approval writes the override (``credit_override``, as ``cbec credit override`` does directly from the operator's
CLI) with the proposer as its actor and the approver in the audit; the proposer never approves their own request.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditForbidden, CreditInvalid, CreditNotFound
from cbec.credit.models import CreditOverrideRequest, CreditSubject
from cbec.credit.repair import Change, RequestStatus, check_note, maker_checker
from cbec.credit.schemas import DecisionIn, OverrideRequestIn, OverrideRequestRead
from cbec.credit.service.facts import subject_label
from cbec.credit.service.rating import check_override, ruleset_on, subject_in_scope
from cbec.credit.service.repair import bad_action, refuse_status
from cbec.credit.service.sharing import share
from cbec.storage.context import Context


def request_read(row: CreditOverrideRequest, subject: CreditSubject) -> OverrideRequestRead:
    """Return the output shape of an override request."""
    return OverrideRequestRead(
        id=row.id,
        subject=subject_label(subject),
        status=row.status,
        level=row.level,
        reason=row.reason,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        override_id=row.override_id,
    )


def propose_override(
    ctx: Context, data: OverrideRequestIn, *, actor: str, scope: Scope = EVERYTHING, account: int | None = None
) -> OverrideRequestRead:
    """Record an officer's proposal to set a subject's level by hand (a second officer decides).

    ``account``: the signed-in proposer's account, which maker-checker compares (None from the operator's CLI)."""
    now = ctx.clock.now()
    start = data.valid_from or business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        subject = subject_in_scope(session, data.subject, scope)
        problems = check_override(ruleset_on(session, start), data.level, data.reason, start, data.until)
        if problems:
            raise CreditInvalid("the override breaks the rules", problems=problems)
        row = repo.add_row(
            session,
            CreditOverrideRequest(
                subject_id=subject.id,
                status=RequestStatus.PENDING.value,
                level=data.level,
                reason=data.reason.strip(),
                valid_from=start,
                valid_until=data.until,
                proposed_by=actor,
                proposed_by_account=account,
                proposed_at=now,
            ),
        )
        _audit(session, row, subject, actor, "credit.override.proposed")
        share(ctx, session, Change.OVERRIDE_PROPOSED, subject, None, reference=row.id, on=business_date(now))
        result = request_read(row, subject)
        uow.commit()
    return result


def decide_override(
    ctx: Context,
    request_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    account: int | None = None,
) -> OverrideRequestRead:
    """A second officer approves (the override is written) or rejects (with a reason) an override request."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = repo.request_by_id(session, request_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(f"no override request {request_id}")
        if decision.action not in ("approve", "reject"):
            raise bad_action(decision.action, ("approve", "reject"))
        if row.status != RequestStatus.PENDING.value:
            raise refuse_status("override request", row.status, "pending")
        problems = check_note(decision.note, required=decision.action == "reject")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        checker = maker_checker(
            actor,
            applicant=None,
            maker=row.proposed_by,
            what="override",
            account=account,
            maker_account=row.proposed_by_account,
        )
        if decision.action == "approve" and checker:
            raise CreditForbidden("maker-checker: another officer approves", problems=checker)
        row.decided_by, row.decided_at = actor, now
        row.decision_note = (decision.note or "").strip() or None
        change = Change.OVERRIDE_REJECTED
        if decision.action == "approve":
            override = repo.add_override(
                session,
                subject_id=subject.id,
                level=row.level,
                reason=row.reason,
                actor=row.proposed_by,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                recorded_at=now,
            )
            row.override_id = override.id
            change = Change.OVERRIDE_APPROVED
        row.status = RequestStatus.APPROVED.value if decision.action == "approve" else RequestStatus.REJECTED.value
        session.flush()
        _audit(session, row, subject, actor, f"credit.override.{row.status}")
        share(ctx, session, change, subject, None, reference=row.id, on=business_date(now))
        result = request_read(row, subject)
        uow.commit()
    return result


def list_override_requests(
    ctx: Context, *, status: str | None = None, scope: Scope = EVERYTHING
) -> list[OverrideRequestRead]:
    """Return the override requests in a scope, oldest first."""
    with ctx.uow() as uow:
        found = repo.override_requests(uow.session, [status] if status else None, scope)
        return [request_read(row, subject) for row, subject in found]


def _audit(session: Session, row: CreditOverrideRequest, subject: CreditSubject, actor: str, action: str) -> None:
    record_audit(
        session,
        at=row.decided_at or row.proposed_at,
        actor=actor,
        action=action,
        entity_type="credit_subject",
        entity_key=subject_label(subject),
        reason=row.reason,
        after={
            "request": row.id,
            "level": row.level,
            "from": row.valid_from.isoformat(),
            "until": row.valid_until.isoformat(),
            "override": row.override_id,
        },
    )
