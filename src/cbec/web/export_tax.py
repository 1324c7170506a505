"""Export tax pages (出口发票与税务信息) and the overseas-warehouse registry (海外仓).

An enterprise reads its own export tax profile and the purchase invoices linked to its exported lines; the hub's
zone office (``export.manage``) records profiles and links invoices for any enterprise of its scope, with the
same use cases as ``PUT /api/v1/exports/tax-profiles/{code}`` and ``POST /api/v1/exports/invoices``. The
warehouse registry is the zone's (as ``GET /api/v1/exports/warehouses``): everyone with ``export.read`` sees the
list; the counts of 9810 inventories across the zone's enterprises only the unrestricted scope.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.enterprises.service import list_enterprises
from cbec.exports.queries import export_tax_file
from cbec.exports.service import list_warehouses, register_invoice, set_tax_profile
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, WORKSPACE_ROLES, Entry, csrf_ok, forbidden, guard, may, not_found
from cbec.web.auth import read_form
from cbec.web.codes import code_names, enterprise_names
from cbec.web.console import _tabs as console_tabs
from cbec.web.render import error_problems, page
from cbec.web.workspace import _tabs as workspace_tabs

router = APIRouter(include_in_schema=False)
OWN = Depends(guard(WORKSPACE_ROLES, "export.read"))
OFFICE = Depends(guard(CONSOLE_ROLES, "export.read"))
MANAGE = Depends(guard(CONSOLE_ROLES, "export.manage"))
PAGE = 50
LARGEST = Decimal(10) ** 14  # amounts are stored as NUMERIC(19,5)
PROFILE_FIELDS = ("refund_qualified", "tax_registered", "employees", "total_assets", "restricted_industry")
INVOICE_FIELDS = ("invoice_no", "invoice_date", "inventory_no", "line_no", "amount", "vat_rate")


def _problem(field: str, zh: str, en: str, hint: str) -> Problem:
    return Problem("WEB-INPUT", field, f"{zh} / {en}", hint)


# --- tax profiles and invoices ---------------------------------------------------------------------------------


@router.get("/workspace/export-tax", response_class=HTMLResponse)
def own_tax_file(request: Request, offset: int = 0, entry: Entry = OWN, ctx: Context = Depends(get_ctx)) -> Response:
    """Show the enterprise's export tax profile and its linked purchase invoices (read-only: the zone office keeps
    them)."""
    if entry.refused:
        return entry.refused
    code = entry.principal.enterprise_code or ""
    return _tax_page(request, ctx, entry, code, offset=offset, console=False)


@router.get("/console/export-tax", response_class=HTMLResponse)
def tax_files(
    request: Request, enterprise: str = "", offset: int = 0, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Pick an enterprise of the caller's scope; show its export tax profile and invoices, with the forms that
    record them when the caller may (export.manage)."""
    if entry.refused:
        return entry.refused
    return _tax_page(request, ctx, entry, enterprise.strip(), offset=offset, console=True)


def _choices(ctx: Context, entry: Entry) -> list[tuple[str, str]]:
    """Return (customs code, "code name") of the approved filings in the caller's scope: the enterprise picker."""
    listing = list_enterprises(ctx, status="approved", limit=500, scope=entry.scope)
    return sorted((e.customs_code, f"{e.customs_code} {e.name}") for e in listing.items)


def _tax_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    code: str,
    *,
    offset: int,
    console: bool,
    problems: list[Problem] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    who = entry.principal
    choices = _choices(ctx, entry) if console else []
    if console and not code and choices:
        code = choices[0][0]
    found = None
    if code:
        try:
            found = export_tax_file(ctx, code, scope=entry.scope, limit=PAGE, offset=max(0, offset))
        except NotFound:
            return not_found(request, who, code, "/console/export-tax" if console else "/workspace")
    return page(
        request,
        "portal/exports/tax.html",
        {
            "tabs": console_tabs("/console/export-tax") if console else workspace_tabs("/workspace/export-tax"),
            "console": console,
            "choices": choices,
            "enterprise": code,
            "f": found,
            "offset": max(0, offset),
            "limit": PAGE,
            "can_manage": console and may(who, "export.manage"),
            "problems": problems or [],
            "form": form or {},
            "saved": request.query_params.get("saved"),
        },
        principal=who,
        status_code=status_code,
    )


def _decimal(form: dict[str, str], name: str, problems: list[Problem], *, required: bool) -> Decimal | None:
    text = form.get(name, "").replace(",", "")
    if not text:
        if required:
            problems.append(_problem(name, "必须填写", "required", "Enter a number such as 1000.00."))
        return None
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation(text)
    except InvalidOperation:
        problems.append(_problem(name, f"“{text[:20]}”不是数字", f"“{text[:20]}” is not a number", "Enter a number."))
        return None
    if abs(value) >= LARGEST:
        problems.append(_problem(name, "数额过大：整数部分不超过 14 位", "too large: at most 14 digits", "Check it."))
        return None
    return value


@router.post("/console/export-tax/{code}/profile", response_class=HTMLResponse)
async def save_profile(request: Request, code: str, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Record an enterprise's export tax profile (refund qualification, registration, size, restricted industry)."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    if not csrf_ok(request, str(raw.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    form = {name: str(raw.get(name, "")).strip() for name in PROFILE_FIELDS}
    problems: list[Problem] = []
    employees = None
    if form["employees"]:
        if form["employees"].isdigit() and len(form["employees"]) <= 9:
            employees = int(form["employees"])
        else:
            problems.append(_problem("employees", "从业人数须为整数", "a whole number", "Enter e.g. 120."))
    assets = _decimal(form, "total_assets", problems, required=False)
    if assets is not None and assets < 0:
        problems.append(_problem("total_assets", "资产总额不能为负数", "not negative", "Enter 0 or more."))
    if not problems:
        try:
            set_tax_profile(
                ctx,
                code,
                refund_qualified=form["refund_qualified"] == "yes",
                tax_registered=form["tax_registered"] == "yes",
                employees=employees,
                total_assets=assets,
                restricted_industry=form["restricted_industry"] == "yes",
                scope=entry.scope,
            )
        except NotFound:
            return not_found(request, entry.principal, code, "/console/export-tax")
        except DomainError as exc:
            problems = error_problems(exc)
    if problems:
        return _tax_page(
            request, ctx, entry, code, offset=0, console=True, problems=problems, form=form, status_code=422
        )
    return RedirectResponse(f"/console/export-tax?enterprise={code}&saved=profile", status_code=303)


@router.post("/console/export-tax/{code}/invoices", response_class=HTMLResponse)
async def add_invoice(request: Request, code: str, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Link a purchase VAT invoice (amount excluding VAT) to an exported inventory line of the enterprise."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    if not csrf_ok(request, str(raw.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    form = {name: str(raw.get(name, "")).strip() for name in INVOICE_FIELDS}
    problems: list[Problem] = []
    if not form["invoice_no"] or len(form["invoice_no"]) > 40:
        problems.append(_problem("invoice_no", "发票号码须为 1–40 个字符", "1 to 40 characters", "Copy it."))
    try:
        on = date.fromisoformat(form["invoice_date"])
    except ValueError:
        on = None
        problems.append(
            _problem("invoice_date", "开票日期格式应为 2026-03-02", "a date such as 2026-03-02", "Pick a date.")
        )
    line = int(form["line_no"]) if form["line_no"].isdigit() and int(form["line_no"]) >= 1 else None
    if line is None:
        problems.append(_problem("line_no", "商品序号须为从 1 开始的整数", "a whole number from 1", "Enter e.g. 1."))
    amount = _decimal(form, "amount", problems, required=True)
    rate = _decimal(form, "vat_rate", problems, required=True)
    if not problems and on is not None and line is not None and amount is not None and rate is not None:
        try:
            register_invoice(
                ctx,
                ecommerce_code=code,
                invoice_no=form["invoice_no"],
                invoice_date=on,
                inventory_no=form["inventory_no"],
                line_no=line,
                amount=amount,
                vat_rate=rate,
                scope=entry.scope,
            )
        except NotFound:
            return not_found(request, entry.principal, code, "/console/export-tax")
        except DomainError as exc:
            problems = error_problems(exc)
    if problems:
        return _tax_page(
            request, ctx, entry, code, offset=0, console=True, problems=problems, form=form, status_code=422
        )
    return RedirectResponse(f"/console/export-tax?enterprise={code}&saved=invoice", status_code=303)


# --- overseas warehouses ---------------------------------------------------------------------------------------


def _warehouses(request: Request, ctx: Context, entry: Entry, country: str, console: bool) -> Response:
    names = code_names(ctx, request)
    country = country.strip()
    listing = list_warehouses(ctx, country=country or None)
    counted = entry.scope.parties is None  # counts across the zone's enterprises: the unrestricted scope only
    context: dict[str, Any] = {
        "tabs": console_tabs("/console/warehouses") if console else workspace_tabs("/workspace/warehouses"),
        "items": listing,
        "counted": counted,
        "country": country,
        "countries": names.options("country"),
        "code": names,
        "firms": enterprise_names(ctx, (w.operator_code for w in listing)),
    }
    return page(request, "portal/exports/warehouses.html", context, principal=entry.principal)


@router.get("/workspace/warehouses", response_class=HTMLResponse)
def workspace_warehouses(
    request: Request, country: str = "", entry: Entry = OWN, ctx: Context = Depends(get_ctx)
) -> Response:
    """List the zone's overseas-warehouse registry (a zone record, the same for every enterprise)."""
    if entry.refused:
        return entry.refused
    return _warehouses(request, ctx, entry, country, console=False)


@router.get("/console/warehouses", response_class=HTMLResponse)
def console_warehouses(
    request: Request, country: str = "", entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """List the zone's overseas-warehouse registry with each warehouse's 9810 inventories (the hub's counts)."""
    if entry.refused:
        return entry.refused
    return _warehouses(request, ctx, entry, country, console=True)
