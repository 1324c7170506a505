"""REST routes of the negative lists (失信名单): entries in force, measures applied, screening alerts.

The lists are published (信用中国), so every ``credit.read`` caller reads every enterprise entry in force (persons:
the hub's callers only); a subject's applied measures are read in the caller's scope (another enterprise's: 404).
Screening alerts are the officers' queue (``credit.manage``, the caller's scope: alerts on filings of its tenant);
the reviewer of a decision is the signed-in principal, never a body field. List management (``credit.manage``): an
officer adds, ends or corrects an entry (an agency officer of its own source only, 403 ``CRD-SOURCE-SCOPE``); on a
serious list another **account** confirms it (403 ``CRD-MAKER-CHECKER``).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission, Role
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.credit.schemas import (
    AlertDecisionIn,
    AlertPage,
    AlertRead,
    AppliedMeasureRead,
    DecisionIn,
    ListCorrectionIn,
    ListEndIn,
    ListEntryIn,
    ListEntryPage,
    ListRequestRead,
)
from cbec.credit.service import (
    add_list_entry,
    correct_list_entry,
    decide_alert,
    decide_list_request,
    end_list_entry,
    list_alerts,
    list_entries,
    list_list_requests,
    subject_measures,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
READ, MANAGE = Permission.CREDIT_READ, Permission.CREDIT_MANAGE


@router.get("/lists", response_model=ListEntryPage)
def lists(
    list_type: str | None = Query(None, alias="type", description="court_dishonest, tax_major, market_serious, …"),
    q: str | None = Query(None, max_length=200, description="A credit or customs code, or part of a name."),
    on: date | None = Query(None, description="The day (default today)."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ListEntryPage:
    """The list entries in force, newest decision first, with the measures each carries."""
    return list_entries(ctx, list_type=list_type, query=q, on=on, limit=limit, offset=offset, scope=scope)


@router.get("/measures", response_model=list[AppliedMeasureRead])
def measures(
    subject: str = Query(..., max_length=40, description="The subject's credit or customs code."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[AppliedMeasureRead]:
    """Every measure applied to a subject's list entries, with start, end, cause and who lifted it."""
    return subject_measures(ctx, subject, scope=scope)


@router.get("/alerts", response_model=AlertPage)
def alerts(
    state: str | None = Query("open", description="open, confirmed or dismissed."),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> AlertPage:
    """The screening alerts on filings of the caller's scope, best score first."""
    return list_alerts(ctx, state=state or None, limit=limit, offset=offset, scope=scope)


@router.post("/alerts/{alert_id}/decision", response_model=AlertRead)
def decide(
    alert_id: int,
    body: AlertDecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> AlertRead:
    """``confirm`` or ``dismiss`` (with a note) an open alert, or ``record`` a confirmed one (a second officer: the
    entry becomes a fact about the screened enterprise); the reviewer is the caller."""
    sources = frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None
    return decide_alert(
        ctx, alert_id, body, actor=principal.name, scope=scope, account=principal.user_id, sources=sources
    )


def _sources(principal: Principal) -> frozenset[str] | None:
    return frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None


@router.post("/lists/entries", response_model=ListRequestRead, status_code=201)
def add_entry(
    body: ListEntryIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ListRequestRead:
    """Add a list entry: recorded at once, or on a serious list ``pending`` until another account confirms it."""
    return add_list_entry(
        ctx, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )


@router.post("/lists/entries/{fact_id}/end", response_model=ListRequestRead, status_code=201)
def end_entry(
    fact_id: int,
    body: ListEndIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ListRequestRead:
    """End an entry early (a new row superseding it, valid until ``ends_on``), with a reason."""
    return end_list_entry(
        ctx, fact_id, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )


@router.post("/lists/entries/{fact_id}/correction", response_model=ListRequestRead, status_code=201)
def correct_entry(
    fact_id: int,
    body: ListCorrectionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ListRequestRead:
    """Correct an entry (a new row superseding it; nothing is updated in place), with a reason."""
    return correct_list_entry(
        ctx, fact_id, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )


@router.get("/lists/requests", response_model=list[ListRequestRead])
def requests(
    status: str | None = Query(None, description="pending, recorded or rejected."),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> list[ListRequestRead]:
    """The list changes of the caller's scope, newest first."""
    return list_list_requests(ctx, status=status, scope=scope)


@router.post("/lists/requests/{request_id}/decision", response_model=ListRequestRead)
def decide_request(
    request_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ListRequestRead:
    """``confirm`` (another account than the proposer's) or ``reject`` (with a note) a pending list change."""
    return decide_list_request(
        ctx, request_id, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )
