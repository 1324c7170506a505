"""Negative-list pages (失信名单): the officers' list console and the public lists.

* ``/console/credit/lists`` (console roles, ``credit.manage``): the list entries in force by type (search, paging)
  with the measures each carries, the measure catalogue with its legal bases, and the screening alert queue of the
  caller's scope (best score first) with confirm and dismiss forms; the reviewer is the signed-in officer.
* ``/public/credit`` (no sign-in, like 信用中国): the enterprise entries in force — never persons, a name that may
  be a person's masked — each with its list, legal basis and measures.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.credit import ListType
from cbec.credit.schemas import AlertDecisionIn
from cbec.credit.service import catalogue_on, decide_alert, list_alerts, list_entries, public_entries
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.console import _tabs as console_tabs
from cbec.web.render import error_problems, page

router = APIRouter(include_in_schema=False)
OFFICE = Depends(guard(CONSOLE_ROLES, "credit.manage"))
PAGE = 20
ALERT_BUDGET = 50
TYPES = tuple(t.value for t in ListType)


def _console(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    list_type: str,
    query: str,
    offset: int,
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    chosen = list_type if list_type in TYPES else None
    entries = list_entries(ctx, list_type=chosen, query=query or None, limit=PAGE, offset=offset)
    try:
        catalogue = catalogue_on(ctx)
    except DomainError:
        catalogue = None
    base = f"/console/credit/lists?type={chosen or ''}&q={query}&"
    return page(
        request,
        "portal/console/credit_lists.html",
        {
            "tabs": console_tabs("/console/credit"),
            "types": TYPES,
            "chosen": chosen or "",
            "query": query,
            "entries": entries,
            "base": base,
            "catalogue": catalogue,
            "alerts": list_alerts(ctx, state="open", limit=ALERT_BUDGET, scope=entry.scope),
            "to_record": [
                a
                for a in list_alerts(ctx, state="confirmed", limit=ALERT_BUDGET, scope=entry.scope).items
                if a.recorded_fact_id is None
            ],
            "me": actor(entry.principal),
            "problems": problems,
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/console/credit/lists", response_class=HTMLResponse)
def lists_console(
    request: Request,
    type: str = "",
    q: str = "",
    offset: int = 0,
    entry: Entry = OFFICE,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """The list entries in force, the measure catalogue and the screening alert queue."""
    if entry.refused:
        return entry.refused
    return _console(request, ctx, entry, list_type=type, query=q.strip()[:40], offset=max(0, offset), problems=[])


@router.post("/console/credit/lists/alerts/{alert_id}", response_class=HTMLResponse)
async def decide_alert_form(
    request: Request, alert_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Confirm or dismiss (with a note) a screening alert, or record a confirmed one (a second officer); the
    reviewer is the signed-in officer."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = AlertDecisionIn(action=str(form.get("action", "")), note=str(form.get("note", "")) or None)
    try:
        who = entry.principal
        sources = frozenset({who.agency or ""}) if str(who.role) == "agency_officer" else None
        decide_alert(ctx, alert_id, decision, actor=actor(who), scope=entry.scope, account=who.user_id, sources=sources)
    except NotFound:
        return not_found(request, entry.principal, str(alert_id), "/console/credit/lists")
    except DomainError as exc:
        return _console(
            request, ctx, entry, list_type="", query="", offset=0, problems=error_problems(exc), status_code=422
        )
    return RedirectResponse(f"/console/credit/lists?done=alert-{alert_id}#alerts", status_code=303)


@router.get("/public/credit", response_class=HTMLResponse)
def public_lists(request: Request, type: str = "", ctx: Context = Depends(get_ctx)) -> Response:
    """The enterprise entries in force with their lists, legal bases and measures; no sign-in."""
    chosen = type if type in TYPES else None
    try:
        catalogue = catalogue_on(ctx)
    except DomainError:
        catalogue = None
    return page(
        request,
        "portal/public_credit.html",
        {
            "entries": public_entries(ctx, list_type=chosen),
            "catalogue": catalogue,
            "types": TYPES,
            "chosen": chosen or "",
        },
        principal=web_principal(request),
    )
