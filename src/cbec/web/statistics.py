"""Statistics pages of the zone office (统计监测): every indicator for any period and tenant from the daily rollups,
downloads as XLSX or CSV, targets per sub-platform, and the development index's published editions.

Figures are of the caller's tenant subtree (``statistics.read``); a tenant outside it is the 403 page. Targets and
editions are written with ``statistics.manage`` by a zone office; the actor is the signed-in user.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.accounts.service import list_tenants
from cbec.api.deps import get_ctx
from cbec.bootstrap import sign_outgoing
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, Problem
from cbec.common.scope import Scope
from cbec.statistics import (
    CSV_TYPE,
    EDITION_FILES,
    TARGETABLE,
    XLSX_TYPE,
    Span,
    method_codes,
    parse_span,
    shipped_method,
    to_csv,
    to_xlsx,
)
from cbec.statistics.queries import get_edition, hub_view, index_observations, list_editions, rollup_indicators
from cbec.statistics.service import publish_edition, set_tenant_target, target_progress, verify_edition
from cbec.storage.context import Context
from cbec.web.access import DASHBOARD_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.i18n import Translator, language
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/dashboard", include_in_schema=False)
METHOD_CODES = method_codes(shipped_method())
READ = Depends(guard(DASHBOARD_ROLES, "statistics.read"))
MANAGE = Depends(guard(frozenset({"zone_admin"}), "statistics.manage"))


def _tenants(ctx: Context, scope: Scope) -> list[tuple[str, str]]:
    mine = scope.tenant or "hub"
    return [(t.path, t.name) for t in list_tenants(ctx, scope=Scope(tenant=mine))]


def _choice(ctx: Context, entry: Entry, period: str | None, tenant: str | None) -> tuple[Span, str, str] | None:
    """Return (span, tenant, period text) asked for, defaulting to this month and the caller's tenant; None when
    the tenant lies outside the caller's."""
    mine = entry.scope.tenant or "hub"
    wanted = (tenant or mine).strip()
    if not Scope(tenant=mine).admits_tenant(wanted):
        return None
    text = (period or business_date(ctx.clock.now()).strftime("%Y-%m")).strip()
    span = parse_span(text) or parse_span(business_date(ctx.clock.now()).strftime("%Y-%m"))
    assert span is not None
    return span, wanted, text


@router.get("/figures", response_class=HTMLResponse)
def figures(
    request: Request,
    period: str | None = None,
    tenant: str | None = None,
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Show every indicator of a period (2026, 2026-Q1, 2026-03, 2026-03-15, a..b) and tenant, with its caliber,
    vintage and rule version, and the sub-platforms side by side."""
    if entry.refused:
        return entry.refused
    chosen = _choice(ctx, entry, period, tenant)
    if chosen is None:
        return forbidden(request, entry.principal)
    span, wanted, text = chosen
    unreadable = period is not None and parse_span(period.strip()) is None
    t = Translator(language(request))
    rows = [f.as_row() for f in rollup_indicators(ctx, span, wanted)]
    return page(
        request,
        "portal/dashboard/figures.html",
        {
            "rows": rows,
            "name": lambda row: row["name_zh"] if t.lang == "zh-CN" else row["name_en"],
            "hub": hub_view(ctx, span, wanted),
            "tenants": _tenants(ctx, entry.scope),
            "tenant": wanted,
            "period": text,
            "span": span,
            "unreadable": unreadable,
        },
        principal=entry.principal,
    )


@router.get("/figures/file")
def figures_file(
    request: Request,
    period: str | None = None,
    tenant: str | None = None,
    what: str = "figures",
    format: str = "xlsx",
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Download the period's indicators (``what=figures``) or the side-by-side view (``what=hub``) as XLSX or CSV."""
    if entry.refused:
        return entry.refused
    chosen = _choice(ctx, entry, period, tenant)
    if chosen is None:
        return forbidden(request, entry.principal)
    span, wanted, _ = chosen
    if what == "hub":
        rows: list[dict[str, Any]] = hub_view(ctx, span, wanted)
    else:
        rows = [f.as_row() for f in rollup_indicators(ctx, span, wanted)]
    name = f"{'hub' if what == 'hub' else 'figures'}-{wanted.replace('/', '_')}-{span.label}"
    if format == "csv":
        body, media, suffix = to_csv(rows), CSV_TYPE, "csv"
    else:
        body, media, suffix = to_xlsx(rows, sheet=name[:31], title=name), XLSX_TYPE, "xlsx"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'})


@router.get("/plan", response_class=HTMLResponse)
def plan(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show the targets of the caller's tenant and the sub-platforms below it, with progress from the rollups."""
    if entry.refused:
        return entry.refused
    return _plan_page(request, ctx, entry, problems=[], form={})


def _plan_page(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], form: dict[str, str], status: int = 200
) -> Response:
    mine = entry.scope.tenant or "hub"
    who = entry.principal
    return page(
        request,
        "portal/dashboard/plan.html",
        {
            "targets": [p.as_row() for p in target_progress(ctx, scope=Scope(tenant=mine))],
            "tenants": _tenants(ctx, entry.scope),
            "indicators": TARGETABLE,
            "can_edit": str(who.role) == "zone_admin" and who.may("statistics.manage"),
            "problems": problems,
            "form": form,
            "saved": request.query_params.get("saved"),
            "year": business_date(ctx.clock.now()).year,
        },
        principal=who,
        status_code=status,
    )


@router.post("/plan", response_class=HTMLResponse)
async def save_plan(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Set a target of the caller's tenant or a sub-platform below it (audited)."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    form = {name: str(raw.get(name, "")).strip() for name in ("tenant", "indicator", "period", "target")}
    mine = entry.scope.tenant or "hub"
    if not csrf_ok(request, str(raw.get("csrf_token", ""))) or not Scope(tenant=mine).admits_tenant(form["tenant"]):
        return forbidden(request, entry.principal)  # another tenant's target (AUTH-SCOPE)
    try:
        set_tenant_target(
            ctx,
            tenant=form["tenant"],
            indicator=form["indicator"],
            period=form["period"],
            target=form["target"],
            actor=actor(entry.principal),
            scope=Scope(tenant=entry.scope.tenant),
        )
    except DomainError as exc:
        return _plan_page(request, ctx, entry, problems=error_problems(exc), form=form, status=422)
    return RedirectResponse(f"/dashboard/plan?saved={form['tenant']}", status_code=303)


@router.get("/index", response_class=HTMLResponse)
def editions(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List the development index's published editions, with the form a zone office publishes one with."""
    if entry.refused:
        return entry.refused
    return _editions_page(request, ctx, entry, problems=[], form={})


def _editions_page(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], form: dict[str, Any], status: int = 200
) -> Response:
    who = entry.principal
    year = business_date(ctx.clock.now()).year
    return page(
        request,
        "portal/dashboard/index.html",
        {
            "editions": list_editions(ctx, entry.scope),
            "tenants": _tenants(ctx, entry.scope),
            "can_publish": str(who.role) == "zone_admin" and who.may("statistics.manage"),
            "method": shipped_method()["version"],
            "problems": problems,
            "form": form,
            "years": f"{year - 1}-{year}",
            "zones": " ".join(path for path, _ in _tenants(ctx, entry.scope)[1:]) or (entry.scope.tenant or "hub"),
        },
        principal=who,
        status_code=status,
    )


@router.post("/index", response_class=HTMLResponse)
async def publish(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Publish an edition from the rollups of the chosen tenants and years, with the shipped method."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    if not csrf_ok(request, str(raw.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    zones = str(raw.get("zones", "")).replace(",", " ").split()
    form = {name: str(raw.get(name, "")).strip() for name in ("label", "years", "zones")}
    mine = entry.scope.tenant or "hub"
    if any(not Scope(tenant=mine).admits_tenant(z) for z in zones):
        return forbidden(request, entry.principal)  # another tenant's figures (AUTH-SCOPE)
    problems = _publish_problems(form["years"], zones)
    if problems:
        return _editions_page(request, ctx, entry, problems=problems, form=form, status=422)
    low, _, high = form["years"].partition("-")
    years = list(range(int(low), int(high or low) + 1))
    try:
        publish_edition(
            ctx,
            label=form["label"],
            observations=index_observations(ctx, zones, years, codes=METHOD_CODES),
            method=shipped_method(),
            seed=20261206,
            actor=actor(entry.principal),
            tenant=mine,
            sign=lambda xml: sign_outgoing(ctx.settings, xml),
        )
    except DomainError as exc:
        return _editions_page(request, ctx, entry, problems=error_problems(exc), form=form, status=422)
    return RedirectResponse(f"/dashboard/index/{form['label']}", status_code=303)


def _publish_problems(years: str, zones: list[str]) -> list[Problem]:
    problems = []
    low, _, high = years.partition("-")
    if not (low.isdigit() and (not high or high.isdigit()) and 2000 <= int(low) <= int(high or low) <= 2100):
        problems.append(Problem("IDX-EDITION-YEARS", "years", "年份无效 / years unreadable", "E.g. 2025-2026."))
    if not zones:
        problems.append(Problem("IDX-EDITION-INPUT", "zones", "请填写分区 / give the zones", "E.g. hub/a hub/b."))
    return problems


@router.get("/index/{label}", response_class=HTMLResponse)
def edition(request: Request, label: str, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show one edition: every zone's index, rank, rank band and pillars, its digests, signature and files."""
    if entry.refused:
        return entry.refused
    try:
        found = get_edition(ctx, label, entry.scope)
    except DomainError:
        return not_found(request, entry.principal, label, "/dashboard/index")
    check = verify_edition(ctx, label, entry.scope) if request.query_params.get("verify") else None
    return page(
        request,
        "portal/dashboard/edition.html",
        {"e": found, "s": found.summary, "check": check, "files": list(EDITION_FILES)},
        principal=entry.principal,
    )


@router.get("/index/{label}/files/{name}")
def edition_file(
    request: Request, label: str, name: str, entry: Entry = READ, ctx: Context = Depends(get_ctx)
) -> Response:
    """Download one of an edition's files (observations.csv, method.json, result.json, manifest.xml)."""
    if entry.refused:
        return entry.refused
    try:
        found = get_edition(ctx, label, entry.scope)
    except DomainError:
        return not_found(request, entry.principal, label, "/dashboard/index")
    if name not in EDITION_FILES:
        return not_found(request, entry.principal, name, f"/dashboard/index/{label}")
    headers = {"Content-Disposition": f'attachment; filename="{label}-{name}"'}
    return Response(found.files()[name].encode("utf-8"), media_type=EDITION_FILES[name], headers=headers)
