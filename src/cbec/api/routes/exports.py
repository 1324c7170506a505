"""REST API of exports (/api/v1/exports): inventories, summaries, reminders, warehouses, tax ledgers.

Every query runs in the caller's scope (export inventories of the tenant's enterprises, summaries, reminders,
tax ledgers and profiles of its enterprises); outside it a record is not found. Summarising a month and the
overseas-warehouse registry concern the whole zone: the hub's (403 ``AUTH-SCOPE`` for a city).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope, require_whole
from cbec.exports.ledger_files import ledger_csv, ledger_tables, ledger_xlsx
from cbec.exports.queries import (
    export_inventory_detail,
    export_status_counts,
    held_export_inventories,
    search_export_inventories,
    summary_declarations,
)
from cbec.exports.schemas import InvoiceLinkIn, TaxProfileIn, WarehouseCreate, WarehouseRead
from cbec.exports.service import (
    build_ledger,
    decide_held_export,
    list_warehouses,
    register_invoice,
    register_warehouse,
    reminders,
    set_tax_profile,
    summarise,
)
from cbec.messages import document_to_json
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/exports", tags=["exports"], dependencies=[Depends(require(Permission.EXPORT_READ))])
READ = Depends(scoped(Permission.EXPORT_READ))
DECIDE = Depends(scoped(Permission.EXPORT_DECIDE))
MANAGE = Depends(scoped(Permission.EXPORT_MANAGE))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DecisionIn(BaseModel):
    """An officer's decision on a held export inventory."""

    action: str = Field(description="release | refuse | inspect")
    comment: str = Field(min_length=1)


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
    trade_mode: str | None = None,
    order_no: str | None = None,
    inventory_no: str | None = None,
    ecommerce_code: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = READ,
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Search export inventories in the caller's scope by status, trade mode, order, number or consignor."""
    items, total = search_export_inventories(
        ctx,
        scope=scope,
        status=status,
        trade_mode=trade_mode,
        order_no=order_no,
        inventory_no=inventory_no,
        ecommerce_code=ecommerce_code,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "items": [_jsonable(asdict(i)) for i in items]}


@router.get("/status-counts")
def status_counts(scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> dict[str, int]:
    """Return how many export inventories of the caller's scope stand in each status."""
    return export_status_counts(ctx, scope=scope)


@router.get("/held")
def held(scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """List export inventories of the caller's scope held for review (300) or inspection (500)."""
    return {"items": [_jsonable(asdict(i)) for i in held_export_inventories(ctx, scope=scope)]}


@router.get("/inventories/{number}")
def get_inventory(number: str, scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Return an export inventory (by customs or E-port number) with lines, receipts and returns."""
    detail = export_inventory_detail(ctx, number, scope=scope)
    return {
        "inventory": _jsonable(asdict(detail.summary)),
        "lines": detail.lines,
        "receipts": [document_to_json(r) for r in detail.receipts],
        "returns": detail.returns,
    }


@router.post("/inventories/{inventory_no}/decision")
def decide(
    inventory_no: str,
    body: DecisionIn,
    principal: Principal = Depends(require(Permission.EXPORT_DECIDE)),
    scope: Scope = DECIDE,
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Release, refuse or inspect a held export inventory in the caller's scope (comment required)."""
    result = decide_held_export(
        ctx, inventory_no, action=body.action, actor=principal.name, comment=body.comment, scope=scope
    )
    return {"receipts": [document_to_json(r) for r in result.receipts]}


@router.get("/summaries")
def summaries(month: str | None = None, scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """List the summary applications of the caller's scope with declarations and member lines (CEB701 → CEB792)."""
    return {"items": summary_declarations(ctx, month, scope=scope)}


@router.post("/summaries/{month}")
def run_summary(
    month: str, include_unapplied: bool = False, scope: Scope = DECIDE, ctx: Context = Depends(get_ctx)
) -> dict[str, Any]:
    """Answer a month's summary applications with CEB792 results (and summarise the rest if asked): the hub's."""
    require_whole(scope, "按月汇总申报", "summarising a month")
    run = summarise(ctx, month, include_unapplied=include_unapplied)
    return {"month": run.month, "applications": run.applications, "results": [document_to_json(r) for r in run.results]}


@router.get("/reminders")
def summary_reminders(on: date | None = None, scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """List the scope's enterprises with closed inventories of past months not yet summarised (due on the 15th)."""
    return {"items": [_jsonable(asdict(r)) for r in reminders(ctx, today=on, scope=scope)]}


@router.get("/warehouses", response_model=list[WarehouseRead])
def warehouses(country: str | None = None, scope: Scope = READ, ctx: Context = Depends(get_ctx)) -> list[WarehouseRead]:
    """List the zone's overseas-warehouse registry with each warehouse's 9810 inventories (counts across the
    zone's enterprises, so an enterprise gets the registry without them)."""
    found = list_warehouses(ctx, country=country)
    if scope.parties is not None:
        return [w.model_copy(update={"inventories": 0, "inventories_by_currency": {}}) for w in found]
    return found


@router.post("/warehouses", response_model=WarehouseRead, status_code=201)
def add_warehouse(
    body: WarehouseCreate,
    principal: Principal = Depends(require(Permission.EXPORT_MANAGE)),
    scope: Scope = MANAGE,
    ctx: Context = Depends(get_ctx),
) -> WarehouseRead:
    """Register an overseas warehouse (a zone record kept by the hub; not a customs precondition since 2024-12-15)."""
    require_whole(scope, "海外仓登记", "the overseas-warehouse registry")
    return register_warehouse(ctx, body, actor=principal.name)


@router.post("/invoices", status_code=201)
def add_invoice(body: InvoiceLinkIn, scope: Scope = MANAGE, ctx: Context = Depends(get_ctx)) -> dict[str, int]:
    """Link a purchase VAT invoice to an exported inventory line of an enterprise in the caller's scope."""
    return {"id": register_invoice(ctx, **body.model_dump(), scope=scope)}


@router.put("/tax-profiles/{ecommerce_code}", status_code=204)
def put_tax_profile(
    ecommerce_code: str, body: TaxProfileIn, scope: Scope = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Record the export tax profile of an enterprise in the caller's scope (refund qualification, size)."""
    set_tax_profile(ctx, ecommerce_code, **body.model_dump(), scope=scope)
    return Response(status_code=204)


@router.get("/tax-ledgers/{ecommerce_code}/{period}")
def tax_ledger(
    ecommerce_code: str,
    period: str,
    format: str = Query("json", pattern="^(json|csv|xlsx)$"),
    scope: Scope = READ,
    ctx: Context = Depends(get_ctx),
) -> Any:
    """Return the export tax ledger of an enterprise in the caller's scope for a period as JSON, CSV or XLSX."""
    ledger = build_ledger(ctx, ecommerce_code, period, scope=scope)
    name = f"export-tax-{ecommerce_code}-{period}"
    if format == "csv":
        headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
        return Response(ledger_csv(ledger), media_type="text/csv; charset=utf-8", headers=headers)
    if format == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        return Response(ledger_xlsx(ledger), media_type=XLSX, headers=headers)
    tables = ledger_tables(ledger)
    return {
        "reconciles": ledger.reconciles,
        "lines": [dict(zip(tables["lines"][0], row, strict=True)) for row in tables["lines"][1:]],
        "returns": [dict(zip(tables["returns"][0], row, strict=True)) for row in tables["returns"][1:]],
        "totals": {str(k): v for k, v in tables["totals"][1:]},
        "problems": [p.as_dict() for p in ledger.problems],
    }
