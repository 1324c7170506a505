"""REST routes of B2B-export identification under /api/v1/statistics/b2b.

The tenant is always the caller's (a city imports and identifies for its city; the hub for everything): never a
body or query field. Importing and running need ``statistics.manage``; reading runs and figures
``statistics.read`` (which no enterprise role holds). A run over another tenant's subtree is not found (404
``B2B-RUN``); a caller scoped to enterprises would be refused (403 ``AUTH-SCOPE``).

``POST /declarations`` takes the file as the request body: ``text/csv`` (UTF-8, BOM or not), ``application/json``
(an array of objects) or ``application/x-ndjson`` (JSON lines). Multipart upload is not offered: the server has
no multipart parser installed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.statistics.b2b import b2b_figures, identify, import_declarations, list_runs, load_method, show_run
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/statistics/b2b", tags=["statistics"])
READ, MANAGE = Permission.STATISTICS_READ, Permission.STATISTICS_MANAGE
MAX_BODY = 50 * 1024 * 1024


def _tenant(scope: Scope) -> str:
    """Return the caller's tenant; an enterprise's scope (parties) has none (403 ``AUTH-SCOPE``)."""
    if scope.parties is not None:
        raise OutOfScope(
            "B2B identification is a zone office's",
            problems=[
                Problem(
                    "AUTH-SCOPE",
                    "scope",
                    "B2B识别属于综试办，超出企业的数据范围 / B2B identification is a zone office's, beyond an "
                    "enterprise's scope",
                    "Ask your zone office (综试办).",
                )
            ],
        )
    return scope.tenant or "hub"


@router.post("/declarations")
async def import_(
    request: Request,
    source: str = Query("api", max_length=200, description="A name for the file (kept with each row)."),
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Import export declarations for the caller's tenant: good rows stored, bad rows reported (rule, field)."""
    tenant = _tenant(scope)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("text/csv", "application/json", "application/x-ndjson"):
        raise InvalidInput(
            f"unsupported content type {kind or '(none)'}",
            problems=[
                Problem(
                    "B2B-FILE",
                    "content-type",
                    f"不支持的内容类型 / unsupported content type {kind!r}",
                    "Send text/csv, application/json or application/x-ndjson.",
                )
            ],
        )
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInput(
            "the body is too large",
            problems=[Problem("B2B-FILE", "body", "文件超过50 MB / the file is over 50 MB", "Split the file.")],
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "the body is not UTF-8",
            problems=[Problem("B2B-FILE", "body", "不是UTF-8文本 / the body is not UTF-8", "Save the file as UTF-8.")],
        ) from exc
    report = await run_in_threadpool(
        import_declarations,
        ctx,
        text,
        json_format=kind != "text/csv",
        tenant=tenant,
        actor=principal.name,
        source=source,
    )
    return report.as_dict()


@router.post("/runs", status_code=201)
def run(
    threshold: Decimal | None = Query(None, ge=0, le=1, description="Identify at this score instead of 0.70."),
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Identify B2B exports among the caller's tenant's declarations with the shipped method; store the run."""
    tenant = _tenant(scope)
    return identify(ctx, tenant=tenant, actor=principal.name, method=load_method(threshold=threshold)).as_dict()


@router.get("/runs")
def runs(scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[dict[str, Any]]:
    """List the runs over the caller's tenant subtree, newest first."""
    return [s.as_dict() for s in list_runs(ctx, tenant=_tenant(scope))]


@router.get("/runs/{run_id}", response_model=None)
def run_detail(
    run_id: int,
    fmt: str = Query("json", alias="format", pattern="^(json|csv)$", description="json or csv (UTF-8 with BOM)."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any] | Response:
    """Return one run: method, thresholds, digests, counts and every declaration's score, class and reasons."""
    detail = show_run(ctx, run_id, tenant=_tenant(scope))
    if fmt == "csv":
        return Response(
            detail.csv().encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="b2b-run-{run_id}.csv"'},
        )
    return detail.as_dict()


@router.get("/figures")
def figures(
    start: date = Query(..., alias="from", description="First business day (Asia/Shanghai)."),
    end: date = Query(..., alias="to", description="Last business day, inclusive."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Identified B2B exports (mode B2B) per day and tenant, 9710/9810, all exports and the B2B share."""
    if end < start:
        raise InvalidInput(
            "the period ends before it starts",
            problems=[Problem("STAT-PERIOD", "to", "结束日早于开始日 / to is before from", "Give to ≥ from.")],
        )
    return b2b_figures(ctx, start, end, tenant=_tenant(scope)).as_dict()
