"""Risk disposal pages (风险处置) of the officer console: the case queue, a case, and the review page.

* ``/console/risk/cases`` (``risk.read``): open cases by score, filtered by typology and state.
* ``/console/risk/cases/{id}`` (``risk.read``): the case, its alerts with their reasons in the page's language (the
  explanation of the alert queue), the linked inventories (no personal data: pivot and subject keys are shown
  masked, the dossier link opens the masked dossier for officers with ``clearance.read``), the actions, and — with
  ``risk.manage`` — the forms to act, to snooze a rule, and the second officer's confirmation of a proposed return
  or list entry (the proposer sees who must confirm, never a button to confirm their own).
* ``/console/risk/review`` (``risk.read``): per rule and typology, alerts, labels, precision and weekly volume.

Every form posts with the session's anti-forgery token; the actor is the signed-in officer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.clearance.queries import inventory_detail
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.risk.cases import (
    AGENCIES,
    LISTS,
    ActionCreate,
    ActionDecision,
    ActionKind,
    CaseNotFound,
    Outcome,
    SnoozeCreate,
    act,
    confirm,
    list_cases,
    review,
    rule_meanings,
    show_case,
    snooze,
)
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, may, not_found, scope
from cbec.web.auth import read_form
from cbec.web.console import _tabs
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/console/risk", include_in_schema=False)
READ = Depends(guard(CONSOLE_ROLES, "risk.read"))
MANAGE = Depends(guard(CONSOLE_ROLES, "risk.manage"))
PAGE = 50
TYPOLOGIES = (
    "order_splitting",
    "fake_order",
    "id_misuse",
    "undervaluation",
    "laundering",
    "ip_infringement",
    "quality",
)
STATES = ("open", "closed", "all")
ACTIONS = tuple(k.value for k in ActionKind)


def masked(key: str) -> str:
    """Show a pseudonymous key by its first six characters (codes of enterprises and platforms are not personal)."""
    return key if len(key) <= 10 else key[:6] + "…"


@router.get("/cases", response_class=HTMLResponse)
def case_queue(
    request: Request,
    offset: int = 0,
    typology: str | None = None,
    state: str = "open",
    entry: Entry = READ,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """List the cases of the caller's tenant, highest score first, PAGE a page."""
    if entry.refused:
        return entry.refused
    wanted = typology if typology in TYPOLOGIES else None
    chosen = state if state in STATES else "open"
    start = max(0, offset)
    found, total = list_cases(
        ctx, state=None if chosen == "all" else chosen, typology=wanted, scope=entry.scope, limit=PAGE, offset=start
    )
    return page(
        request,
        "portal/console/risk_cases.html",
        {
            "tabs": _tabs("/console/risk"),
            "cases": found,
            "total": total,
            "offset": start,
            "limit": PAGE,
            "typology": wanted,
            "state": chosen,
            "typologies": TYPOLOGIES,
            "states": STATES,
            "masked": masked,
        },
        principal=entry.principal,
    )


def _documents(ctx: Context, entry: Entry, eports: list[str]) -> dict[str, object]:
    """The linked inventories as the caller may read them (no personal data), by E-port number."""
    who = entry.principal
    if not may(who, "clearance.read"):
        return {}
    found: dict[str, object] = {}
    for eport_no in eports:
        try:
            found[eport_no] = inventory_detail(ctx, eport_no, scope=scope(who, "clearance.read")).summary
        except NotFound:
            continue
    return found


def _case_page(
    request: Request, ctx: Context, entry: Entry, case_id: int, *, problems: list[Problem], status_code: int = 200
) -> Response:
    try:
        detail = show_case(ctx, case_id, scope=entry.scope)
    except CaseNotFound:
        return not_found(request, entry.principal, str(case_id), "/console/risk/cases")
    eports = sorted({a.alert.eport_no for a in detail.alerts})
    return page(
        request,
        "portal/console/risk_case.html",
        {
            "tabs": _tabs("/console/risk"),
            "detail": detail,
            "c": detail.case,
            "documents": _documents(ctx, entry, eports),
            "eports": eports,
            "manage": may(entry.principal, "risk.manage"),
            "me": actor(entry.principal),
            "actions": ACTIONS,
            "agencies": AGENCIES,
            "lists": LISTS,
            "outcomes": tuple(o.value for o in Outcome),
            "rules": sorted({c.rule for a in detail.alerts for c in a.alert.contributions}),
            "masked": masked,
            "problems": problems,
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_view(request: Request, case_id: int, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show a case: alerts with reasons in words, linked inventories, actions and forms."""
    if entry.refused:
        return entry.refused
    return _case_page(request, ctx, entry, case_id, problems=[])


async def _posted(request: Request, entry: Entry) -> dict[str, str] | None:
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return None
    return {key: str(value) for key, value in form.items()}


@router.post("/cases/{case_id}/actions", response_class=HTMLResponse)
async def action_form(
    request: Request, case_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Take an action on a case (a return or a list entry is proposed for a second officer)."""
    if entry.refused:
        return entry.refused
    form = await _posted(request, entry)
    if form is None:
        return forbidden(request, entry.principal)
    body = ActionCreate(
        kind=form.get("kind", ""),
        comment=form.get("comment", "")[:4000],
        agency=form.get("agency") or None,
        outcome=form.get("outcome") or None,
        list_name=form.get("list_name") or None,
    )
    try:
        done = act(ctx, case_id, body, actor=actor(entry.principal), scope=entry.scope)
    except CaseNotFound:
        return not_found(request, entry.principal, str(case_id), "/console/risk/cases")
    except DomainError as exc:
        return _case_page(request, ctx, entry, case_id, problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/console/risk/cases/{case_id}?done={done.kind}-{done.state}", status_code=303)


@router.post("/cases/{case_id}/actions/{action_id}", response_class=HTMLResponse)
async def confirm_form(
    request: Request, case_id: int, action_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """A second officer confirms or rejects a proposed return or list entry."""
    if entry.refused:
        return entry.refused
    form = await _posted(request, entry)
    if form is None:
        return forbidden(request, entry.principal)
    body = ActionDecision(decision=form.get("decision", ""), comment=form.get("comment", "")[:4000])
    try:
        done = confirm(ctx, case_id, action_id, body, actor=actor(entry.principal), scope=entry.scope)
    except CaseNotFound:
        return not_found(request, entry.principal, str(case_id), "/console/risk/cases")
    except DomainError as exc:
        return _case_page(request, ctx, entry, case_id, problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/console/risk/cases/{case_id}?done={done.kind}-{done.state}", status_code=303)


@router.post("/cases/{case_id}/snoozes", response_class=HTMLResponse)
async def snooze_form(
    request: Request, case_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Silence a rule on the case's pivot for some days."""
    if entry.refused:
        return entry.refused
    form = await _posted(request, entry)
    if form is None:
        return forbidden(request, entry.principal)
    days = form.get("days", "")
    body = SnoozeCreate(
        rule=form.get("rule", ""), days=int(days) if days.isdigit() else 0, comment=form.get("comment", "")[:4000]
    )
    try:
        snooze(ctx, case_id, body, actor=actor(entry.principal), scope=entry.scope)
    except CaseNotFound:
        return not_found(request, entry.principal, str(case_id), "/console/risk/cases")
    except DomainError as exc:
        return _case_page(request, ctx, entry, case_id, problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/console/risk/cases/{case_id}?done=snooze", status_code=303)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Per rule (with its typology and reason in words) and per typology: alerts, labels, precision and volume per
    ISO week (drift)."""
    if entry.refused:
        return entry.refused
    figures = review(ctx, scope=entry.scope)
    return page(
        request,
        "portal/console/risk_case_review.html",
        {"tabs": _tabs("/console/risk"), "figures": figures, "meanings": rule_meanings()},
        principal=entry.principal,
    )
