"""Officer console (监管工作台): held inventories with their documents side by side, decisions, filing approvals,
search across documents and consumers' misuse reports.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.clearance.queries import held_queue
from cbec.clearance.service import decide_held_inventory
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.common.scope import Scope
from cbec.enterprises import Transition
from cbec.enterprises.service import change_status, list_enterprises
from cbec.statistics.queries import inventory_dossier, list_reports, party_inventories
from cbec.statistics.service import review_consumer_report
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, may, not_found, scope
from cbec.web.auth import read_form
from cbec.web.codes import code_names
from cbec.web.explain import held_reason, timeline
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE = 20
DECISIONS = ("release", "refuse", "inspect")
FILING_ACTIONS = {"approve": Transition.APPROVE, "suspend": Transition.SUSPEND, "reinstate": Transition.REINSTATE}
ZONE_OFFICE = frozenset({"zone_admin"})
# Each page checks the permission of its API equivalent and queries in that permission's scope.
READ = Depends(guard(CONSOLE_ROLES, "clearance.read"))
DECIDE = Depends(guard(CONSOLE_ROLES, "clearance.decide"))
FILINGS = Depends(guard(CONSOLE_ROLES, "enterprises.read"))
FILING_DECIDE = Depends(guard(CONSOLE_ROLES, "enterprises.decide"))
REVIEW = Depends(guard(ZONE_OFFICE, "clearance.read"))  # consumer reports are the zone office's to close


QUEUE_PAGE = 50
QUEUE_CAP = 2000  # held inventories one listing reaches


def _tabs(active: str) -> list[tuple[str, str, bool]]:
    tabs = [
        ("/console", "con.tab.queue"),
        ("/console/exports", "con.tab.exports"),
        ("/console/export-tax", "con.tab.export_tax"),
        ("/console/warehouses", "con.tab.warehouses"),
        ("/console/search", "con.tab.search"),
        ("/console/enterprises", "con.tab.enterprises"),
        ("/console/reports", "con.tab.reports"),
        ("/console/risk", "con.tab.risk"),
        ("/console/risk/versions", "con.tab.risk_versions"),
        ("/console/risk/lists", "con.tab.risk_lists"),
        ("/console/credit", "con.tab.credit"),
    ]
    return [(href, label, href == active) for href, label in tabs]


@router.get("", response_class=HTMLResponse)
def queue(request: Request, offset: int = 0, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List inventories held for manual review (300) or inspection (500) with the reasons, in the caller's scope,
    QUEUE_PAGE a page in the queue's order."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    everything = held_queue(ctx, limit=QUEUE_CAP, scope=entry.scope)
    start = min(max(0, offset), max(0, len(everything) - 1))
    held = everything[start : start + QUEUE_PAGE]
    pending = list_enterprises(ctx, status="pending", limit=1, scope=scope(who, "enterprises.read")).total
    open_reports = list_reports(ctx, status="open", limit=1, scope=entry.scope)[1]
    return page(
        request,
        "portal/console/queue.html",
        {
            "tabs": _tabs("/console"),
            "held": [(item, held_reason(item.status_info)) for item in held],
            "total": len(everything),
            "offset": start,
            "limit": QUEUE_PAGE,
            "pending": pending,
            "open_reports": open_reports,
            "decided": request.query_params.get("decided"),
            "action": request.query_params.get("action"),
        },
        principal=who,
    )


@router.get("/inventories/{number}", response_class=HTMLResponse)
def dossier(request: Request, number: str, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show an inventory with its order, payment and waybill side by side (masked) and the decision form."""
    if entry.refused:
        return entry.refused
    return _dossier_page(request, ctx, entry.principal, number, problems=[], comment="")


def _dossier_page(
    request: Request,
    ctx: Context,
    who: Any,
    number: str,
    *,
    problems: list[Problem],
    comment: str,
    status_code: int = 200,
) -> Response:
    try:
        found = inventory_dossier(ctx, number, scope=scope(who, "clearance.read"))
    except NotFound:
        return not_found(request, who, number, "/console")
    held = found.summary.status in ("300", "500") and not found.summary.cancelled
    return page(
        request,
        "portal/console/dossier.html",
        {
            "tabs": _tabs("/console"),
            "d": found,
            "reason": held_reason(found.summary.status_info),
            "steps": timeline(found.receipts, found.summary.status),
            "can_decide": held and may(who, "clearance.decide"),
            "actions": [a for a in DECISIONS if not (a == "inspect" and found.summary.status == "500")],
            "problems": problems,
            "comment": comment,
            "code": code_names(ctx, request),
        },
        principal=who,
        status_code=status_code,
    )


@router.post("/inventories/{number}/decision", response_class=HTMLResponse)
async def decide(request: Request, number: str, entry: Entry = DECIDE, ctx: Context = Depends(get_ctx)) -> Response:
    """Release, refuse (return) or send to inspection a held inventory in the caller's scope; a comment is required."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    form = await read_form(request)
    action, comment = str(form.get("action", "")), str(form.get("comment", ""))
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, who)
    try:
        decide_held_inventory(ctx, number, action=action, actor=actor(who), comment=comment, scope=entry.scope)
    except NotFound:
        return not_found(request, who, number, "/console")
    except DomainError as exc:
        problems = error_problems(exc)
        return _dossier_page(request, ctx, who, number, problems=problems, comment=comment, status_code=422)
    return RedirectResponse(f"/console?decided={number}&action={action}", status_code=303)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = "",
    status: str = "",
    offset: int = 0,
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Find inventories in the caller's scope by order, waybill, inventory or E-port number, or by status."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    items, total = party_inventories(
        ctx, scope=entry.scope, number=q or None, status=status or None, limit=PAGE, offset=offset
    )
    return page(
        request,
        "portal/console/search.html",
        {
            "tabs": _tabs("/console/search"),
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


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises(
    request: Request, status: str = "pending", entry: Entry = FILINGS, ctx: Context = Depends(get_ctx)
) -> Response:
    """List enterprise filings in the caller's scope by status, with the decisions for those who decide filings."""
    if entry.refused:
        return entry.refused
    return _enterprises_page(request, ctx, entry.principal, status=status, problems=[])


def _enterprises_page(
    request: Request, ctx: Context, who: Any, *, status: str, problems: list[Problem], status_code: int = 200
) -> Response:
    status = status if status in ("pending", "approved", "suspended", "revoked") else "pending"
    listing = list_enterprises(ctx, status=status, limit=200, scope=scope(who, "enterprises.read"))
    return page(
        request,
        "portal/console/enterprises.html",
        {
            "tabs": _tabs("/console/enterprises"),
            "items": listing.items,
            "total": listing.total,
            "status": status,
            "statuses": ("pending", "approved", "suspended", "revoked"),
            "can_decide": may(who, "enterprises.decide"),
            "problems": problems,
            "done": request.query_params.get("done"),
            "code": request.query_params.get("code"),
        },
        principal=who,
        status_code=status_code,
    )


@router.post("/enterprises/{code}/decision", response_class=HTMLResponse)
async def decide_filing(
    request: Request, code: str, entry: Entry = FILING_DECIDE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Approve, suspend or reinstate an enterprise filing in the caller's scope, with a reason."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    form = await read_form(request)
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    back = str(form.get("status", "pending"))
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, who)
    transition = FILING_ACTIONS.get(action)
    if transition is None:
        problem = Problem(
            "WEB-ACTION", "action", f"未知操作 {action} / unknown action", "Approve, suspend or reinstate."
        )
        return _enterprises_page(request, ctx, who, status=back, problems=[problem], status_code=422)
    try:
        change_status(ctx, code, transition, reason=reason, actor=actor(who), scope=entry.scope)
    except NotFound:
        return not_found(request, who, code, "/console/enterprises")
    except DomainError as exc:
        problems = error_problems(exc)
        return _enterprises_page(request, ctx, who, status=back, problems=problems, status_code=422)
    return RedirectResponse(f"/console/enterprises?status={back}&done={action}&code={code}", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, status: str = "open", entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List consumers' reports of inventories in the caller's scope they did not make (额度盗用举报)."""
    if entry.refused:
        return entry.refused
    return _reports_page(request, ctx, entry.principal, entry.scope, status=status, problems=[])


def _reports_page(
    request: Request,
    ctx: Context,
    who: Any,
    where: Scope,
    *,
    status: str,
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    status = status if status in ("open", "reviewed") else "open"
    items, total = list_reports(ctx, status=status, limit=100, scope=where)
    return page(
        request,
        "portal/console/reports.html",
        {
            "tabs": _tabs("/console/reports"),
            "items": items,
            "total": total,
            "status": status,
            "can_review": str(who.role) == "zone_admin",
            "problems": problems,
            "done": request.query_params.get("done"),
        },
        principal=who,
        status_code=status_code,
    )


@router.post("/reports/{reference_no}/review", response_class=HTMLResponse)
async def review(
    request: Request, reference_no: str, entry: Entry = REVIEW, ctx: Context = Depends(get_ctx)
) -> Response:
    """Close a consumer report (of an inventory in the caller's scope) with what the zone office found."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, who)
    comment, outcome = str(form.get("comment", "")), str(form.get("outcome", ""))
    try:
        review_consumer_report(ctx, reference_no, actor=actor(who), comment=comment, outcome=outcome, scope=entry.scope)
    except NotFound:
        return not_found(request, who, reference_no, "/console/reports")
    except DomainError as exc:
        problems = error_problems(exc)
        return _reports_page(request, ctx, who, entry.scope, status="open", problems=problems, status_code=422)
    return RedirectResponse(f"/console/reports?done={reference_no}", status_code=303)
