"""REST routes of statistics monitoring (统计监测) under /api/v1/statistics: the indicator catalogue's figures.

Figures of the caller's tenant subtree only (a city sees its city; the hub everything), each with its caliber,
vintage and rule version. Aggregates of trade facts and of the daily rollups: no document and no personal data.
Every figure route answers JSON, or a file with ``format=csv`` (UTF-8 with a BOM, for Excel) or ``format=xlsx``.
Targets are set by a zone office for its own tenant or one below it (``statistics.manage``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.statistics import CSV_TYPE, DERIVED, DIMENSIONS, XLSX_TYPE, Span, parse_span, to_csv, to_xlsx
from cbec.statistics.indicators import (
    B2B_CALIBER,
    B2B_RULE_VERSION,
    BY_CODE,
    CALIBER,
    CATALOGUE,
    IDENTIFIED_B2B,
    LATER_RULES,
    ROLLUP_RULE_VERSION,
    RULE_VERSION,
    Indicator,
    indicator_figures,
)
from cbec.statistics.queries import figure_breakdown, hub_view, rollup_indicators
from cbec.statistics.service import set_tenant_target, target_progress
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])
READ, MANAGE = Permission.STATISTICS_READ, Permission.STATISTICS_MANAGE
FORMAT = Query("json", alias="format", pattern="^(json|csv|xlsx)$", description="json, csv (UTF-8 with BOM) or xlsx.")


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
            "caliber": B2B_CALIBER if i in IDENTIFIED_B2B else CALIBER,
            "rule_version": _rules_of(i),
            "rollups": i.code != "median_release_hours",  # answered by /figures (the daily rollups)
        }
        for i in (*CATALOGUE, *DERIVED, *IDENTIFIED_B2B)
    ]


def _rules_of(indicator: Indicator) -> str:
    if indicator in CATALOGUE:
        return RULE_VERSION
    if indicator in IDENTIFIED_B2B:
        return B2B_RULE_VERSION
    return LATER_RULES.get(indicator.code, ROLLUP_RULE_VERSION)


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
    wanted = _tenant(scope, tenant)
    return [f.as_row() for f in indicator_figures(ctx, start, end, tenant=wanted)]


def _tenant(scope: Scope, tenant: str | None) -> str:
    """Return the tenant asked for: the caller's own by default, or one below it; another is 403 AUTH-SCOPE."""
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
    return wanted


def _span(period: str | None, start: date | None, end: date | None) -> Span:
    """Return the period asked for: ``period`` (2026, 2026-Q1, 2026-03, 2026-03-15) or ``from``/``to``."""
    if period:
        found = parse_span(period)
    elif start is not None and end is not None:
        found = parse_span(f"{start}..{end}")
    else:
        found = None
    if found is None:
        raise InvalidInput(
            "no readable period",
            problems=[
                Problem(
                    "STAT-PERIOD",
                    "period",
                    "期间无效或结束日早于开始日 / give a period (2026, 2026-Q1, 2026-03, 2026-03-15) or from ≤ to",
                    "E.g. period=2026-03, or from=2026-03-01&to=2026-03-31.",
                )
            ],
        )
    return found


def _answer(rows: list[dict[str, Any]], output: str, name: str) -> Any:
    """Return rows as JSON, or as a CSV or XLSX download named after what they are."""
    if output == "json":
        return rows
    if output == "csv":
        body, media, suffix = to_csv(rows), CSV_TYPE, "csv"
    else:
        body, media, suffix = to_xlsx(rows, sheet=name[:31], title=name), XLSX_TYPE, "xlsx"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'})


PERIOD = Query(None, description="2026, 2026-Q1, 2026-03, 2026-03-15 (or from/to).")
FROM = Query(None, alias="from", description="First business day (with to).")
TO = Query(None, alias="to", description="Last business day, inclusive.")
TENANT = Query(None, description="A tenant subtree within yours (default: yours).")


@router.get("/figures")
def figures(
    period: str | None = PERIOD,
    start: date | None = FROM,
    end: date | None = TO,
    tenant: str | None = TENANT,
    output: str = FORMAT,
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> Any:
    """Return the indicators from the daily rollups (YoY, MoM, share and contribution included)."""
    span, wanted = _span(period, start, end), _tenant(scope, tenant)
    rows = [f.as_row() | {"name_zh": _name(f.code)} for f in rollup_indicators(ctx, span, wanted)]
    return _answer(rows, output, f"figures-{wanted.replace('/', '_')}-{span.label}")


def _name(code: str) -> str:
    return BY_CODE[code].name_zh


@router.get("/breakdown")
def breakdown(
    by: str = Query(..., description=f"One of {', '.join(DIMENSIONS)}."),
    period: str | None = PERIOD,
    start: date | None = FROM,
    end: date | None = TO,
    tenant: str | None = TENANT,
    output: str = FORMAT,
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> Any:
    """Return released value and inventories by a dimension, with share, YoY and contribution."""
    span, wanted = _span(period, start, end), _tenant(scope, tenant)
    if by not in DIMENSIONS:
        raise InvalidInput(
            "unknown dimension",
            problems=[Problem("STAT-DIMENSION", "by", f"未知维度 {by} / unknown dimension", f"Use {DIMENSIONS}.")],
        )
    rows = figure_breakdown(ctx, span, wanted, by)
    return _answer(rows, output, f"by-{by}-{wanted.replace('/', '_')}-{span.label}")


@router.get("/hub")
def hub(
    period: str | None = PERIOD,
    start: date | None = FROM,
    end: date | None = TO,
    tenant: str | None = TENANT,
    output: str = FORMAT,
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> Any:
    """Return the tenant's own figures and each sub-platform's side by side, with the total (1+M+N)."""
    span, wanted = _span(period, start, end), _tenant(scope, tenant)
    return _answer(hub_view(ctx, span, wanted), output, f"hub-{wanted.replace('/', '_')}-{span.label}")


class TargetIn(BaseModel):
    """A target of a tenant for one indicator and period."""

    tenant: str = Field(max_length=120, description="hub, hub/sanya …: yours or one below it.")
    indicator: str = Field(max_length=40, description="trade_value_cny, export_value_cny, import_inventories …")
    period: str = Field(max_length=30, description="2026, 2026-Q1 or 2026-03.")
    target: str = Field(max_length=30, description="A positive amount (CNY) or a whole count.")


@router.get("/targets")
def targets(
    tenant: str | None = TENANT,
    year: int | None = Query(None, ge=2016, le=2100),
    output: str = FORMAT,
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> Any:
    """Return the targets of the tenant subtree with progress from the rollups and the share of the period gone."""
    wanted = _tenant(scope, tenant)
    rows = [t.as_row() for t in target_progress(ctx, scope=Scope(tenant=wanted), year=year)]
    return _answer(rows, output, f"targets-{wanted.replace('/', '_')}")


@router.put("/targets")
def put_target(
    body: TargetIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, str]:
    """Set a tenant's target (audited); a tenant outside yours is 403 AUTH-SCOPE."""
    _tenant(scope, body.tenant)
    done = set_tenant_target(
        ctx,
        tenant=body.tenant,
        indicator=body.indicator,
        period=body.period,
        target=body.target,
        actor=principal.name,
        scope=Scope(tenant=scope.tenant),
    )
    return done.as_row()
