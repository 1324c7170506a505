"""Disposal (风险处置): typed actions on a case, the second officer's confirmation, snoozes.

Every action is stored with the signed-in officer as actor, the time and a comment, audited, and shared as an
outbox event (kind ``risk``) so credit and the agencies can consume it without importing risk. ``hold`` writes
``risk_hold`` rows and supervision hold measures on the case's inventories (the data clearance reads when it
decides an inventory); ``return`` and ``propose_list_entry`` are proposals a second officer confirms or rejects —
never the proposer (RSK-CASE-SELF-APPROVAL). A confirmed return also holds the inventories; a confirmed list entry
places a hard block (block list) or adds a watch-list entry on the case's pivot (watch list,
``cbec.risk.lists.proposals``). ``close`` labels every alert of the case with its outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.scope import Scope
from cbec.risk.cases import repository as repo
from cbec.risk.cases.errors import not_found, refuse
from cbec.risk.cases.models import RiskCase, RiskCaseAction, RiskSnooze
from cbec.risk.cases.queries import action_read, snooze_read
from cbec.risk.cases.rules import (
    TWO_PERSON,
    ActionIn,
    ActionKind,
    ActionState,
    CaseState,
    check_action,
    check_confirm,
    check_snooze,
)
from cbec.risk.cases.schemas import ActionCreate, ActionDecision, ActionRead, SnoozeCreate, SnoozeRead
from cbec.risk.conditions import ConditionCreate, place_in
from cbec.risk.lists import CaseProposal, add_watch_entry
from cbec.risk.models import RiskHold
from cbec.risk.rules import shipped_ruleset
from cbec.sharing import EventKind, emit_event
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, add_measure
from cbec.supervision import SubjectKind as MeasureSubject


def _inventories(session: Session, case: RiskCase) -> list[str]:
    return sorted({a.eport_no for a in repo.case_alerts(session, [case.id])})


def _hold(session: Session, case: RiskCase, action: RiskCaseAction, now: datetime) -> list[str]:
    """Hold every inventory of the case: a ``risk_hold`` and a supervision hold measure each (read as data)."""
    days = int(shipped_ruleset().parameter("hold_days"))
    until = now + timedelta(days=days)
    held = []
    for alert in repo.case_alerts(session, [case.id]):
        if alert.eport_no in held:
            continue
        held.append(alert.eport_no)
        reason = f"风险处置 / risk case {case.id} {action.kind}: {action.comment}"
        session.add(
            RiskHold(
                eport_no=alert.eport_no,
                typology=alert.typology,
                band="hold",
                reason=reason[:500],
                decision_id=alert.decision_id,
                created_at=now,
                expires_at=until,
            )
        )
        add_measure(
            session,
            source="risk",
            subject=(MeasureSubject.INVENTORY, alert.eport_no),
            spec=MeasureSpec(MeasureKind.HOLD, f"risk case {case.id} action {action.id}", reason[:1000], now, until),
            at=now,
            actor=action.actor,
        )
    return held


BLOCKABLE = {"buyer": "buyer", "enterprise": "enterprise", "platform": "enterprise"}  # pivot → supervision subject


def _block(session: Session, case: RiskCase, action: RiskCaseAction, actor: str, now: datetime) -> int | None:
    """A confirmed entry on the block list: a non-overridable block on the case's pivot (a buyer key or an
    enterprise), held until lifted after review; a phone or address pivot is no supervision subject (None)."""
    subject = BLOCKABLE.get(case.pivot_kind)
    if action.detail.get("list_name") != "block" or subject is None:
        return None
    condition = place_in(
        session,
        ConditionCreate(
            subject_kind=subject,
            subject_key=case.pivot_key,
            kind="hard_block",
            reason=f"风险案件 {case.id} 列入拦截名单 / risk case {case.id} block list: {action.comment}",
        ),
        origin=f"case {case.id}",
        actor=actor,
        at=now,
    )
    return condition.id


def _watch(session: Session, case: RiskCase, action: RiskCaseAction, actor: str, now: datetime) -> int | None:
    """A confirmed entry on the watch list: an effective-dated ``watch`` entry on the case's pivot (its code, or its
    pseudonymous key), with the case, proposer and confirmer as provenance; the next decision on that subject
    reads the hit (``doc.watched``)."""
    if action.detail.get("list_name") != "watch":
        return None
    proposal = CaseProposal(
        case_id=case.id,
        action_id=action.id,
        pivot_kind=case.pivot_kind,
        pivot_key=case.pivot_key,
        reason=action.comment,
        proposed_by=action.actor,
        confirmed_by=actor,
        at=now,
    )
    return add_watch_entry(session, proposal)


def _share(ctx: Context, session: Session, case: RiskCase, action: RiskCaseAction, now: datetime) -> None:
    """Add the outbox event of a disposal step (no personal data, no officer's name)."""
    detail = action.detail
    emit_event(
        session,
        at=now,
        kind=EventKind.RISK,
        document_type="risk_case",
        business_key=f"risk_case:{case.id}",
        zone=ctx.settings.zone_customs_code,
        parties=[],  # enterprises do not receive disposal events about themselves; agencies do
        status=action.state,
        payload={
            "change": f"{action.kind}_{action.state}",
            "case_id": case.id,
            "action_id": action.id,
            "pivot_kind": case.pivot_kind,
            "pivot_key": case.pivot_key,
            "typologies": list(case.typologies),
            "inventories": _inventories(session, case),
            "agency": detail.get("agency"),
            "list_name": detail.get("list_name"),
            "list_entry": detail.get("list_entry"),
            "outcome": detail.get("outcome"),
            "on": business_date(now).isoformat(),
        },
    )


def _audit(session: Session, case: RiskCase, action: RiskCaseAction, actor: str, now: datetime, what: str) -> None:
    record_audit(
        session,
        at=now,
        actor=actor,
        action=f"risk.case.{action.kind}.{what}",
        entity_type="risk_case",
        entity_key=str(case.id),
        after={"action_id": action.id, "state": action.state, **{k: str(v) for k, v in action.detail.items()}},
        reason=(action.check_comment if what != action.kind else action.comment) or None,
    )


def _close(session: Session, case: RiskCase, outcome: str, actor: str, now: datetime) -> None:
    """Close a case and label its alerts with the outcome."""
    case.state, case.open_key = CaseState.CLOSED.value, None
    case.closed_at, case.closed_by, case.outcome, case.updated_at = now, actor, outcome, now
    for alert in repo.case_alerts(session, [case.id]):
        alert.outcome, alert.labelled_at = outcome, now


def act(ctx: Context, case_id: int, data: ActionCreate, *, actor: str, scope: Scope | None = None) -> ActionRead:
    """Take an action on an open case (two-person actions are proposed; a second officer confirms them)."""
    now = ctx.clock.now()
    asked = ActionIn(data.kind, data.comment, data.agency, data.outcome, data.list_name)
    with ctx.uow() as uow:
        session = uow.session
        case = repo.case_by_id(session, case_id, scope, lock=True)
        if case is None:
            raise not_found("case", case_id)
        problems = check_action(asked, state=case.state, pending=repo.pending(session, case.id))
        if problems:
            raise refuse(f"the action {data.kind} is refused", problems)
        kind = ActionKind(data.kind)
        detail: dict[str, object] = {}
        if kind is ActionKind.REFER_AGENCY:
            detail["agency"] = data.agency
        if kind is ActionKind.PROPOSE_LIST_ENTRY:
            detail["list_name"] = data.list_name
        if kind is ActionKind.CLOSE:
            detail["outcome"] = data.outcome
        action = RiskCaseAction(
            case_id=case.id,
            kind=kind.value,
            state=(ActionState.PROPOSED if kind in TWO_PERSON else ActionState.DONE).value,
            actor=actor,
            at=now,
            comment=data.comment.strip(),
            detail=detail,
        )
        session.add(action)
        session.flush()
        if kind is ActionKind.HOLD:
            action.detail = {**detail, "held": _hold(session, case, action, now)}
        if kind is ActionKind.CLOSE:
            _close(session, case, str(data.outcome), actor, now)
        else:
            case.updated_at = now
        session.flush()
        _audit(session, case, action, actor, now, action.kind)
        _share(ctx, session, case, action, now)
        result = action_read(action)
        uow.commit()
    return result


def confirm(
    ctx: Context, case_id: int, action_id: int, data: ActionDecision, *, actor: str, scope: Scope | None = None
) -> ActionRead:
    """A second officer confirms or rejects a proposed return or list entry (never the proposer)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = repo.case_by_id(session, case_id, scope, lock=True)
        action = repo.action_by_id(session, case_id, action_id) if case is not None else None
        if case is None or action is None:
            raise not_found("case" if case is None else "action", case_id if case is None else action_id)
        if case.state != CaseState.OPEN:
            raise refuse("the case is closed", check_action(ActionIn("note", "-"), state=case.state, pending=0))
        problems = check_confirm(actor, maker=action.actor, state=action.state, decision=data.decision)
        if problems:
            raise refuse("the decision is refused", problems)
        action.state = (ActionState.CONFIRMED if data.decision == "confirm" else ActionState.REJECTED).value
        action.checked_by, action.checked_at, action.check_comment = actor, now, data.comment.strip() or None
        if action.kind == ActionKind.RETURN and action.state == ActionState.CONFIRMED:
            action.detail = {**action.detail, "held": _hold(session, case, action, now)}
        if action.kind == ActionKind.PROPOSE_LIST_ENTRY and action.state == ActionState.CONFIRMED:
            placed = {"condition": _block(session, case, action, actor, now)}
            action.detail = {**action.detail, **placed, "list_entry": _watch(session, case, action, actor, now)}
        case.updated_at = now
        session.flush()
        _audit(session, case, action, actor, now, action.state)
        _share(ctx, session, case, action, now)
        result = action_read(action)
        uow.commit()
    return result


def snooze(ctx: Context, case_id: int, data: SnoozeCreate, *, actor: str, scope: Scope | None = None) -> SnoozeRead:
    """Silence a rule on a case's pivot for some days: its new alerts there are stored, marked snoozed, and raise
    no case until the snooze expires."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = repo.case_by_id(session, case_id, scope)
        if case is None:
            raise not_found("case", case_id)
        problems = check_snooze(data.rule, (r.id for r in shipped_ruleset().rules), data.days)
        if problems:
            raise refuse("the snooze is refused", problems)
        row = RiskSnooze(
            tenant=case.tenant,
            rule=data.rule,
            pivot_kind=case.pivot_kind,
            pivot_key=case.pivot_key,
            until=now + timedelta(days=data.days),
            actor=actor,
            created_at=now,
            comment=data.comment.strip(),
            case_id=case.id,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="risk.snooze.added",
            entity_type="risk_case",
            entity_key=str(case.id),
            after={"rule": row.rule, "until": row.until.isoformat()},
            reason=row.comment or None,
        )
        result = snooze_read(row, now)
        uow.commit()
    return result
