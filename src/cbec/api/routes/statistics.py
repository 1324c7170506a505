"""REST routes of statistics monitoring (统计监测) under /api/v1/statistics: the indicator catalogue's figures.

Figures of the caller's tenant subtree only (a city sees its city; the hub everything), each with its caliber,
vintage and rule version. Aggregates of trade facts: no document and no personal data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import scoped
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.statistics.indicators import CATALOGUE, indicator_figures
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])
READ = Permission.STATISTICS_READ


@router.get("/catalogue")
def catalogue(_scope: Scope = Depends(scoped(READ))) -> list[dict[str, Any]]:
    """Return the indicator catalogue: code, names, unit, polarity, pillar, formula."""
    return [
        {
            "code": i.code,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "polarity": i.polarity,
            "pillar": i.pillar,
            "formula": i.formula,
        }
        for i in CATALOGUE
    ]


@router.get("/indicators")
def indicators(
    start: date = Query(..., alias="from", description="First business day (Asia/Shanghai)."),
    end: date = Query(..., alias="to", description="Last business day, inclusive."),
    tenant: str | None = Query(None, description="A tenant subtree within yours (default: yours)."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[dict[str, Any]]:
    """Return every indicator for the period and tenant, with caliber, vintage and rule version."""
    if end < start:
        raise InvalidInput(
            "the period ends before it starts",
            problems=[Problem("STAT-PERIOD", "to", "结束日早于开始日 / to is before from", "Give to ≥ from.")],
        )
    mine = scope.tenant or "hub"
    wanted = tenant or mine
    if scope.parties is not None or not Scope(tenant=mine).admits_tenant(wanted):
        raise OutOfScope(
            f"tenant {wanted} is not yours",
            problems=[
                Problem(
                    "AUTH-SCOPE",
                    "tenant",
                    f"无权查看 {wanted} 的统计 / the figures of {wanted} are outside your tenant",
                    f"Ask for your own tenant ({mine}) or one below it.",
                )
            ],
        )
    return [f.as_row() for f in indicator_figures(ctx, start, end, tenant=wanted)]
