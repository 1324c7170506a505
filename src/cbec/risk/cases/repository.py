"""Storage of risk disposal: cases, case alerts, actions and snoozes (inside the caller's session)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.risk.cases.models import RiskCase, RiskCaseAction, RiskCaseAlert, RiskSnooze
from cbec.risk.models import RiskDecision


def _tenant(column: Any, scope: Scope | None) -> list[Any]:
    """Conditions keeping rows to a scope's tenant subtree; enterprises see no risk rows."""
    if scope is None:
        return []
    conditions: list[Any] = []
    if scope.tenant is not None:
        conditions.append(or_(column == scope.tenant, column.like(scope.tenant + "/%")))
    if scope.parties is not None:
        conditions.append(column.is_(None) & column.is_not(None))  # enterprises hold no risk.read: nothing
    return conditions


def unlinked(session: Session, limit: int) -> list[RiskDecision]:
    """Return decisions at review or above none of whose alerts is stored yet, oldest first."""
    linked = exists().where(RiskCaseAlert.decision_id == RiskDecision.id)
    query = select(RiskDecision).where(RiskDecision.band != "none", ~linked).order_by(RiskDecision.id).limit(limit)
    return list(session.scalars(query))


def open_case(session: Session, key: str) -> RiskCase | None:
    """Return the open case of a pivot (by its open key)."""
    return session.scalar(select(RiskCase).where(RiskCase.open_key == key))


def open_cases(session: Session, keys: Iterable[str]) -> dict[str, RiskCase]:
    """Return the open cases of some pivots by open key."""
    wanted = sorted(keys)
    found: dict[str, RiskCase] = {}
    for start in range(0, len(wanted), 500):
        for row in session.scalars(select(RiskCase).where(RiskCase.open_key.in_(wanted[start : start + 500]))):
            found[str(row.open_key)] = row
    return found


def snoozes_on(session: Session, pivots: Iterable[tuple[str, str]]) -> list[RiskSnooze]:
    """Return the snoozes (expired ones too) on some pivots."""
    keys = sorted({key for _, key in pivots})
    if not keys:
        return []
    rows = session.scalars(select(RiskSnooze).where(RiskSnooze.pivot_key.in_(keys)))
    wanted = set(pivots)
    return [row for row in rows if (row.pivot_kind, row.pivot_key) in wanted]


def cases(session: Session, scope: Scope | None, *, state: str | None) -> list[RiskCase]:
    """Return the cases in the scope, highest score first (newest first among equals)."""
    conditions = _tenant(RiskCase.tenant, scope)
    if state is not None:
        conditions.append(RiskCase.state == state)
    query = select(RiskCase).where(*conditions)
    return list(session.scalars(query.order_by(RiskCase.score.desc(), RiskCase.id.desc())))


def case_by_id(session: Session, case_id: int, scope: Scope | None, *, lock: bool = False) -> RiskCase | None:
    """Return a case within the scope (None outside it)."""
    query = select(RiskCase).where(RiskCase.id == case_id, *_tenant(RiskCase.tenant, scope))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def case_alerts(session: Session, case_ids: Sequence[int]) -> list[RiskCaseAlert]:
    """Return the alerts of some cases, in decision order."""
    if not case_ids:
        return []
    query = select(RiskCaseAlert).where(RiskCaseAlert.case_id.in_(list(case_ids)))
    return list(session.scalars(query.order_by(RiskCaseAlert.decision_id, RiskCaseAlert.typology)))


def decisions(session: Session, ids: Iterable[int]) -> dict[int, RiskDecision]:
    """Return decisions by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {d.id: d for d in session.scalars(select(RiskDecision).where(RiskDecision.id.in_(wanted)))}


def actions(session: Session, case_id: int) -> list[RiskCaseAction]:
    """Return the actions of a case, oldest first."""
    query = select(RiskCaseAction).where(RiskCaseAction.case_id == case_id).order_by(RiskCaseAction.id)
    return list(session.scalars(query))


def action_by_id(session: Session, case_id: int, action_id: int) -> RiskCaseAction | None:
    """Return one action of a case."""
    return session.scalar(
        select(RiskCaseAction).where(RiskCaseAction.id == action_id, RiskCaseAction.case_id == case_id)
    )


def pending(session: Session, case_id: int) -> int:
    """Return how many actions of a case await a second officer."""
    return sum(1 for a in actions(session, case_id) if a.state == "proposed")


def labels(session: Session, decision_ids: Iterable[int]) -> dict[tuple[int, str], RiskCaseAlert]:
    """Return the stored alerts of some decisions by (decision, typology)."""
    wanted = sorted(set(decision_ids))
    found: dict[tuple[int, str], RiskCaseAlert] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in session.scalars(select(RiskCaseAlert).where(RiskCaseAlert.decision_id.in_(chunk))):
            found[(row.decision_id, row.typology)] = row
    return found


def reviewed(session: Session, scope: Scope | None, since: date | None, until: date | None) -> list[RiskCaseAlert]:
    """Return the stored alerts of the scope whose business day lies in [since, until]."""
    query = select(RiskCaseAlert)
    if scope is not None and scope.tenant is not None:
        query = query.where(or_(RiskCaseAlert.tenant == scope.tenant, RiskCaseAlert.tenant.like(scope.tenant + "/%")))
    if scope is not None and scope.parties is not None:
        query = query.where(RiskCaseAlert.id.is_(None))
    if since is not None:
        query = query.where(RiskCaseAlert.business_day >= since)
    if until is not None:
        query = query.where(RiskCaseAlert.business_day <= until)
    return list(session.scalars(query.order_by(RiskCaseAlert.id)))


def snoozes(session: Session, scope: Scope | None, pivot: tuple[str, str] | None = None) -> list[RiskSnooze]:
    """Return the snoozes in the scope (of one pivot if given), newest first."""
    query = select(RiskSnooze).where(*_tenant(RiskSnooze.tenant, scope))
    if pivot is not None:
        query = query.where(RiskSnooze.pivot_kind == pivot[0], RiskSnooze.pivot_key == pivot[1])
    return list(session.scalars(query.order_by(RiskSnooze.id.desc())))


def alerts_of_decisions(session: Session, decision_ids: Iterable[int]) -> list[RiskCaseAlert]:
    """Return the stored alerts of some decisions (filed or snoozed), in id order."""
    wanted = sorted(set(decision_ids))
    found: list[RiskCaseAlert] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(RiskCaseAlert).where(RiskCaseAlert.decision_id.in_(chunk)).order_by(RiskCaseAlert.id)
        found.extend(session.scalars(query))
    return found
