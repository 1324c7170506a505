"""Officers' page of facts flagged uncorrected (未整改继续公示): ``/console/credit/uncorrected``.

Console roles with ``credit.manage`` — the permission of ``POST /api/v1/credit/uncorrected`` and ``cbec credit
uncorrected``. An officer flags a current negative fact before its window's maximum, naming the sector rule and what
was not corrected (optionally a new end); **another account** confirms it (the use case refuses the flagger's own
account, ``CRD-MAKER-CHECKER``, shown on the page) or anyone rejects it with a note. The flags of the caller's scope
are listed by status; an agency officer acts on facts of its own agency's source only (the use case refuses the
rest). The actor is the signed-in principal; maker-checker compares its account.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.credit.schemas import FactRead, UncorrectedIn
from cbec.credit.service import decide_uncorrected, flag_uncorrected, list_uncorrected, subject_facts
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.console import _tabs as console_tabs
from cbec.web.credit import decision_of
from cbec.web.render import error_problems, page

router = APIRouter(include_in_schema=False)
MANAGE = Depends(guard(CONSOLE_ROLES, "credit.manage"))
PATH = "/console/credit/uncorrected"
STATUSES = ("pending", "confirmed", "rejected")
NEGATIVE = ("minor", "general", "serious")


def _sources(entry: Entry) -> frozenset[str] | None:
    who = entry.principal
    return frozenset({who.agency or ""}) if str(who.role) == "agency_officer" else None


def _flaggable(facts: list[FactRead], today: date) -> list[FactRead]:
    """The subject's facts an officer may flag: current, negative, not a customs tier, publication not ended."""
    replaced = {f.supersedes for f in facts if f.supersedes is not None}
    return [
        f
        for f in facts
        if f.id not in replaced
        and not f.retracted
        and f.severity in NEGATIVE
        and f.fact_type != "customs_tier"
        and f.publish_max_until is not None
        and today < f.publish_max_until
    ]


def _page(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    status: str,
    subject: str,
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    where = entry.scope
    today = business_date(ctx.clock.now())
    facts: list[FactRead] = []
    missing = False
    if subject:
        try:
            facts = _flaggable(subject_facts(ctx, subject, scope=where), today)
        except NotFound:
            missing = True
    flags = list_uncorrected(ctx, status=status if status in STATUSES else None, scope=where)
    return page(
        request,
        "portal/console/credit_uncorrected.html",
        {
            "tabs": console_tabs("/console/credit"),
            "flags": flags,
            "status": status if status in STATUSES else "all",
            "statuses": STATUSES,
            "subject": subject,
            "facts": facts,
            "missing": missing,
            "form": form or {},
            "account": entry.principal.user_id,
            "today": today,
            "problems": problems or [],
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get(PATH, response_class=HTMLResponse)
def uncorrected_page(
    request: Request,
    status: str = "pending",
    subject: str = "",
    entry: Entry = MANAGE,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """The flags of the caller's scope (by status) and the form to flag a fact (a subject's candidates listed)."""
    if entry.refused:
        return entry.refused
    return _page(request, ctx, entry, status=status, subject=subject.strip()[:40])


def _until(text: str) -> tuple[date | None, list[Problem]]:
    if not text.strip():
        return None, []
    try:
        return date.fromisoformat(text.strip()), []
    except ValueError:
        return None, [Problem("CRD-DATE", "until", "日期格式错误 / not a date", "Give YYYY-MM-DD.")]


def _fact_id(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        return 0


@router.post(PATH, response_class=HTMLResponse)
async def uncorrected_flag(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Flag a fact uncorrected (a second account confirms it)."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    subject = str(form.get("subject", "")).strip()[:40]
    until, problems = _until(str(form.get("until", "")))
    kept: dict[str, Any] = {k: str(form.get(k, "")) for k in ("fact_id", "legal_basis", "reason", "until")}
    if problems:
        return _page(
            request, ctx, entry, status="pending", subject=subject, form=kept, problems=problems, status_code=422
        )
    body = UncorrectedIn(
        fact_id=_fact_id(str(form.get("fact_id", ""))),
        legal_basis=str(form.get("legal_basis", "")),
        reason=str(form.get("reason", "")),
        until=until,
    )
    who = entry.principal
    try:
        flag = flag_uncorrected(
            ctx, body, actor=actor(who), account=who.user_id, scope=entry.scope, sources=_sources(entry)
        )
    except NotFound as exc:
        found = error_problems(exc)
        return _page(request, ctx, entry, status="pending", subject=subject, form=kept, problems=found, status_code=404)
    except DomainError as exc:
        found = error_problems(exc)
        return _page(request, ctx, entry, status="pending", subject=subject, form=kept, problems=found, status_code=422)
    return RedirectResponse(f"{PATH}?done=flagged-{flag.id}", status_code=303)


@router.post(PATH + "/{flag_id}", response_class=HTMLResponse)
async def uncorrected_decide(
    request: Request, flag_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Confirm (another account than the flagger's) or reject (with a note) a flag."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    who = entry.principal
    try:
        decide_uncorrected(
            ctx, flag_id, decision, actor=actor(who), account=who.user_id, scope=entry.scope, sources=_sources(entry)
        )
    except NotFound:
        return not_found(request, who, str(flag_id), PATH)
    except DomainError as exc:
        return _page(request, ctx, entry, status="pending", subject="", problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"{PATH}?done={decision.action}-{flag_id}&status=all", status_code=303)
