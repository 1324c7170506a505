"""REST API of clearance (/api/v1/clearance): search, receipts, tax bills, officer decisions, jobs.

Every query runs in the caller's scope: an enterprise sees the documents it is a party to, an officer those of
its tenant and the tenants below it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.clearance.queries import held_queue, inventory_detail, search_inventories, tax_bills
from cbec.clearance.service import confirm_return_arrival, decide_held_inventory, run_daily_jobs
from cbec.common.scope import Scope, require_whole
from cbec.intake.answers import result_json
from cbec.messages import document_to_json
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/clearance", tags=["clearance"])


class DecisionIn(BaseModel):
    """An officer's decision on a held inventory."""

    action: str = Field(description="release | refuse | inspect")
    comment: str = Field(min_length=1)
    actor: str | None = Field(default=None, description="Ignored: the signed-in officer is recorded.")


class ArrivalIn(BaseModel):
    """Who recorded the return goods' arrival."""

    actor: str | None = Field(default=None, description="Ignored: the signed-in officer is recorded.")


READ = Permission.CLEARANCE_READ


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


@router.get("/inventories")
def list_inventories(
    status: str | None = None,
    order_no: str | None = None,
    logistics_no: str | None = None,
    inventory_no: str | None = None,
    ecommerce_code: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Search inventories by status, order, waybill, inventory number or e-commerce enterprise."""
    items, total = search_inventories(
        ctx,
        scope=scope,
        status=status,
        order_no=order_no,
        logistics_no=logistics_no,
        inventory_no=inventory_no,
        ecommerce_code=ecommerce_code,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "items": [_jsonable(asdict(i)) for i in items]}


@router.get("/held")
def list_held(
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """List inventories held for manual review (300) or inspection (500)."""
    return {"items": [_jsonable(asdict(i)) for i in held_queue(ctx, limit=limit, offset=offset, scope=scope)]}


@router.get("/tax-bills")
def list_tax_bills(
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(Permission.TAXBILLS_READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """List electronic tax bills (电子税单, CEB816) of released inventories, newest first."""
    bills, total = tax_bills(ctx, limit=limit, offset=offset, scope=scope)
    return {"total": total, "limit": limit, "offset": offset, "items": [document_to_json(b) for b in bills]}


@router.get("/inventories/{number}")
def get_inventory(number: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Return an inventory (by customs or E-port number) with its receipts, tax bill and returns."""
    detail = inventory_detail(ctx, number, scope=scope)
    return {
        "inventory": _jsonable(asdict(detail.summary)),
        "receipts": [document_to_json(r) for r in detail.receipts],
        "tax_bill": document_to_json(detail.tax_bill) if detail.tax_bill else None,
        "returns": detail.returns,
    }


@router.post("/inventories/{inventory_no}/decision")
def decide(
    inventory_no: str,
    body: DecisionIn,
    principal: Principal = Depends(require(Permission.CLEARANCE_DECIDE)),
    scope: Scope = Depends(scoped(Permission.CLEARANCE_DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Release, refuse or inspect a held inventory (comment required)."""
    result = decide_held_inventory(
        ctx, inventory_no, action=body.action, actor=principal.name, comment=body.comment, scope=scope
    )
    return result_json(result)


@router.post("/returns/{return_id}/arrival")
def return_arrival(
    return_id: int,
    body: ArrivalIn,
    principal: Principal = Depends(require(Permission.CLEARANCE_ARRIVAL)),
    scope: Scope = Depends(scoped(Permission.CLEARANCE_ARRIVAL)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Record that a return's goods are back in the supervised area."""
    return result_json(confirm_return_arrival(ctx, return_id, actor=principal.name, scope=scope))


@router.post("/jobs/daily")
def daily_jobs(
    scope: Scope = Depends(scoped(Permission.CLEARANCE_JOBS)), ctx: Context = Depends(get_ctx)
) -> dict[str, Any]:
    """Lapse overdue returns and close inventories past their return windows (the whole platform: the hub's)."""
    require_whole(scope, "日终作业", "the daily jobs")
    report = run_daily_jobs(ctx)
    return {"changed": report.changed}
