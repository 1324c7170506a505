"""REST routes of enterprise filing (企业备案) under /api/v1/enterprises."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from cbec.api.deps import get_ctx
from cbec.enterprises import Transition
from cbec.enterprises.schemas import AuditRead, EnterpriseCreate, EnterprisePage, EnterpriseRead, StatusChange
from cbec.enterprises.service import (
    change_status,
    enterprise_audit,
    file_enterprise,
    get_enterprise,
    list_enterprises,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprises"])


@router.post("", response_model=EnterpriseRead, status_code=201)
def post_enterprise(body: EnterpriseCreate, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """File an enterprise; it starts pending."""
    return file_enterprise(ctx, body)


@router.get("", response_model=EnterprisePage)
def get_enterprises(
    status: str | None = None,
    role: str | None = None,
    zone: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    ctx: Context = Depends(get_ctx),
) -> EnterprisePage:
    """List filings with paging and filters; contact data masked."""
    return list_enterprises(ctx, status=status, role=role, zone=zone, limit=limit, offset=offset)


@router.get("/{enterprise_id}", response_model=EnterpriseRead)
def get_one(enterprise_id: int, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """Return one filing; contact data masked."""
    return get_enterprise(ctx, enterprise_id)


@router.get("/{enterprise_id}/audit", response_model=list[AuditRead])
def get_audit(enterprise_id: int, ctx: Context = Depends(get_ctx)) -> list[AuditRead]:
    """Return the audit trail of one filing, oldest first."""
    return enterprise_audit(ctx, enterprise_id)


@router.post("/{enterprise_id}/approve", response_model=EnterpriseRead)
def approve(enterprise_id: int, body: StatusChange, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """Approve a pending filing."""
    return change_status(ctx, enterprise_id, Transition.APPROVE, reason=body.reason, actor=body.actor)


@router.post("/{enterprise_id}/suspend", response_model=EnterpriseRead)
def suspend(enterprise_id: int, body: StatusChange, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """Suspend an approved filing."""
    return change_status(ctx, enterprise_id, Transition.SUSPEND, reason=body.reason, actor=body.actor)


@router.post("/{enterprise_id}/reinstate", response_model=EnterpriseRead)
def reinstate(enterprise_id: int, body: StatusChange, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """Reinstate a suspended filing."""
    return change_status(ctx, enterprise_id, Transition.REINSTATE, reason=body.reason, actor=body.actor)


@router.post("/{enterprise_id}/revoke", response_model=EnterpriseRead)
def revoke(enterprise_id: int, body: StatusChange, ctx: Context = Depends(get_ctx)) -> EnterpriseRead:
    """Revoke a filing for good."""
    return change_status(ctx, enterprise_id, Transition.REVOKE, reason=body.reason, actor=body.actor)
