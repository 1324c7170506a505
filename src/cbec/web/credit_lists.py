"""Negative-list pages (失信名单): the officers' list console and the public lists.

* ``/console/credit/lists`` (console roles, ``credit.manage``): the list entries in force by type (search, paging)
  with the measures each carries, the measure catalogue with its legal bases, and the screening alert queue of the
  caller's scope (best score first) with confirm and dismiss forms; the reviewer is the signed-in officer.
* List management on the same page (``credit.manage``): add an entry (an agency officer: its own source only), the
  pending changes of serious lists (confirm by another **account** than the proposer's, or reject with a note), and
  per entry ``/console/credit/lists/entries/{id}``: end it early or correct it (a new row; nothing is updated).
* ``/public/credit`` (no sign-in, like 信用中国): the enterprise entries in force — never persons, a name that may
  be a person's masked — each with its list, legal basis and measures.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.credit import ListType, Severity, Source
from cbec.credit.schemas import AlertDecisionIn, ListCorrectionIn, ListEndIn, ListEntryIn
from cbec.credit.service import (
    add_list_entry,
    catalogue_on,
    correct_list_entry,
    decide_alert,
    decide_list_request,
    end_list_entry,
    evidence_of,
    list_alerts,
    list_entries,
    list_entry,
    list_list_requests,
    public_entries,
)
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.console import _tabs as console_tabs
from cbec.web.credit import decision_of, evidence_upload
from cbec.web.render import error_problems, page
from cbec.web.uploads import read_fields

router = APIRouter(include_in_schema=False)
OFFICE = Depends(guard(CONSOLE_ROLES, "credit.manage"))
PAGE = 20
ALERT_BUDGET = 50
TYPES = tuple(t.value for t in ListType)
SOURCES = tuple(s.value for s in Source if s is not Source.PLATFORM)
SEVERITIES = (Severity.SERIOUS.value, Severity.GENERAL.value, Severity.MINOR.value)
ENTRY_FIELDS = (
    "subject",
    "person_id",
    "subject_name",
    "list_type",
    "source",
    "severity",
    "legal_basis",
    "document_no",
    "decided_on",
    "valid_from",
    "valid_to",
    "evidence_sha256",
    "note",
)
CORRECTION_FIELDS = tuple(f for f in ENTRY_FIELDS if f not in ("subject", "person_id", "subject_name", "note"))


def _sources(entry: Entry) -> frozenset[str] | None:
    who = entry.principal
    return frozenset({who.agency or ""}) if str(who.role) == "agency_officer" else None


def _done_key(done: str) -> str | None:
    """Return the message of what the last form did (``alert-ID``, ``list-recorded``, ``list-pending``, …)."""
    kind, _, rest = done.partition("-")
    return {
        "alert": "lists.decided_ok",
        "request": "lists.done.request",
        "list": f"lists.done.{rest}" if rest in ("recorded", "pending") else None,
    }.get(kind)


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
    form: dict[str, str] | None = None,
) -> Response:
    chosen = list_type if list_type in TYPES else None
    own = _sources(entry)
    entries = list_entries(ctx, list_type=chosen, query=query or None, limit=PAGE, offset=offset)
    try:
        catalogue = catalogue_on(ctx)
    except DomainError:
        catalogue = None
    base = f"/console/credit/lists?type={chosen or ''}&q={query}&"
    requests = list_list_requests(ctx, status="pending", scope=entry.scope)
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
            "requests": requests,
            "request_files": evidence_of(ctx, "list", [r.id for r in requests], scope=entry.scope),
            "me_account": entry.principal.user_id,
            "form": form or {},
            "sources": sorted(own) if own is not None else SOURCES,
            "severities": SEVERITIES,
            "today": business_date(ctx.clock.now()),
            "problems": problems,
            "done_key": _done_key(request.query_params.get("done") or ""),
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


# --- list management ----------------------------------------------------------------------------------------------


def _values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in names}


def _or_none(values: dict[str, str], required: tuple[str, ...]) -> dict[str, str | None]:
    return {k: (v if k in required else v or None) for k, v in values.items()}


@router.post("/console/credit/lists/entries", response_class=HTMLResponse)
async def add_entry_form(request: Request, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)) -> Response:
    """Add a list entry (on a serious list it waits for a second officer)."""
    if entry.refused:
        return entry.refused
    try:
        form = await read_fields(request)
    except DomainError as exc:
        return _console(
            request, ctx, entry, list_type="", query="", offset=0, problems=error_problems(exc), status_code=422
        )
    if not csrf_ok(request, form.get("csrf_token")):
        return forbidden(request, entry.principal)
    values = _values(form, ENTRY_FIELDS)
    body = ListEntryIn.model_validate(_or_none(values, ("list_type", "source", "severity", "decided_on")))
    body.evidence_file = evidence_upload(form)  # checked by the use case: type, size, the digest given
    who = entry.principal
    try:
        done = add_list_entry(
            ctx, body, actor=actor(who), account=who.user_id, scope=entry.scope, sources=_sources(entry)
        )
    except DomainError as exc:
        status = 404 if isinstance(exc, NotFound) else 422
        values.pop("person_id", None)  # never echoed back
        return _console(
            request,
            ctx,
            entry,
            list_type="",
            query="",
            offset=0,
            problems=error_problems(exc),
            status_code=status,
            form=values,
        )
    return RedirectResponse(f"/console/credit/lists?done=list-{done.status}#manage", status_code=303)


@router.post("/console/credit/lists/requests/{request_id}", response_class=HTMLResponse)
async def decide_request_form(
    request: Request, request_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Confirm (another account than the proposer's) or reject (with a note) a pending list change."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    who = entry.principal
    try:
        decide_list_request(
            ctx,
            request_id,
            decision,
            actor=actor(who),
            account=who.user_id,
            scope=entry.scope,
            sources=_sources(entry),
        )
    except NotFound:
        return not_found(request, who, str(request_id), "/console/credit/lists")
    except DomainError as exc:
        return _console(
            request, ctx, entry, list_type="", query="", offset=0, problems=error_problems(exc), status_code=422
        )
    return RedirectResponse(f"/console/credit/lists?done=request-{request_id}#requests", status_code=303)


def _entry_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    fact_id: int,
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    try:
        found = list_entry(ctx, fact_id, scope=entry.scope)
    except NotFound:
        return not_found(request, entry.principal, str(fact_id), "/console/credit/lists")
    except DomainError as exc:
        return _console(
            request, ctx, entry, list_type="", query="", offset=0, problems=error_problems(exc), status_code=409
        )
    own = _sources(entry)
    return page(
        request,
        "portal/console/credit_list_entry.html",
        {
            "tabs": console_tabs("/console/credit"),
            "e": found,
            "types": TYPES,
            "sources": sorted(own) if own is not None else SOURCES,
            "severities": SEVERITIES,
            "today": business_date(ctx.clock.now()),
            "problems": problems,
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/console/credit/lists/entries/{fact_id}", response_class=HTMLResponse)
def entry_page(request: Request, fact_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)) -> Response:
    """One list entry: end it early or correct it."""
    if entry.refused:
        return entry.refused
    return _entry_page(request, ctx, entry, fact_id, [])


@router.post("/console/credit/lists/entries/{fact_id}/end", response_class=HTMLResponse)
async def end_entry_form(
    request: Request, fact_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """End an entry early, with a reason (a new row superseding it)."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    who = entry.principal
    try:
        body = ListEndIn.model_validate(
            {"ends_on": str(form.get("ends_on", "")), "reason": str(form.get("reason", ""))}
        )
    except ValueError:
        problem = Problem("CRD-DATE", "ends_on", "日期格式错误 / not a date", "Give YYYY-MM-DD.")
        return _entry_page(request, ctx, entry, fact_id, [problem], 422)
    try:
        done = end_list_entry(
            ctx, fact_id, body, actor=actor(who), account=who.user_id, scope=entry.scope, sources=_sources(entry)
        )
    except NotFound:
        return not_found(request, who, str(fact_id), "/console/credit/lists")
    except DomainError as exc:
        return _entry_page(request, ctx, entry, fact_id, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/lists?done=list-{done.status}#manage", status_code=303)


@router.post("/console/credit/lists/entries/{fact_id}/correct", response_class=HTMLResponse)
async def correct_entry_form(
    request: Request, fact_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Correct an entry, with a reason (a new row superseding it)."""
    if entry.refused:
        return entry.refused
    try:
        form = await read_fields(request)
    except DomainError as exc:
        return _entry_page(request, ctx, entry, fact_id, error_problems(exc), 422)
    if not csrf_ok(request, form.get("csrf_token")):
        return forbidden(request, entry.principal)
    who = entry.principal
    values: dict[str, str | None] = dict(
        _or_none(_values(form, CORRECTION_FIELDS), ("list_type", "source", "severity", "decided_on"))
    )
    values["reason"] = form.get("reason")
    body = ListCorrectionIn.model_validate(values)
    body.evidence_file = evidence_upload(form)  # checked by the use case: type, size, the digest given
    try:
        done = correct_list_entry(
            ctx, fact_id, body, actor=actor(who), account=who.user_id, scope=entry.scope, sources=_sources(entry)
        )
    except NotFound:
        return not_found(request, who, str(fact_id), "/console/credit/lists")
    except DomainError as exc:
        return _entry_page(request, ctx, entry, fact_id, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/lists?done=list-{done.status}#manage", status_code=303)


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
