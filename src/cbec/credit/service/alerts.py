"""Screening alerts with a review state (筛查预警): hits of the filed enterprises against the lists, kept for review.

``alert_enterprises`` screens every filed enterprise (``cbec credit screen --all``) and stores each hit at or above
the threshold as an alert: the filing screened, the list entry matched, the score and the features with their
weights, state ``open``. Screening again adds only new (filing, entry) pairs: an alert already stored is left as
it is, decided or not. Alerts are read best score first, so a reviewer with a budget of N takes the first N; an
officer confirms or dismisses one (a dismissal needs a note), the reviewer being the signed-in caller.

**Recording a confirmed match** (``record``, maker-checker): a second officer — another account than the one who
confirmed — records what the confirmation means: the screened enterprise *is* the listed one, so the list entry is
recorded about it as a new ``list_entry`` fact (the entry's list, source, severity, legal basis, document number,
decision and validity; ``detail`` names the alert and the matched entry). From then on the enterprise's own record
carries the entry: its rating floors, its catalogue measures (applied at once) and its repair and objection rights.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import lists_repository as lists_repo
from cbec.credit.errors import CreditConflict, CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditFact, CreditScreenAlert, CreditSubject
from cbec.credit.rules import SubjectKind
from cbec.credit.schemas import AlertDecisionIn, AlertPage, AlertRead, ScreenBatch, ScreenFeature
from cbec.credit.screening import TOP_BAND
from cbec.credit.service.facts import subject_label
from cbec.credit.service.matches import record_match
from cbec.credit.service.screening import screen_filings
from cbec.storage.context import Context

STATES = ("open", "confirmed", "dismissed")
ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "record": "confirmed"}
MAX_NOTE = 2000
MAX_PAGE = 200


def alert_enterprises(
    ctx: Context,
    *,
    on: date | None = None,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScreenBatch:
    """Screen every filed enterprise and store its hits as alerts (new pairs only); return the batch with the
    numbers of alerts stored and already known."""
    batch, flagged = screen_filings(ctx, on=on, threshold=threshold, progress=progress)
    now = ctx.clock.now()
    new = known = 0
    with ctx.uow() as uow:
        session = uow.session
        for filing, report in flagged:
            for hit in report.hits:
                if lists_repo.alert(session, filing.uscc, hit.fact_id) is not None:
                    known += 1
                    continue
                session.add(
                    CreditScreenAlert(
                        subject_code=filing.uscc,
                        customs_code=filing.customs_code,
                        subject_name=filing.name[:200],
                        tenant=filing.zone,
                        fact_id=hit.fact_id,
                        list_type=hit.list_type,
                        score=Decimal(str(hit.score)).quantize(Decimal("0.0001")),
                        matched=hit.matched,
                        features=[f.model_dump() for f in hit.features],
                        state="open",
                        screened_on=batch.on,
                        created_at=now,
                    )
                )
                new += 1
        if new:
            record_audit(
                session,
                at=now,
                actor="credit-screening",
                action="credit.alerts.stored",
                entity_type="credit_screen",
                entity_key=batch.on.isoformat(),
                after={"new": new, "known": known, "threshold": batch.threshold},
            )
        uow.commit()
    return batch.model_copy(update={"alerts_new": new, "alerts_known": known})


def _read(row: CreditScreenAlert, entries: dict[int, tuple[CreditFact, CreditSubject]]) -> AlertRead:
    _, subject = entries[row.fact_id]
    score = float(row.score)
    return AlertRead(
        id=row.id,
        subject=row.subject_code,
        customs_code=row.customs_code,
        name=row.subject_name,
        fact_id=row.fact_id,
        list_type=row.list_type,
        entry_subject=subject_label(subject),
        entry_name=subject.name if subject.kind == SubjectKind.ENTERPRISE.value else None,
        score=score,
        band="top" if score >= TOP_BAND else "review",
        matched=row.matched,
        features=[ScreenFeature(**f) for f in row.features or []],
        state=row.state,
        screened_on=row.screened_on,
        reviewer=row.reviewer,
        note=row.note,
        decided_at=row.decided_at,
        origin=row.origin,
        origin_ref=row.origin_ref,
        role=row.role,
        recorded_fact_id=row.recorded_fact_id,
        recorded_by=row.recorded_by,
    )


def _state_problem(state: str | None) -> list[Problem]:
    if state is None or state in STATES:
        return []
    return [
        problem(
            "CRD-ALERT-STATE", "state", f"未知状态 {state}", f"unknown state {state!r}", "open, confirmed, dismissed."
        )
    ]


def list_alerts(
    ctx: Context, *, state: str | None = "open", limit: int = 50, offset: int = 0, scope: Scope = EVERYTHING
) -> AlertPage:
    """Return a page of the alerts on filings of the caller's scope, best score first (of a state; None: all)."""
    problems = _state_problem(state)
    if problems:
        raise CreditInvalid("the alert query breaks the rules", problems=problems)
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    with ctx.uow() as uow:
        session = uow.session
        rows, total = lists_repo.alerts(
            session, state=state, tenant=scope.tenant, parties=scope.parties, limit=limit, offset=offset
        )
        entries = lists_repo.facts_by_id(session, [r.fact_id for r in rows])
        items = [_read(row, entries) for row in rows]
    return AlertPage(items=items, total=total, limit=limit, offset=offset)


def decide_alert(
    ctx: Context,
    alert_id: int,
    decision: AlertDecisionIn,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    account: int | None = None,
    sources: frozenset[str] | None = None,
) -> AlertRead:
    """An officer confirms or dismisses an open alert (a dismissal needs a note), or a second officer records a
    confirmed one (``account``: maker-checker compares accounts; ``sources``: an agency records its own source's
    entries only); the reviewer is the caller."""
    problems: list[Problem] = []
    if decision.action not in ACTIONS:
        problems.append(
            problem(
                "CRD-ACTION",
                "action",
                f"未知操作 {decision.action}",
                f"unknown action {decision.action!r}",
                "confirm or dismiss an open alert; record a confirmed one.",
            )
        )
    note = (decision.note or "").strip()
    if decision.action == "dismiss" and not note:
        problems.append(
            problem(
                "CRD-DECISION-NOTE", "note", "驳回须写明理由", "a dismissal needs a note", "Say why it is no match."
            )
        )
    if len(note) > MAX_NOTE:
        problems.append(
            problem("CRD-DECISION-NOTE", "note", "说明过长", "the note is too long", f"At most {MAX_NOTE} characters.")
        )
    if problems:
        raise CreditInvalid("the decision breaks the rules", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = lists_repo.alert_by_id(session, alert_id)
        if (
            row is None
            or not scope.admits_tenant(row.tenant)
            or not scope.admits_party([row.subject_code, row.customs_code])
        ):
            raise CreditNotFound(
                f"no alert {alert_id} in the caller's scope",
                problems=[
                    problem("CRD-ALERT-UNKNOWN", "alert_id", "无此预警", f"no alert {alert_id}", "Check the id.")
                ],
            )
        if decision.action == "record":
            record_match(ctx, session, row, actor=actor, now=now, account=account, sources=sources)
            entries = lists_repo.facts_by_id(session, [row.fact_id])
            result = _read(row, entries)
            uow.commit()
            return result
        if row.state != "open":
            raise CreditConflict(
                f"alert {alert_id} is {row.state}",
                problems=[
                    problem(
                        "CRD-ALERT-DECIDED",
                        "action",
                        "该预警已处理",
                        f"the alert is already {row.state}",
                        "Only an open alert is decided.",
                    )
                ],
            )
        row.state, row.reviewer, row.note, row.decided_at = ACTIONS[decision.action], actor, note or None, now
        row.reviewer_account = account
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action=f"credit.alert.{row.state}",
            entity_type="credit_screen_alert",
            entity_key=str(row.id),
            after={"subject": row.subject_code, "fact": row.fact_id, "score": format(row.score, "f")},
        )
        entries = lists_repo.facts_by_id(session, [row.fact_id])
        result = _read(row, entries)
        uow.commit()
    return result


__all__ = ["alert_enterprises", "decide_alert", "list_alerts"]
