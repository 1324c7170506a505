"""Officers' credit pages (信用管理) beyond the review queue, and the zone's public method (评价方法公开).

* ``/console/credit/facts/new`` (console roles, ``credit.manage``): the fact entry form; an agency officer enters
  facts of its own agency's source only (the form offers only that source; the use case refuses any other).
* ``/console/credit/overrides`` (``credit.rate``): propose a level override, approve (another account) or reject.
* ``/console/credit/rulesets`` (``credit.rate``): propose a ruleset (pasted JSON), its dry run when proposed
  (distribution and movers), publish by another account or reject.
* ``/console/credit/thirdparty`` (``credit.manage``): import signed reports (pasted JSON), the imported reports and
  the disagreement review tasks (keep or withdraw, with a note).
* ``/public/credit/method`` (no sign-in): the zone's rating method in force, for agencies to reproduce.

The actor is always the signed-in principal; maker-checker compares its account.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.common.scope import OutOfScope
from cbec.credit import FactType, ListType, Severity, Source
from cbec.credit.schemas import FactIn, OverrideRequestIn
from cbec.credit.service import (
    decide_override,
    decide_review,
    decide_ruleset,
    import_reports,
    list_override_requests,
    list_reports,
    list_reviews,
    list_ruleset_proposals,
    propose_override,
    propose_ruleset,
    record_fact,
    zone_method,
)
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_document_form, read_form
from cbec.web.console import _tabs as console_tabs
from cbec.web.credit import decision_of, evidence_upload
from cbec.web.render import error_problems, page
from cbec.web.uploads import read_fields

router = APIRouter(include_in_schema=False)
MANAGE = Depends(guard(CONSOLE_ROLES, "credit.manage"))
RATE = Depends(guard(CONSOLE_ROLES, "credit.rate"))
# The form's choices, from the domain's vocabularies (the platform's own facts are not entered by hand).
FACT_TYPES = tuple(
    t.value
    for t in (
        FactType.PENALTY,
        FactType.OVERDUE_TAX,
        FactType.CERTIFICATION,
        FactType.LIST_ENTRY,
        FactType.CUSTOMS_TIER,
        FactType.INSPECTION,
        FactType.CONSUMER_REPORT,
        FactType.THIRD_PARTY_RATING,
    )
)
SOURCES = tuple(s.value for s in Source if s is not Source.PLATFORM)
SEVERITIES = tuple(s.value for s in Severity)
LIST_TYPES = tuple(t.value for t in ListType)
FACT_FIELDS = (
    "subject",
    "subject_name",
    "fact_type",
    "source",
    "severity",
    "decided_on",
    "valid_from",
    "valid_to",
    "tier",
    "grade",
    "list_type",
    "legal_basis",
    "document_no",
    "evidence_sha256",
    "note",
)


def _sources(entry: Entry) -> frozenset[str] | None:
    who = entry.principal
    return frozenset({who.agency or ""}) if str(who.role) == "agency_officer" else None


def _parsed(text: str) -> tuple[Any, list[Problem]]:
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                "CRD-FILE",
                "document",
                f"不是有效的 JSON / not valid JSON: {exc.msg} (line {exc.lineno})",
                "Paste the whole JSON document.",
            )
        ]


def _render(
    request: Request,
    entry: Entry,
    template: str,
    values: dict[str, Any],
    *,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        f"portal/console/{template}",
        {
            "tabs": console_tabs("/console/credit"),
            "me": actor(entry.principal),
            "problems": problems or [],
            "done": request.query_params.get("done"),
            **values,
        },
        principal=entry.principal,
        status_code=status_code,
    )


# --- fact entry ---------------------------------------------------------------------------------------------------


def _fact_page(
    request: Request, ctx: Context, entry: Entry, form: dict[str, str], problems: list[Problem], status: int = 200
) -> Response:
    own = _sources(entry)
    return _render(
        request,
        entry,
        "credit_fact_new.html",
        {
            "form": form,
            "fact_types": FACT_TYPES,
            "sources": sorted(own) if own is not None else SOURCES,
            "severities": SEVERITIES,
            "list_types": LIST_TYPES,
            "today": business_date(ctx.clock.now()),
        },
        problems=problems,
        status_code=status,
    )


@router.get("/console/credit/facts/new", response_class=HTMLResponse)
def fact_form(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """The fact entry form (an agency officer: its own source only)."""
    if entry.refused:
        return entry.refused
    return _fact_page(request, ctx, entry, {}, [])


@router.post("/console/credit/facts", response_class=HTMLResponse)
async def fact_entry(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Record one fact entered on the form."""
    if entry.refused:
        return entry.refused
    try:
        form = await read_fields(request)
    except DomainError as exc:
        return _fact_page(request, ctx, entry, {}, error_problems(exc), 422)
    if not csrf_ok(request, form.get("csrf_token")):
        return forbidden(request, entry.principal)
    values = {name: form.get(name).strip() for name in FACT_FIELDS}
    required = ("subject", "fact_type", "source", "decided_on")
    body = FactIn.model_validate({k: (v if k in required else v or None) for k, v in values.items()})
    body.evidence_file = evidence_upload(form)  # checked by the use case: type, size, the digest given
    try:
        fact = record_fact(ctx, body, actor=actor(entry.principal), scope=entry.scope, sources=_sources(entry))
    except NotFound as exc:
        return _fact_page(request, ctx, entry, values, error_problems(exc), 404)
    except DomainError as exc:
        return _fact_page(request, ctx, entry, values, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/facts/new?done={fact.id}", status_code=303)


# --- overrides ----------------------------------------------------------------------------------------------------


def _overrides_page(
    request: Request, ctx: Context, entry: Entry, problems: list[Problem], status: int = 200
) -> Response:
    requests = list_override_requests(ctx, scope=entry.scope)
    return _render(
        request,
        entry,
        "credit_overrides.html",
        {"requests": requests, "levels": ("A", "B", "C", "D"), "today": business_date(ctx.clock.now())},
        problems=problems,
        status_code=status,
    )


@router.get("/console/credit/overrides", response_class=HTMLResponse)
def overrides_page(request: Request, entry: Entry = RATE, ctx: Context = Depends(get_ctx)) -> Response:
    """Override requests: propose, approve (another account), reject."""
    if entry.refused:
        return entry.refused
    return _overrides_page(request, ctx, entry, [])


@router.post("/console/credit/overrides", response_class=HTMLResponse)
async def override_propose(request: Request, entry: Entry = RATE, ctx: Context = Depends(get_ctx)) -> Response:
    """Propose a level override."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    try:
        body = OverrideRequestIn.model_validate(
            {
                "subject": str(form.get("subject", "")).strip(),
                "level": str(form.get("level", "")),
                "reason": str(form.get("reason", "")),
                "until": str(form.get("until", "")),
                "valid_from": str(form.get("valid_from", "")) or None,
            }
        )
    except ValueError:
        problem = Problem("CRD-DATE", "until", "日期格式错误 / not a date", "Give YYYY-MM-DD.")
        return _overrides_page(request, ctx, entry, [problem], 422)
    who = entry.principal
    try:
        propose_override(ctx, body, actor=actor(who), scope=entry.scope, account=who.user_id)
    except NotFound as exc:
        return _overrides_page(request, ctx, entry, error_problems(exc), 404)
    except DomainError as exc:
        return _overrides_page(request, ctx, entry, error_problems(exc), 422)
    return RedirectResponse("/console/credit/overrides?done=proposed", status_code=303)


@router.post("/console/credit/overrides/{request_id}", response_class=HTMLResponse)
async def override_decide(
    request: Request, request_id: int, entry: Entry = RATE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Approve (another account than the proposer's) or reject an override request."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    who = entry.principal
    try:
        decide_override(ctx, request_id, decision, actor=actor(who), scope=entry.scope, account=who.user_id)
    except NotFound:
        return not_found(request, who, str(request_id), "/console/credit/overrides")
    except DomainError as exc:
        return _overrides_page(request, ctx, entry, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/overrides?done={request_id}", status_code=303)


# --- rulesets -----------------------------------------------------------------------------------------------------


def _rulesets_page(
    request: Request, ctx: Context, entry: Entry, problems: list[Problem], status: int = 200, text: str = ""
) -> Response:
    proposals = list_ruleset_proposals(ctx, scope=entry.scope)
    return _render(
        request,
        entry,
        "credit_rulesets.html",
        {"proposals": proposals, "text": text},
        problems=problems,
        status_code=status,
    )


@router.get("/console/credit/rulesets", response_class=HTMLResponse)
def rulesets_page(request: Request, entry: Entry = RATE, ctx: Context = Depends(get_ctx)) -> Response:
    """Ruleset proposals with their dry runs; publish (another account) or reject."""
    if entry.refused:
        return entry.refused
    return _rulesets_page(request, ctx, entry, [])


@router.post("/console/credit/rulesets", response_class=HTMLResponse)
async def ruleset_propose(request: Request, entry: Entry = RATE, ctx: Context = Depends(get_ctx)) -> Response:
    """Propose a pasted ruleset document; it is dry-run at once."""
    if entry.refused:
        return entry.refused
    form = await read_document_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    text = str(form.get("document", ""))
    document, problems = _parsed(text)
    if problems or not isinstance(document, dict):
        problems = problems or [Problem("CRD-RULESET", "document", "规则集应为对象 / a ruleset is an object", "{…}")]
        return _rulesets_page(request, ctx, entry, problems, 422, text)
    who = entry.principal
    try:
        done = propose_ruleset(ctx, document, actor=actor(who), account=who.user_id, scope=entry.scope)
    except OutOfScope:
        return forbidden(request, who)
    except DomainError as exc:
        return _rulesets_page(request, ctx, entry, error_problems(exc), 422, text)
    return RedirectResponse(f"/console/credit/rulesets?done={done.id}", status_code=303)


@router.post("/console/credit/rulesets/{proposal_id}", response_class=HTMLResponse)
async def ruleset_decide(
    request: Request, proposal_id: int, entry: Entry = RATE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Publish (another account than the proposer's) or reject a ruleset proposal."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    who = entry.principal
    try:
        decide_ruleset(ctx, proposal_id, decision, actor=actor(who), account=who.user_id, scope=entry.scope)
    except OutOfScope:
        return forbidden(request, who)
    except NotFound:
        return not_found(request, who, str(proposal_id), "/console/credit/rulesets")
    except DomainError as exc:
        return _rulesets_page(request, ctx, entry, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/rulesets?done={proposal_id}", status_code=303)


# --- third-party reports ------------------------------------------------------------------------------------------


def _thirdparty_page(
    request: Request, ctx: Context, entry: Entry, problems: list[Problem], status: int = 200, text: str = ""
) -> Response:
    return _render(
        request,
        entry,
        "credit_thirdparty.html",
        {
            "reports": list_reports(ctx, scope=entry.scope),
            "reviews": list_reviews(ctx, status="open", scope=entry.scope),
            "text": text,
        },
        problems=problems,
        status_code=status,
    )


@router.get("/console/credit/thirdparty", response_class=HTMLResponse)
def thirdparty_page(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Imported third-party reports and the open disagreement reviews."""
    if entry.refused:
        return entry.refused
    return _thirdparty_page(request, ctx, entry, [])


@router.post("/console/credit/thirdparty", response_class=HTMLResponse)
async def thirdparty_import(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Import pasted signed reports, all or none."""
    if entry.refused:
        return entry.refused
    form = await read_document_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    text = str(form.get("document", ""))
    document, problems = _parsed(text)
    if problems:
        return _thirdparty_page(request, ctx, entry, problems, 422, text)
    items = document.get("reports") if isinstance(document, dict) else document
    try:
        done = import_reports(
            ctx,
            items if isinstance(items, list) else [],
            actor=actor(entry.principal),
            scope=entry.scope,
            sources=_sources(entry),
        )
    except OutOfScope:  # importing reports is the hub's
        return forbidden(request, entry.principal)
    except DomainError as exc:
        return _thirdparty_page(request, ctx, entry, error_problems(exc), 422, text)
    return RedirectResponse(f"/console/credit/thirdparty?done={len(done.reports)}", status_code=303)


@router.post("/console/credit/thirdparty/reviews/{task_id}", response_class=HTMLResponse)
async def review_decide(
    request: Request, task_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Keep a report or withdraw its fact, with a note."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    try:
        decide_review(ctx, task_id, decision, actor=actor(entry.principal), scope=entry.scope, sources=_sources(entry))
    except NotFound:
        return not_found(request, entry.principal, str(task_id), "/console/credit/thirdparty")
    except DomainError as exc:
        return _thirdparty_page(request, ctx, entry, error_problems(exc), 422)
    return RedirectResponse(f"/console/credit/thirdparty?done=review-{task_id}", status_code=303)


# --- the public method --------------------------------------------------------------------------------------------


@router.get("/public/credit/method", response_class=HTMLResponse)
def method_page(request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """The zone's rating method in force (public): dimensions, indicators, weights, levels, floors."""
    who = web_principal(request)  # the page is public; a signed-in caller keeps the navigation
    try:
        method = zone_method(ctx)
    except DomainError as exc:
        values = {"method": None, "problems": error_problems(exc)}
        return page(request, "portal/credit_method.html", values, principal=who)
    return page(request, "portal/credit_method.html", {"method": method, "problems": []}, principal=who)
