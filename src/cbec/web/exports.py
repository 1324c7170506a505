"""Export pages (出口页面): the enterprise's export inventories, receipts, monthly summaries (CEB701 → CEB792) and
tax ledgers (CSV/XLSX); the officers' queue of held export inventories and their decisions.

Each page calls the same queries and use cases as /api/v1/exports, in the scope of ``export.read`` (reading) or
``export.decide`` (deciding): an enterprise sees the export inventories it is a party to and its own summaries and
ledgers; an officer those of its tenant. Anything outside the scope is not found (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.exports.ledger_files import ledger_csv, ledger_xlsx
from cbec.exports.queries import (
    export_inventory_detail,
    held_export_inventories,
    search_export_inventories,
    summary_declarations,
)
from cbec.exports.service import TaxLedger, build_ledger, decide_held_export
from cbec.exports.views import ExportInventorySummary
from cbec.statistics.rules import is_refusal, parse_return_info
from cbec.statistics.views import ReceiptView
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, WORKSPACE_ROLES, Entry, actor, csrf_ok, forbidden, guard, may, not_found
from cbec.web.auth import read_form
from cbec.web.codes import code_names, enterprise_names
from cbec.web.console import _tabs as console_tabs
from cbec.web.explain import timeline
from cbec.web.render import error_problems, page
from cbec.web.workspace import _tabs as workspace_tabs

router = APIRouter(include_in_schema=False)
PAGE = 20
READ = Depends(guard(WORKSPACE_ROLES, "export.read"))
HELD = Depends(guard(CONSOLE_ROLES, "export.read"))
DECIDE = Depends(guard(CONSOLE_ROLES, "export.decide"))
STATUSES = ("2", "120", "300", "500", "399", "800", "899", "100")
DECISIONS = ("release", "refuse", "inspect")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _offset(raw: int) -> int:
    return max(0, raw)


def _namers(ctx: Context, request: Request) -> dict[str, Any]:
    names = code_names(ctx, request)
    return {"country": lambda code: names("country", code), "currency": lambda code: names("currency", code)}


def _search(ctx: Context, entry: Entry, q: str, status: str, offset: int) -> tuple[list[ExportInventorySummary], int]:
    """Find export inventories by inventory, E-port, order or waybill number (the first that matches), or list."""
    common: dict[str, Any] = {"status": status or None, "limit": PAGE, "offset": offset}
    if not q:
        return search_export_inventories(ctx, scope=entry.scope, **common)
    for name in ("inventory_no", "order_no", "logistics_no"):
        found, total = search_export_inventories(ctx, scope=entry.scope, **common, **{name: q})
        if total:
            return found, total
    return [], 0


def _views(receipts: list[Any]) -> list[ReceiptView]:
    return [
        ReceiptView(
            receipt=r,
            document_kind="export_inventory",
            refused=is_refusal(r.status),
            problems=tuple(parse_return_info(r.info or "")) if is_refusal(r.status) else (),
        )
        for r in receipts
    ]


# --- enterprise workspace ------------------------------------------------------------------------------------


@router.get("/workspace/exports", response_class=HTMLResponse)
def export_documents(
    request: Request,
    q: str = "",
    status: str = "",
    offset: int = 0,
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """List the export inventories the enterprise is a party to, or find one by its number."""
    if entry.refused:
        return entry.refused
    items, total = _search(ctx, entry, q.strip(), status, _offset(offset))
    return page(
        request,
        "portal/exports/documents.html",
        {
            "tabs": workspace_tabs("/workspace/exports"),
            "items": items,
            "total": total,
            "q": q,
            "status": status,
            "statuses": STATUSES,
            "offset": _offset(offset),
            "limit": PAGE,
            **_namers(ctx, request),
        },
        principal=entry.principal,
    )


@router.get("/workspace/exports/{number}", response_class=HTMLResponse)
def export_document(request: Request, number: str, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show an export inventory: status timeline, lines, every receipt (refusals explained) and returns."""
    if entry.refused:
        return entry.refused
    return _detail_page(request, ctx, entry, number, console=False, problems=[], comment="")


@router.get("/workspace/export-summaries", response_class=HTMLResponse)
def export_summaries(
    request: Request, month: str = "", offset: int = 0, entry: Entry = READ, ctx: Context = Depends(get_ctx)
) -> Response:
    """List the enterprise's monthly summary applications (CEB701) with their declarations (CEB792)."""
    if entry.refused:
        return entry.refused
    chosen = month if _is_month(month) else ""
    found = summary_declarations(ctx, chosen or None, scope=entry.scope)
    found.sort(key=lambda s: (s["month"], s["summary_no"]), reverse=True)
    start = _offset(offset)
    return page(
        request,
        "portal/exports/summaries.html",
        {
            "tabs": workspace_tabs("/workspace/export-summaries"),
            "items": found[start : start + PAGE],
            "total": len(found),
            "month": chosen,
            "offset": start,
            "limit": PAGE,
        },
        principal=entry.principal,
    )


def _is_month(text: str) -> bool:
    try:
        date.fromisoformat(f"{text}-01")
    except ValueError:
        return False
    return len(text) == 7


def _last_month(ctx: Context) -> str:
    today = business_date(ctx.clock.now())
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def _ledger(
    ctx: Context, entry: Entry, enterprise: str, period: str
) -> tuple[str, str, list[str], TaxLedger | None, list[Problem]]:
    """Build the ledger the form asks for: of one of the caller's enterprises (its own first) and a period."""
    own = entry.principal.enterprise_code or ""
    choices = sorted(entry.scope.parties or {own}, key=lambda code: (code != own, code))
    enterprise = enterprise if enterprise in choices else own
    period = period.strip() or _last_month(ctx)
    try:
        return enterprise, period, choices, build_ledger(ctx, enterprise, period, scope=entry.scope), []
    except NotFound:
        problem = Problem("WEB-LEDGER", "enterprise", f"企业 {enterprise} 未备案 / {enterprise} is not filed", "")
        return enterprise, period, choices, None, [problem]
    except DomainError as exc:
        return enterprise, period, choices, None, error_problems(exc)


@router.get("/workspace/export-ledger", response_class=HTMLResponse)
def export_ledger(
    request: Request,
    enterprise: str = "",
    period: str = "",
    offset: int = 0,
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Show the export tax ledger (出口税收台账) of the enterprise for a month, quarter or year, with its files."""
    if entry.refused:
        return entry.refused
    code, period, choices, ledger, problems = _ledger(ctx, entry, enterprise, period)
    start = _offset(offset)
    return page(
        request,
        "portal/exports/ledger.html",
        {
            "tabs": workspace_tabs("/workspace/export-ledger"),
            "enterprise": code,
            "period": period,
            "choices": choices,
            "firms": enterprise_names(ctx, choices),
            "ledger": ledger,
            "lines": ledger.lines[start : start + PAGE] if ledger else [],
            "problems": problems,
            "offset": start,
            "limit": PAGE,
        },
        principal=entry.principal,
        status_code=200 if ledger is not None else 422,
    )


@router.get("/workspace/export-ledger/file")
def export_ledger_file(
    request: Request,
    enterprise: str = "",
    period: str = "",
    format: str = "csv",
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Download the ledger as CSV (UTF-8 with BOM, for Excel) or XLSX (lines, returns and totals sheets)."""
    if entry.refused:
        return entry.refused
    code, period, _choices, ledger, _problems = _ledger(ctx, entry, enterprise, period)
    if ledger is None:
        return not_found(request, entry.principal, f"{code} {period}", "/workspace/export-ledger")
    name = f"export-tax-{code}-{period}"
    if format == "xlsx":
        headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"'}
        return Response(ledger_xlsx(ledger), media_type=XLSX, headers=headers)
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(ledger_csv(ledger), media_type="text/csv; charset=utf-8", headers=headers)


# --- officer console -----------------------------------------------------------------------------------------


@router.get("/console/exports", response_class=HTMLResponse)
def held_exports(request: Request, offset: int = 0, entry: Entry = HELD, ctx: Context = Depends(get_ctx)) -> Response:
    """List export inventories of the caller's scope held for manual review (300) or inspection (500)."""
    if entry.refused:
        return entry.refused
    held = held_export_inventories(ctx, scope=entry.scope)
    start = _offset(offset)
    return page(
        request,
        "portal/exports/held.html",
        {
            "tabs": console_tabs("/console/exports"),
            "items": held[start : start + PAGE],
            "total": len(held),
            "offset": start,
            "limit": PAGE,
            "decided": request.query_params.get("decided"),
            "action": request.query_params.get("action"),
            **_namers(ctx, request),
        },
        principal=entry.principal,
    )


@router.get("/console/exports/{number}", response_class=HTMLResponse)
def held_export(request: Request, number: str, entry: Entry = HELD, ctx: Context = Depends(get_ctx)) -> Response:
    """Show an export inventory of the caller's scope with the decision form while it is held."""
    if entry.refused:
        return entry.refused
    return _detail_page(request, ctx, entry, number, console=True, problems=[], comment="")


@router.post("/console/exports/{number}/decision", response_class=HTMLResponse)
async def decide_export(
    request: Request, number: str, entry: Entry = DECIDE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Release, refuse or inspect a held export inventory in the caller's scope; a comment is required."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    form = await read_form(request)
    action, comment = str(form.get("action", "")), str(form.get("comment", ""))
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, who)
    try:
        decide_held_export(ctx, number, action=action, actor=actor(who), comment=comment, scope=entry.scope)
    except NotFound:
        return not_found(request, who, number, "/console/exports")
    except DomainError as exc:
        problems = error_problems(exc)
        return _detail_page(
            request, ctx, entry, number, console=True, problems=problems, comment=comment, status_code=422
        )
    return RedirectResponse(f"/console/exports?decided={number}&action={action}", status_code=303)


def _detail_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    number: str,
    *,
    console: bool,
    problems: list[Problem],
    comment: str,
    status_code: int = 200,
) -> Response:
    who = entry.principal
    back = "/console/exports" if console else "/workspace/exports"
    try:
        found = export_inventory_detail(ctx, number, scope=entry.scope)
    except NotFound:
        return not_found(request, who, number, back)
    summary = found.summary
    receipts = _views(found.receipts)
    held = summary.status in ("300", "500") and not summary.cancelled and summary.inventory_no is not None
    return page(
        request,
        "portal/exports/document.html",
        {
            "tabs": console_tabs("/console/exports") if console else workspace_tabs("/workspace/exports"),
            "d": found,
            "s": summary,
            "receipts": receipts,
            "steps": timeline(receipts, summary.status),
            "console": console,
            "can_decide": console and held and may(who, "export.decide"),
            "held": held,
            "actions": [a for a in DECISIONS if not (a == "inspect" and summary.status == "500")],
            "problems": problems,
            "comment": comment,
            **_namers(ctx, request),
        },
        principal=who,
        status_code=status_code,
    )
