"""REST routes of credit repair, objections, override requests and the daily job (信用修复、异议、人工调整).

An enterprise applies for repair of, or objects to, its own subject's facts (``credit.read``, its scope: another's
fact is not found); officers decide (``credit.manage``: an agency officer on facts of its own agency's source only,
403 ``CRD-SOURCE-SCOPE``). Approving a repair takes a second officer (403 ``CRD-MAKER-CHECKER``); overrides are
proposed and approved by two of the hub's zone office (``credit.rate``). The actor is always the signed-in principal.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission, Role
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.credit.schemas import (
    DailyReport,
    DecisionIn,
    FactRead,
    ObjectionIn,
    ObjectionRead,
    OverrideRequestIn,
    OverrideRequestRead,
    RepairIn,
    RepairRead,
    UncorrectedIn,
    UncorrectedRead,
)
from cbec.credit.service import (
    apply_repair,
    decide_objection,
    decide_override,
    decide_repair,
    decide_uncorrected,
    file_objection,
    flag_uncorrected,
    list_objections,
    list_override_requests,
    list_repairs,
    list_uncorrected,
    propose_override,
    run_daily,
    subject_facts,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
READ, MANAGE, RATE = Permission.CREDIT_READ, Permission.CREDIT_MANAGE, Permission.CREDIT_RATE


def _sources(principal: Principal) -> frozenset[str] | None:
    return frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None


@router.get("/subjects/{code}/facts", response_model=list[FactRead])
def facts(code: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[FactRead]:
    """Every row recorded about a subject (corrections, repairs and withdrawals included) with its windows."""
    return subject_facts(ctx, code, scope=scope)


@router.post("/repairs", response_model=RepairRead, status_code=201)
def apply(
    body: RepairIn,
    principal: Principal = Depends(require(READ)),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> RepairRead:
    """Apply for the repair of one of the caller's facts (refused before its minimum window: CRD-REPAIR-EARLY)."""
    return apply_repair(ctx, body, actor=principal.name, scope=scope)


@router.get("/repairs", response_model=list[RepairRead])
def repairs(
    status: str | None = Query(None, description="pending, proposed, approved, rejected, or open (the first two)."),
    subject: str | None = Query(None),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[RepairRead]:
    """The repair applications in the caller's scope (an enterprise: its own)."""
    return list_repairs(ctx, status=status, subject=subject, scope=scope)


@router.post("/repairs/{repair_id}/decision", response_model=RepairRead)
def decide_repair_route(
    repair_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> RepairRead:
    """``propose`` (a first officer), ``approve`` (a second officer) or ``reject`` (with a note)."""
    return decide_repair(
        ctx, repair_id, body, actor=principal.name, scope=scope, sources=_sources(principal), account=principal.user_id
    )


@router.post("/objections", response_model=ObjectionRead, status_code=201)
def object_to(
    body: ObjectionIn,
    principal: Principal = Depends(require(READ)),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ObjectionRead:
    """Object to one of the caller's facts; due for decision by the configured review deadline."""
    return file_objection(ctx, body, actor=principal.name, scope=scope)


@router.get("/objections", response_model=list[ObjectionRead])
def objections(
    status: str | None = Query(None, description="open, upheld or dismissed."),
    subject: str | None = Query(None),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[ObjectionRead]:
    """The objections in the caller's scope (an enterprise: its own), with their deadlines."""
    return list_objections(ctx, status=status, subject=subject, scope=scope)


@router.post("/objections/{objection_id}/decision", response_model=ObjectionRead)
def decide_objection_route(
    objection_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ObjectionRead:
    """``uphold`` (the fact is withdrawn by a new row) or ``dismiss`` (with a note)."""
    return decide_objection(ctx, objection_id, body, actor=principal.name, scope=scope, sources=_sources(principal))


@router.post("/overrides", response_model=OverrideRequestRead, status_code=201)
def propose(
    body: OverrideRequestIn,
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> OverrideRequestRead:
    """Propose a level override (a second officer approves it)."""
    return propose_override(ctx, body, actor=principal.name, scope=scope, account=principal.user_id)


@router.get("/overrides", response_model=list[OverrideRequestRead])
def overrides(
    status: str | None = Query(None),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> list[OverrideRequestRead]:
    """The override requests in the caller's scope."""
    return list_override_requests(ctx, status=status, scope=scope)


@router.post("/overrides/{request_id}/decision", response_model=OverrideRequestRead)
def decide_override_route(
    request_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> OverrideRequestRead:
    """``approve`` (never the proposer) or ``reject`` an override request."""
    return decide_override(ctx, request_id, body, actor=principal.name, scope=scope, account=principal.user_id)


@router.post("/daily", response_model=DailyReport)
def daily(
    on: date | None = Query(None),
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> DailyReport:
    """The daily job: end publications past their maximum window, list objections past their deadline (the hub's)."""
    return run_daily(ctx, on=on, actor=principal.name, scope=scope)


@router.post("/uncorrected", response_model=UncorrectedRead, status_code=201)
def flag(
    body: UncorrectedIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> UncorrectedRead:
    """Flag a fact uncorrected before its window's maximum (a sector rule continues its publication)."""
    return flag_uncorrected(
        ctx, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )


@router.get("/uncorrected", response_model=list[UncorrectedRead])
def flags(
    status: str | None = Query(None, description="pending, confirmed or rejected."),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> list[UncorrectedRead]:
    """The uncorrected flags of the caller's scope, newest first."""
    return list_uncorrected(ctx, status=status, scope=scope)


@router.post("/uncorrected/{flag_id}/decision", response_model=UncorrectedRead)
def decide_flag(
    flag_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> UncorrectedRead:
    """``confirm`` (another account than the flagger's: publication continues) or ``reject`` (with a note)."""
    return decide_uncorrected(
        ctx, flag_id, body, actor=principal.name, account=principal.user_id, scope=scope, sources=_sources(principal)
    )
