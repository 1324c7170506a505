"""Ruleset versions in the officer console (规则集版本): list with state, author, approver and digest; the shadow
volume delta of each version in shadow; the last backtest of each version; forms to draft, put in shadow, backtest,
publish (a second person) and retire.

``risk.read`` opens the page; the forms need ``risk.manage`` and the whole zone's scope (a city's officers get the
403 page). The actor is the signed-in principal; the author of a version may not publish it (the page shows the
refusal ``RSK-VERSION-SELF-APPROVAL``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.errors import DomainError, Problem
from cbec.common.scope import OutOfScope, require_whole
from cbec.risk.versions import (
    DRAFT,
    SHADOW,
    last_report,
    list_versions,
    publish,
    retire,
    run_backtest,
    shadow_report,
    to_shadow,
)
from cbec.risk.versions import draft as make_draft
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, may
from cbec.web.auth import read_document_form, read_form
from cbec.web.console import _tabs
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/console", include_in_schema=False)
READ = Depends(guard(CONSOLE_ROLES, "risk.read"))
MANAGE = Depends(guard(CONSOLE_ROLES, "risk.manage"))
ACTIONS = {"shadow": to_shadow, "publish": publish, "retire": retire}


def _page(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem] | None = None, status_code: int = 200
) -> Response:
    versions = list_versions(ctx)
    deltas = {v.version: shadow_report(ctx, v.version) for v in versions if v.state == SHADOW}
    backtests = {v.version: r for v in versions if (r := last_report(ctx, v.version)) is not None}
    return page(
        request,
        "portal/console/risk_versions.html",
        {
            "tabs": _tabs("/console/risk/versions"),
            "versions": versions,
            "deltas": deltas,
            "backtests": backtests,
            "manage": may(entry.principal, "risk.manage"),
            "me": actor(entry.principal),
            "draft_state": DRAFT,
            "shadow_state": SHADOW,
            "problems": problems or [],
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/risk/versions", response_class=HTMLResponse)
def versions_page(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List the ruleset versions with their shadow delta and last backtest."""
    if entry.refused:
        return entry.refused
    return _page(request, ctx, entry)


@router.post("/risk/versions", response_class=HTMLResponse)
async def draft_form(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Store a pasted ruleset document as a draft."""
    if entry.refused:
        return entry.refused
    form = await read_document_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    try:
        require_whole(entry.scope, "风险规则集", "the risk ruleset")
        done = make_draft(ctx, str(form.get("document", "")), actor=actor(entry.principal))
    except OutOfScope:
        return forbidden(request, entry.principal)
    except DomainError as exc:
        return _page(request, ctx, entry, problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/console/risk/versions?done=draft:{done.version}", status_code=303)


@router.post("/risk/versions/{version}/{action}", response_class=HTMLResponse)
async def act(
    request: Request, version: str, action: str, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Put a version in shadow, backtest, publish or retire it."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))) or action not in {*ACTIONS, "backtest"}:
        return forbidden(request, entry.principal)
    try:
        require_whole(entry.scope, "风险规则集", "the risk ruleset")
        if action == "backtest":
            run_backtest(ctx, version, actor=actor(entry.principal))
        else:
            ACTIONS[action](ctx, version, actor=actor(entry.principal))
    except OutOfScope:
        return forbidden(request, entry.principal)
    except DomainError as exc:
        return _page(request, ctx, entry, problems=error_problems(exc), status_code=409)
    return RedirectResponse(f"/console/risk/versions?done={action}:{version}", status_code=303)
