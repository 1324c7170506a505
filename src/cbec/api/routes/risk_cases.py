"""REST routes of risk disposal and review (风险处置与复盘) under /api/v1/risk: cases, actions, the second
officer's confirmation, snoozes, review figures.

Reading takes ``risk.read``; acting takes ``risk.manage`` (customs officers). Every query is kept to the caller's
tenant subtree (another tenant's case is not found, 404); the actor is always the signed-in principal, never a
field of the request. A proposer confirming their own return or list entry gets 403 ``RSK-CASE-SELF-APPROVAL``;
acting on a closed case 409 ``RSK-CASE-CLOSED``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.risk.cases import (
    ActionCreate,
    ActionDecision,
    ActionRead,
    CaseDetail,
    CaseRead,
    ReviewRead,
    SnoozeCreate,
    SnoozeRead,
    act,
    confirm,
    list_cases,
    list_snoozes,
    review,
    show_case,
    snooze,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])
READ, MANAGE = Permission.RISK_READ, Permission.RISK_MANAGE


@router.get("/cases", response_model=list[CaseRead])
def cases(
    state: str | None = Query("open", description="open, closed, or all."),
    typology: str | None = Query(None, description="Only cases with an alert of this typology."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[CaseRead]:
    """The cases of the caller's tenant, highest score first."""
    found, _ = list_cases(
        ctx, state=None if state == "all" else state, typology=typology, scope=scope, limit=limit, offset=offset
    )
    return found


@router.get("/cases/{case_id}", response_model=CaseDetail)
def case(case_id: int, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> CaseDetail:
    """A case with its alerts (each with its trace in words and its label), its actions and snoozes."""
    return show_case(ctx, case_id, scope=scope)


@router.post("/cases/{case_id}/actions", response_model=ActionRead, status_code=201)
def take_action(
    case_id: int,
    body: ActionCreate,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ActionRead:
    """Take an action on an open case; return and propose_list_entry are proposals a second officer decides."""
    return act(ctx, case_id, body, actor=principal.name, scope=scope)


@router.post("/cases/{case_id}/actions/{action_id}/decision", response_model=ActionRead)
def decide_action(
    case_id: int,
    action_id: int,
    body: ActionDecision,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ActionRead:
    """A second officer confirms or rejects a proposed action (never its proposer)."""
    return confirm(ctx, case_id, action_id, body, actor=principal.name, scope=scope)


@router.post("/cases/{case_id}/snoozes", response_model=SnoozeRead, status_code=201)
def add_snooze(
    case_id: int,
    body: SnoozeCreate,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> SnoozeRead:
    """Silence a rule on the case's pivot for some days."""
    return snooze(ctx, case_id, body, actor=principal.name, scope=scope)


@router.get("/snoozes", response_model=list[SnoozeRead])
def snoozes(scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[SnoozeRead]:
    """The snoozes of the caller's tenant, newest first (active: not expired)."""
    return list_snoozes(ctx, scope=scope)


@router.get("/review", response_model=ReviewRead)
def review_figures(
    since: date | None = Query(None, description="First business day (YYYY-MM-DD)."),
    until: date | None = Query(None, description="Last business day (YYYY-MM-DD)."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ReviewRead:
    """Per rule and per typology: alerts, labels, precision = (confirmed + valuable) / labelled, volume per week."""
    return review(ctx, since=since, until=until, scope=scope)
