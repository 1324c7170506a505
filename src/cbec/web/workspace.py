"""Enterprise workspace (企业工作台): filing, products, message upload, receipts, tax bills and search.

Each page calls the same use cases as the REST API; an enterprise sees only documents that name it (or an
enterprise that delegates to it).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cbec.api.deps import get_ctx
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.enterprises.service import enterprise_audit, get_enterprise
from cbec.intake import SenderNotAllowed, ingest_message
from cbec.messages.archive import ArchiveRefused, Budget, is_zip, read_members
from cbec.products.schemas import ProductCreate
from cbec.products.service import file_product, list_products
from cbec.statistics.queries import (
    document_history,
    exports_available,
    party_inventories,
    party_receipts,
    party_tax_bills,
)
from cbec.storage.context import Context
from cbec.web.access import WORKSPACE_ROLES, Entry, actor, csrf_ok, guard, may, scope
from cbec.web.auth import read_form
from cbec.web.codes import code_names, enterprise_names
from cbec.web.explain import UploadResult, timeline, upload_result
from cbec.web.render import error_problems, page

# Every page declares its guard (roles and the API's permission for the same data), as the console does.
READ = Depends(guard(WORKSPACE_ROLES, "clearance.read"))
SUBMIT = Depends(guard(WORKSPACE_ROLES, "ceb.submit"))
TAX_BILLS = Depends(guard(WORKSPACE_ROLES, "taxbills.read"))
PRODUCTS = Depends(guard(WORKSPACE_ROLES, "products.read"))
FILE_PRODUCTS = Depends(guard(WORKSPACE_ROLES, "products.file"))

router = APIRouter(prefix="/workspace", include_in_schema=False)
PAGE = 20
RECEIPT_PAGE = 50  # receipts a page (the newest first: the order of issue, a stable order)
RECEIPT_CAP = 1000  # receipts of the last days one listing reaches
PICKERS = {"origin_country": "country", "transaction_unit": "unit", "legal_unit": "unit", "net_content_unit": "unit"}
PRODUCT_FIELDS = (
    "item_no",
    "name",
    "hs_code",
    "specification",
    "brand",
    "origin_country",
    "transaction_unit",
    "legal_unit",
    "net_content",
    "net_content_unit",
    "unit_gross_weight",
    "barcode",
)


def _tabs(active: str) -> list[tuple[str, str, bool]]:
    tabs = [
        ("/workspace", "ws.tab.overview"),
        ("/workspace/upload", "ws.tab.upload"),
        ("/workspace/documents", "ws.tab.documents"),
        ("/workspace/receipts", "ws.tab.receipts"),
        ("/workspace/tax-bills", "ws.tab.tax_bills"),
        ("/workspace/exports", "ws.tab.exports"),
        ("/workspace/export-summaries", "ws.tab.export_summaries"),
        ("/workspace/export-ledger", "ws.tab.export_ledger"),
        ("/workspace/export-tax", "ws.tab.export_tax"),
        ("/workspace/warehouses", "ws.tab.warehouses"),
        ("/workspace/products", "ws.tab.products"),
        ("/workspace/credit", "ws.tab.credit"),
    ]
    return [(href, label, href == active) for href, label in tabs]


@router.get("", response_class=HTMLResponse)
def overview(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show the enterprise's filing, its latest documents and where to go next."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    code = who.enterprise_code or ""
    try:
        filing = get_enterprise(ctx, code)
        history = enterprise_audit(ctx, code)
    except NotFound:
        filing, history = None, []
    latest, total = party_inventories(ctx, scope=scope(who, "clearance.read"), limit=8)
    return page(
        request,
        "portal/workspace/overview.html",
        {
            "tabs": _tabs("/workspace"),
            "filing": filing,
            "history": history,
            "latest": latest,
            "total": total,
            "exports": exports_available(),
        },
        principal=who,
    )


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, entry: Entry = SUBMIT) -> Response:
    """Show the drop zone for CEB messages (XML, zip or DxpMsg)."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    return page(
        request,
        "portal/workspace/upload.html",
        {"tabs": _tabs("/workspace/upload"), "allowed": may(who, "ceb.submit")},
        principal=who,
    )


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, entry: Entry = SUBMIT, ctx: Context = Depends(get_ctx)) -> Response:
    """Run one uploaded file through intake (every XML of a zip in turn); answer with its result as an HTML item."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    name = unquote(request.headers.get("x-file-name", "")) or "upload.xml"
    if not csrf_ok(request, request.headers.get("x-csrf-token")) or not may(who, "ceb.submit"):
        return page(request, "portal/forbidden.html", principal=who, status_code=403)
    body = await request.body()  # bounded by CBEC_MAX_UPLOAD_BYTES (api/middleware.py answers 413 past it)
    results, status = await run_in_threadpool(_ingest_upload, ctx, who, name, body)
    return page(
        request,
        "portal/workspace/_upload_item.html",
        {"name": name, "results": results},
        principal=who,
        status_code=status,
    )


def _ingest_upload(ctx: Context, who: Any, name: str, body: bytes) -> tuple[list[UploadResult], int]:
    """Ingest an upload: one message, or each XML member of a zip in turn (read one at a time, within budget)."""
    if not is_zip(name, body[:4]):
        return [_ingest(ctx, who, name, body)], 200
    settings = ctx.settings
    budget = Budget(settings.max_message_bytes, settings.max_zip_total_bytes, settings.max_zip_entries)
    results: list[UploadResult] = []
    try:
        for member in read_members(body, budget):
            results.append(_ingest(ctx, who, f"{name}:{member.name}", member.content))
    except ArchiveRefused as exc:
        results.append(_ingest(ctx, who, name, exc.problems[0]))
        return results, 422
    return results, 200


def _ingest(ctx: Context, who: Any, name: str, data: bytes | Problem) -> UploadResult:
    if isinstance(data, Problem):
        return UploadResult(name, "", "unreadable", [], 0, [], [data])
    # The same sender check as POST /ceb: only as the caller's enterprise or one that delegated ceb.submit to it.
    senders = scope(who, "ceb.submit").parties
    try:
        result = ingest_message(ctx, data, source_name=f"web:{actor(who)}:{name}"[:300], senders=senders or frozenset())
    except SenderNotAllowed as exc:
        return UploadResult(name, "", "forbidden", [], 0, [], list(exc.problems))
    return upload_result(name, result)


@router.get("/documents", response_class=HTMLResponse)
def documents(
    request: Request,
    q: str = "",
    status: str = "",
    offset: int = 0,
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """List the enterprise's inventories, or find one by order, waybill, inventory or E-port number."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    items, total = party_inventories(
        ctx, scope=scope(who, "clearance.read"), number=q or None, status=status or None, limit=PAGE, offset=offset
    )
    return page(
        request,
        "portal/workspace/documents.html",
        {
            "tabs": _tabs("/workspace/documents"),
            "items": items,
            "total": total,
            "q": q,
            "status": status,
            "offset": max(0, offset),
            "limit": PAGE,
            "statuses": ["2", "120", "300", "500", "800", "899", "100"],
        },
        principal=who,
    )


@router.get("/documents/{number}", response_class=HTMLResponse)
def document(request: Request, number: str, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show one inventory: the status timeline, every receipt and, for a refusal, the rule, field and fix."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    try:
        history = document_history(ctx, number, scope=scope(who, "clearance.read"))
    except NotFound:
        return page(
            request,
            "portal/not_found.html",
            {"what": number, "back": "/workspace/documents"},
            principal=who,
            status_code=404,
        )
    return page(
        request,
        "portal/workspace/document.html",
        {
            "tabs": _tabs("/workspace/documents"),
            "h": history,
            "steps": timeline(history.receipts, history.summary.status),
            "firms": enterprise_names(
                ctx,
                (
                    history.summary.platform_code,
                    history.summary.ecommerce_code,
                    history.logistics_code,
                    history.summary.agent_code,
                ),
            ),
        },
        principal=who,
    )


@router.get("/receipts", response_class=HTMLResponse)
def receipts(request: Request, offset: int = 0, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List the receipts of the last days for the enterprise's documents (newest first, RECEIPT_PAGE a page, up to
    RECEIPT_CAP), refused ones explained."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    views = party_receipts(ctx, scope=scope(who, "clearance.read"), days=7, limit=RECEIPT_CAP)
    start = min(max(0, offset), max(0, len(views) - 1))
    return page(
        request,
        "portal/workspace/receipts.html",
        {
            "tabs": _tabs("/workspace/receipts"),
            "receipts": views[start : start + RECEIPT_PAGE],
            "days": 7,
            "offset": start,
            "limit": RECEIPT_PAGE,
            "total": len(views),
        },
        principal=who,
    )


@router.get("/tax-bills", response_class=HTMLResponse)
def tax_bills(request: Request, offset: int = 0, entry: Entry = TAX_BILLS, ctx: Context = Depends(get_ctx)) -> Response:
    """List the electronic tax bills (电子税单) of the enterprise's released inventories."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    bills, total = party_tax_bills(ctx, scope=scope(who, "taxbills.read"), limit=PAGE, offset=offset)
    return page(
        request,
        "portal/workspace/tax_bills.html",
        {
            "tabs": _tabs("/workspace/tax-bills"),
            "bills": bills,
            "total": total,
            "offset": max(0, offset),
            "limit": PAGE,
            "sum": sum((b.total for b in bills), Decimal(0)),
        },
        principal=who,
    )


@router.get("/products", response_class=HTMLResponse)
def products(request: Request, entry: Entry = PRODUCTS, ctx: Context = Depends(get_ctx)) -> Response:
    """List the enterprise's product filings with the form to file a new one."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    return _products_page(request, ctx, who, form={}, problems=[], filed=request.query_params.get("filed"))


def _products_page(
    request: Request,
    ctx: Context,
    who: Any,
    *,
    form: dict[str, str],
    problems: list[Problem],
    filed: str | None = None,
    status_code: int = 200,
) -> Response:
    listing = list_products(ctx, owner_code=who.enterprise_code or "", limit=200)
    names = code_names(ctx, request)
    return page(
        request,
        "portal/workspace/products.html",
        {
            "tabs": _tabs("/workspace/products"),
            "products": listing.items,
            "total": listing.total,
            "form": form,
            "problems": problems,
            "filed": filed,
            "fields": PRODUCT_FIELDS,
            "allowed": may(who, "products.file"),
            "code": names,
            "pickers": {field: names.options(table) for field, table in PICKERS.items()},
        },
        principal=who,
        status_code=status_code,
    )


@router.post("/products", response_class=HTMLResponse)
async def file_new_product(request: Request, entry: Entry = FILE_PRODUCTS, ctx: Context = Depends(get_ctx)) -> Response:
    """File a product for the enterprise (status pending until an officer approves it)."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    raw = await read_form(request)
    form = {name: str(raw.get(name, "")).strip() for name in PRODUCT_FIELDS}
    if not csrf_ok(request, str(raw.get("csrf_token", ""))) or not may(who, "products.file"):
        return page(request, "portal/forbidden.html", principal=who, status_code=403)
    try:
        net_content = Decimal(form["net_content"] or "0")
        if not net_content.is_finite():  # NaN, Infinity
            raise InvalidOperation(form["net_content"])
    except InvalidOperation:
        problem = Problem("WEB-NUMBER", "net_content", "净含量须为数字 / not a number", "Enter a number such as 50.")
        return _products_page(request, ctx, who, form=form, problems=[problem], status_code=422)
    try:
        weight = Decimal(form["unit_gross_weight"]) if form["unit_gross_weight"] else None
        if weight is not None and not weight.is_finite():
            raise InvalidOperation(form["unit_gross_weight"])
    except InvalidOperation:
        problem = Problem(
            "WEB-NUMBER", "unit_gross_weight", "单位毛重须为数字（千克）/ not a number", "Enter kilograms such as 1.15."
        )
        return _products_page(request, ctx, who, form=form, problems=[problem], status_code=422)
    try:
        created = file_product(
            ctx,
            ProductCreate(
                owner_code=who.enterprise_code or "",
                item_no=form["item_no"],
                name=form["name"],
                hs_code=form["hs_code"],
                specification=form["specification"],
                brand=form["brand"] or None,
                origin_country=form["origin_country"],
                transaction_unit=form["transaction_unit"],
                legal_unit=form["legal_unit"],
                net_content=net_content,
                net_content_unit=form["net_content_unit"],
                barcode=form["barcode"] or None,
                unit_gross_weight=weight,
                actor=actor(who),
            ),
        )
    except DomainError as exc:
        return _products_page(request, ctx, who, form=form, problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/workspace/products?filed={created.item_no}", status_code=303)
