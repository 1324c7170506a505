"""REST routes of the reference data (参数/基础数据) under /api/v1/reference."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import require
from cbec.common.clock import business_date
from cbec.reference import GoodsRead, ReferencePage, goods_rule, reference_table
from cbec.storage.context import Context

router = APIRouter(
    prefix="/api/v1/reference", tags=["reference"], dependencies=[Depends(require(Permission.REFERENCE_READ))]
)


@router.get("/goods/{hs_code}", response_model=GoodsRead)
def get_goods(hs_code: str, on: date | None = None, ctx: Context = Depends(get_ctx)) -> GoodsRead:
    """Return the positive-list and tariff rule of an HS code on a date (today by default)."""
    return goods_rule(ctx, hs_code, on or business_date(ctx.clock.now()))


@router.get("/{table}", response_model=ReferencePage)
def get_table(
    table: str,
    on: date | None = None,
    code: str | None = None,
    history: bool = Query(False, alias="all", description="Every dated version instead of those in force."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    ctx: Context = Depends(get_ctx),
) -> ReferencePage:
    """Return a page of a reference table in force on a date (today by default)."""
    day = None if history else (on or business_date(ctx.clock.now()))
    return reference_table(ctx, table, on=day, code=code, limit=limit, offset=offset)
