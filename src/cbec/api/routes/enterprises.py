"""REST routes of enterprise filing (企业备案) under /api/v1/enterprises."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import Scope
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

FILE, READ, DECIDE = Permission.ENTERPRISES_FILE, Permission.ENTERPRISES_READ, Permission.ENTERPRISES_DECIDE


@router.post("", response_model=EnterpriseRead, status_code=201)
def post_enterprise(
    body: EnterpriseCreate,
    principal: Principal = Depends(require(FILE)),
    scope: Scope = Depends(scoped(FILE)),
    ctx: Context = Depends(get_ctx),
) -> EnterpriseRead:
    """File an enterprise at the caller's tenant (or a tenant below it); it starts pending."""
    zone = body.zone.strip().lower() if "zone" in body.model_fields_set else principal.tenant
    if zone not in principal.tenants_visible and scope.admits_tenant(zone):  # outside the scope: 403 below
        raise InvalidInput(
            f"unknown tenant {zone}",
            problems=[
                Problem(
                    "ENT-ZONE-UNKNOWN",
                    "zone",
                    f"租户不存在 / there is no tenant {zone}",
                    f"Use one of: {', '.join(sorted(principal.tenants_visible))}.",
                )
            ],
        )
    return file_enterprise(ctx, body.model_copy(update={"zone": zone, "actor": principal.name}), scope=scope)


@router.get("", response_model=EnterprisePage)
def get_enterprises(
    status: str | None = None,
    role: str | None = None,
    zone: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> EnterprisePage:
    """List the filings the caller may see, with paging and filters; contact data masked."""
    return list_enterprises(ctx, status=status, role=role, zone=zone, limit=limit, offset=offset, scope=scope)


@router.get("/{enterprise_id}", response_model=EnterpriseRead)
def get_one(
    enterprise_id: int, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)
) -> EnterpriseRead:
    """Return one filing; contact data masked."""
    return get_enterprise(ctx, enterprise_id, scope=scope)


@router.get("/{enterprise_id}/audit", response_model=list[AuditRead])
def get_audit(
    enterprise_id: int, scope: Scope = Depends(scoped(Permission.AUDIT_READ)), ctx: Context = Depends(get_ctx)
) -> list[AuditRead]:
    """Return the audit trail of one filing, oldest first."""
    return enterprise_audit(ctx, enterprise_id, scope=scope)


def _change(
    ctx: Context, enterprise_id: int, transition: Transition, body: StatusChange, principal: Principal, scope: Scope
) -> EnterpriseRead:
    # The audit trail records the signed-in principal; an actor in the body is not trusted.
    return change_status(ctx, enterprise_id, transition, reason=body.reason, actor=principal.name, scope=scope)


@router.post("/{enterprise_id}/approve", response_model=EnterpriseRead)
def approve(
    enterprise_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> EnterpriseRead:
    """Approve a pending filing."""
    return _change(ctx, enterprise_id, Transition.APPROVE, body, principal, scope)


@router.post("/{enterprise_id}/suspend", response_model=EnterpriseRead)
def suspend(
    enterprise_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> EnterpriseRead:
    """Suspend an approved filing."""
    return _change(ctx, enterprise_id, Transition.SUSPEND, body, principal, scope)


@router.post("/{enterprise_id}/reinstate", response_model=EnterpriseRead)
def reinstate(
    enterprise_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> EnterpriseRead:
    """Reinstate a suspended filing."""
    return _change(ctx, enterprise_id, Transition.REINSTATE, body, principal, scope)


@router.post("/{enterprise_id}/revoke", response_model=EnterpriseRead)
def revoke(
    enterprise_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> EnterpriseRead:
    """Revoke a filing for good."""
    return _change(ctx, enterprise_id, Transition.REVOKE, body, principal, scope)
