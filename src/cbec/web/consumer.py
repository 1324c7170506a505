"""Consumer page (消费者个人额度查询): the annual quota by ID number and name, each counted inventory (masked),
a way to report an inventory the consumer did not make, and that report's progress by its reference number.
Public, rate-limited per client address (and per account when signed in), shared by the workers through Redis when
CBEC_REDIS_URL is set (web/ratelimit.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.common.errors import DomainError, InvalidInput
from cbec.quota import QuotaStatementNotFound, query_quota
from cbec.statistics.errors import ReportNotFound
from cbec.statistics.rules import mask_reference
from cbec.statistics.service import file_consumer_report, issue_report_token, report_status
from cbec.storage.context import Context
from cbec.web.auth import read_form
from cbec.web.ratelimit import check_keys, limits_of
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/quota", include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _limited(request: Request) -> int:
    """Count a look-up against the client address (and the account when signed in); the seconds to wait, or 0."""
    limits = limits_of(request.app)
    keys = [f"ip:{_client(request)}"]
    who = await run_in_threadpool(web_principal, request)
    if who is not None:
        keys.append(f"account:{who.user_id}" if who.user_id is not None else f"name:{who.name}")
    return await run_in_threadpool(check_keys, limits.quota_page, keys)


async def _who(request: Request) -> Any:
    """Return the signed-in principal (a consumer, or anyone else) so the page shows who is signed in."""
    return await run_in_threadpool(web_principal, request)


def _too_many(request: Request, wait: int, who: Any = None, template: str = "portal/quota/form.html") -> Response:
    response = page(request, template, {"form": {}, "too_many": wait}, status_code=429, principal=who)
    response.headers["Retry-After"] = str(wait)
    return response


@router.get("", response_class=HTMLResponse)
def form(request: Request) -> Response:
    """Show the quota lookup form."""
    return page(request, "portal/quota/form.html", {"form": {}}, principal=web_principal(request))


@router.post("", response_class=HTMLResponse)
async def lookup(request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """Show a consumer's annual quota: limit, used, remaining and every counted inventory."""
    who = await _who(request)
    wait = await _limited(request)
    if wait:
        return _too_many(request, wait, who)
    raw = await read_form(request)
    values = {name: str(raw.get(name, "")).strip() for name in ("id_number", "name", "year")}
    year = int(values["year"]) if values["year"].isdigit() else None
    try:
        statement = query_quota(ctx, id_number=values["id_number"], name=values["name"], year=year)
    except QuotaStatementNotFound:
        return page(
            request,
            "portal/quota/form.html",
            {"form": {"name": values["name"]}, "not_found": True},
            status_code=404,
            principal=who,
        )
    except InvalidInput as exc:
        return page(
            request,
            "portal/quota/form.html",
            {"form": {"name": values["name"]}, "problems": exc.problems},
            status_code=422,
            principal=who,
        )
    token = issue_report_token(ctx, id_number=values["id_number"], statement=statement)
    return page(
        request,
        "portal/quota/statement.html",
        {
            "s": statement,
            "token": token,
            "lines": [(e, mask_reference(e.order_no)) for e in statement.entries],
        },
        principal=who,
    )


@router.post("/report", response_class=HTMLResponse)
async def report(request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """Record that the consumer did not make an inventory on their statement; show the reference number."""
    who = await _who(request)
    wait = await _limited(request)
    if wait:
        return _too_many(request, wait, who)
    raw = await read_form(request)
    try:
        receipt = file_consumer_report(
            ctx,
            token=str(raw.get("token", "")),
            inventory_ref=str(raw.get("inventory_ref", "")),
            note=str(raw.get("note", "")),
        )
    except DomainError as exc:
        problems = error_problems(exc)
        return page(
            request, "portal/quota/form.html", {"form": {}, "problems": problems}, status_code=422, principal=who
        )
    return page(request, "portal/quota/reported.html", {"r": receipt}, principal=who)


@router.get("/report-status", response_class=HTMLResponse)
async def report_progress(request: Request, ref: str = "", ctx: Context = Depends(get_ctx)) -> Response:
    """Show the progress of a consumer report by the reference number its confirmation gave (the form when none).

    Public like the report itself, rate-limited like the quota look-up; it shows the status and dates only.
    """
    who = await _who(request)
    template = "portal/quota/report_status.html"
    if not ref.strip():
        return page(request, template, {"ref": ""}, principal=who)
    wait = await _limited(request)
    if wait:
        return _too_many(request, wait, who, template)
    try:
        found = await run_in_threadpool(report_status, ctx, ref)
    except ReportNotFound:
        return page(request, template, {"ref": ref.strip(), "not_found": True}, principal=who, status_code=404)
    except InvalidInput as exc:
        context = {"ref": ref.strip()[:40], "problems": exc.problems}
        return page(request, template, context, principal=who, status_code=422)
    return page(request, template, {"ref": found.reference_no, "found": found}, principal=who)
