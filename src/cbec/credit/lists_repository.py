"""SQL of the negative lists' applied measures and screening alerts (名单措施与筛查预警); never commits."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from cbec.common.scope import Scope
from cbec.credit.models import CreditFact, CreditListRequest, CreditMeasureApplied, CreditScreenAlert, CreditSubject
from cbec.credit.repository import in_scope
from cbec.storage.locks import lock_keys


def current_entries(
    session: Session, subject_ids: Collection[int] | None = None
) -> list[tuple[CreditFact, CreditSubject]]:
    """Return the current ``list_entry`` facts (not superseded, not withdrawals) with their subjects."""
    later = aliased(CreditFact)
    stmt = (
        select(CreditFact, CreditSubject)
        .join(CreditSubject, CreditSubject.id == CreditFact.subject_id)
        .where(
            CreditFact.fact_type == "list_entry",
            CreditFact.retracted.is_(False),
            ~select(later.id).where(later.supersedes_id == CreditFact.id).exists(),
        )
    )
    if subject_ids is not None:
        stmt = stmt.where(CreditFact.subject_id.in_(sorted(subject_ids)))
    return [(fact, subject) for fact, subject in session.execute(stmt.order_by(CreditFact.id))]


def successor(session: Session, fact_id: int) -> CreditFact | None:
    """Return the row that superseded a fact, if any (the latest when several did)."""
    stmt = select(CreditFact).where(CreditFact.supersedes_id == fact_id).order_by(CreditFact.id.desc())
    return session.scalars(stmt).first()


def applied(
    session: Session, subject_ids: Collection[int] | None = None, *, open_only: bool = False
) -> list[CreditMeasureApplied]:
    """Return the measures applied (of subjects; only those not lifted), oldest first."""
    stmt = select(CreditMeasureApplied)
    if subject_ids is not None:
        stmt = stmt.where(CreditMeasureApplied.subject_id.in_(sorted(subject_ids)))
    if open_only:
        stmt = stmt.where(CreditMeasureApplied.ended_on.is_(None))
    return list(session.scalars(stmt.order_by(CreditMeasureApplied.id)))


def applied_on_facts(session: Session, fact_ids: Iterable[int]) -> list[CreditMeasureApplied]:
    """Return every measure applied to some list entries, lifted or not."""
    ids = sorted(set(fact_ids))
    if not ids:
        return []
    stmt = select(CreditMeasureApplied).where(CreditMeasureApplied.fact_id.in_(ids))
    return list(session.scalars(stmt.order_by(CreditMeasureApplied.id)))


def subjects(session: Session, ids: Collection[int]) -> dict[int, CreditSubject]:
    """Return subjects by id."""
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(CreditSubject).where(CreditSubject.id.in_(sorted(ids))))}


def alert(session: Session, subject_code: str, fact_id: int) -> CreditScreenAlert | None:
    """Return the alert of a screened filing and a list entry."""
    stmt = select(CreditScreenAlert).where(
        CreditScreenAlert.subject_code == subject_code, CreditScreenAlert.fact_id == fact_id
    )
    return session.scalars(stmt).first()


def alert_by_id(session: Session, alert_id: int) -> CreditScreenAlert | None:
    """Return one alert."""
    return session.get(CreditScreenAlert, alert_id)


def alerts(
    session: Session,
    *,
    state: str | None,
    tenant: str | None,
    parties: frozenset[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[CreditScreenAlert], int]:
    """Return a page of alerts, best score first (a reviewer with a budget of N takes the first N), and the total."""
    conditions: list[Any] = []
    if state is not None:
        conditions.append(CreditScreenAlert.state == state)
    if tenant is not None:
        conditions.append(or_(CreditScreenAlert.tenant == tenant, CreditScreenAlert.tenant.like(tenant + "/%")))
    if parties is not None:
        names = sorted(parties)
        conditions.append(or_(CreditScreenAlert.subject_code.in_(names), CreditScreenAlert.customs_code.in_(names)))
    total = session.scalar(select(func.count()).select_from(CreditScreenAlert).where(*conditions)) or 0
    stmt = (
        select(CreditScreenAlert)
        .where(*conditions)
        .order_by(CreditScreenAlert.score.desc(), CreditScreenAlert.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt)), int(total)


def facts_by_id(session: Session, ids: Iterable[int]) -> dict[int, tuple[CreditFact, CreditSubject]]:
    """Return facts with their subjects by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = (
        select(CreditFact, CreditSubject)
        .join(CreditSubject, CreditSubject.id == CreditFact.subject_id)
        .where(CreditFact.id.in_(wanted))
    )
    return {fact.id: (fact, subject) for fact, subject in session.execute(stmt)}


def list_request(session: Session, request_id: int) -> CreditListRequest | None:
    """Return a list request, locked for its decision."""
    lock_keys(session, [f"credit-list-request:{request_id}"])
    return session.get(CreditListRequest, request_id)


def pending_on_entry(session: Session, fact_id: int) -> CreditListRequest | None:
    """Return the pending request (an end or a correction) on an entry, locked so that two cannot open at once."""
    lock_keys(session, [f"credit-list-entry:{fact_id}"])
    stmt = select(CreditListRequest).where(
        CreditListRequest.target_fact_id == fact_id, CreditListRequest.status == "pending"
    )
    return session.scalars(stmt.order_by(CreditListRequest.id)).first()


def list_requests(
    session: Session, statuses: Collection[str] | None, scope: Scope | None, limit: int = 200
) -> list[tuple[CreditListRequest, CreditSubject]]:
    """Return list requests (of statuses, in a scope) with their subjects, newest first."""
    stmt = select(CreditListRequest, CreditSubject).join(
        CreditSubject, CreditSubject.id == CreditListRequest.subject_id
    )
    if statuses is not None:
        stmt = stmt.where(CreditListRequest.status.in_(sorted(statuses)))
    for condition in in_scope(scope) if scope is not None else []:
        stmt = stmt.where(condition)
    stmt = stmt.order_by(CreditListRequest.id.desc()).limit(limit)
    return [(row, subject) for row, subject in session.execute(stmt)]
