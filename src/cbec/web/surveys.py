"""Sample survey pages (抽样调查): the zone office defines, draws, imports answers and reads the estimate
(/dashboard/surveys); a sampled enterprise answers for itself (/workspace/surveys, its code from its identity).
"""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, Problem
from cbec.common.scope import Scope
from cbec.statistics.queries import list_surveys, survey_estimate
from cbec.statistics.service import create_survey, draw_sample, record_responses
from cbec.storage.context import Context
from cbec.web.access import DASHBOARD_ROLES, WORKSPACE_ROLES, Entry, actor, csrf_ok, forbidden, guard
from cbec.web.auth import read_form
from cbec.web.render import error_problems, page

router = APIRouter(include_in_schema=False)
READ = Depends(guard(DASHBOARD_ROLES, "statistics.read"))
MANAGE = Depends(guard(frozenset({"zone_admin"}), "statistics.manage"))
MINE = Depends(guard(WORKSPACE_ROLES, None))  # the enterprise's own answers: no other enterprise's figures
FIELDS = ("code", "title", "question", "period", "min_size", "take_all_at", "sample_size", "seed")


def _office_page(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], form: dict[str, str], status: int = 200
) -> Response:
    who = entry.principal
    surveys = [(view, survey_estimate(ctx, view.code, entry.scope)[1]) for view in list_surveys(ctx, entry.scope)]
    return page(
        request,
        "portal/dashboard/surveys.html",
        {
            "surveys": surveys,
            "can_manage": str(who.role) == "zone_admin" and who.may("statistics.manage"),
            "problems": problems,
            "form": form,
            "period": (business_date(ctx.clock.now()).replace(day=1)).strftime("%Y-%m"),
        },
        principal=who,
        status_code=status,
    )


@router.get("/dashboard/surveys", response_class=HTMLResponse)
def surveys(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List the surveys of the caller's tenant subtree with their estimates (caliber survey)."""
    if entry.refused:
        return entry.refused
    return _office_page(request, ctx, entry, problems=[], form={})


@router.post("/dashboard/surveys", response_class=HTMLResponse)
async def define(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Define a survey of the caller's tenant subtree."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    form = {name: str(raw.get(name, "")).strip() for name in FIELDS}
    if not csrf_ok(request, str(raw.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    try:
        create_survey(
            ctx,
            code=form["code"],
            title=form["title"],
            question=form["question"],
            period=form["period"],
            min_size=form["min_size"] or "0",
            take_all_at=form["take_all_at"],
            sample_size=int(form["sample_size"]) if form["sample_size"].isdigit() else 0,
            seed=int(form["seed"]) if form["seed"].isdigit() else 20261206,
            actor=actor(entry.principal),
            scope=Scope(tenant=entry.scope.tenant or "hub"),
        )
    except DomainError as exc:
        return _office_page(request, ctx, entry, problems=error_problems(exc), form=form, status=422)
    return RedirectResponse("/dashboard/surveys", status_code=303)


@router.post("/dashboard/surveys/{code}/{step}", response_class=HTMLResponse)
async def survey_step(
    request: Request, code: str, step: str, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Draw the sample (``draw``) or import answers pasted as CSV ``code,value`` (``answers``)."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    if not csrf_ok(request, str(raw.get("csrf_token", ""))) or step not in ("draw", "answers"):
        return forbidden(request, entry.principal)
    try:
        if step == "draw":
            draw_sample(ctx, code, actor=actor(entry.principal), scope=entry.scope)
        else:
            text = str(raw.get("answers", ""))
            rows = list(csv.DictReader(io.StringIO(text.strip()), fieldnames=["code", "value"]))
            rows = [r for r in rows if (r.get("code") or "").strip() not in ("", "code")]
            record_responses(ctx, code, rows, actor=actor(entry.principal), scope=entry.scope)
    except DomainError as exc:
        return _office_page(request, ctx, entry, problems=error_problems(exc), form={}, status=422)
    return RedirectResponse("/dashboard/surveys", status_code=303)


def _mine(entry: Entry) -> Scope:
    return Scope(parties=frozenset({entry.principal.enterprise_code or ""}))


@router.get("/workspace/surveys", response_class=HTMLResponse)
def my_surveys(request: Request, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """The surveys that sampled the caller's enterprise, each with its question and the answer form."""
    if entry.refused:
        return entry.refused
    return _mine_page(request, ctx, entry, problems=[])


def _mine_page(request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], status: int = 200) -> Response:
    return page(
        request,
        "portal/workspace/surveys.html",
        {
            "surveys": list_surveys(ctx, _mine(entry)),
            "problems": problems,
            "saved": request.query_params.get("saved"),
        },
        principal=entry.principal,
        status_code=status,
    )


@router.post("/workspace/surveys/{code}", response_class=HTMLResponse)
async def answer(request: Request, code: str, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """Answer a survey for the caller's own enterprise."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    if not csrf_ok(request, str(raw.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    mine = entry.principal.enterprise_code or ""
    rows = [{"code": mine, "value": str(raw.get("value", "")).strip()}]
    try:
        record_responses(ctx, code, rows, actor=actor(entry.principal), scope=_mine(entry))
    except DomainError as exc:
        return _mine_page(request, ctx, entry, problems=error_problems(exc), status=422)
    return RedirectResponse(f"/workspace/surveys?saved={code}", status_code=303)
