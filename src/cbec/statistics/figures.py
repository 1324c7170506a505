"""Read-only use cases over the daily rollups (汇总查询): indicators, breakdowns and the hub's side-by-side view.

Each is one read-only transaction over this domain's rollup tables (the tenant list comes from cbec.accounts).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cbec.accounts.service import list_tenants
from cbec.common.clock import business_date
from cbec.common.scope import Scope
from cbec.statistics.b2b.service.figures import run_totals
from cbec.statistics.cube import (
    ROLLUP_RULE_VERSION,
    breakdown,
    child_of,
    rollup_figures,
    tenant_totals,
    totals_of,
    values,
)
from cbec.statistics.indicators import B2B_CALIBER, B2B_RULE_VERSION, CALIBER, Figure
from cbec.statistics.rules import Span, fen, growth, ratio, year_before
from cbec.storage.context import Context

# The columns of the hub's side-by-side view, in order.
HUB_CODES = (
    "trade_value_cny",
    "import_value_cny",
    "export_value_cny",
    "import_inventories",
    "export_inventories",
    "active_enterprises",
    "refused_inventories",
    "refusal_rate",
    "returned_value_cny",
)


def rollup_indicators(ctx: Context, span: Span, tenant: str) -> list[Figure]:
    """Return every indicator the rollups answer for a period and tenant subtree (YoY, MoM and shares included),
    and the identified-B2B figures of the latest identification run covering the tenant (their own caliber)."""
    today = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        found = rollup_figures(uow.session, span, tenant, today=today)
    run = run_totals(ctx, span.start, span.end, tenant=tenant)  # the identification run's results only
    identified = share = None
    if run is not None:
        value = {f.code: f.value or Decimal(0) for f in found}
        platform = int(value["export_value_cny"] * 100)
        platform_b2b = int((value["value_9710_cny"] + value["value_9810_cny"]) * 100)
        identified = fen(Decimal(run.identified_fen) / 100)
        share = ratio(
            platform_b2b + run.declared_b2b_fen + run.identified_fen,
            platform + run.general_trade_fen + run.imported_b2b_fen,
        )
    vintage = found[0].vintage if found else "final"
    for code, figure, unit in (
        ("b2b_identified_value_cny", identified, "CNY"),
        ("b2b_share_identified", share, "ratio"),
    ):
        found.append(Figure(code, figure, unit, span.start, span.end, tenant, B2B_CALIBER, vintage, B2B_RULE_VERSION))
    return found


def figure_breakdown(ctx: Context, span: Span, tenant: str, dimension: str) -> list[dict[str, Any]]:
    """Return released value and inventories by a dimension, with share, YoY and contribution."""
    with ctx.uow() as uow:
        return breakdown(uow.session, span, tenant, dimension)


def hub_view(ctx: Context, span: Span, tenant: str) -> list[dict[str, Any]]:
    """Return the tenant's own figures and every sub-platform's below it side by side, and the total (1+M+N).

    ``own`` is the tenant's own enterprises; each child row is the child's whole subtree; the total row is the
    tenant's subtree, and in every additive column it is the sum of the others (tests prove it).
    """
    tenants = list_tenants(ctx, scope=Scope(tenant=tenant))
    children = sorted(t.path for t in tenants if t.path != tenant and child_of(tenant, t.path) == t.path)
    names = {t.path: t.name for t in tenants}
    today = business_date(ctx.clock.now())
    vintage = "preliminary" if (today - span.end).days < 30 else "final"
    base = year_before(span)
    with ctx.uow() as uow:
        session = uow.session
        now_by = tenant_totals(session, span.start, span.end, tenant)  # three queries
        base_by = tenant_totals(session, base.start, base.end, tenant, detail=False)  # one: only its values count
        whole = values(totals_of(now_by, tenant))
        rows: list[dict[str, Any]] = []
        parts = [
            (child, "child", values(totals_of(now_by, child)), values(totals_of(base_by, child))) for child in children
        ]
        own_now = values(totals_of(now_by, tenant, own=True))
        own_base = values(totals_of(base_by, tenant, own=True))
        total_base = values(totals_of(base_by, tenant))
        for path, kind, now, last in [(tenant, "own", own_now, own_base), *parts, (tenant, "total", whole, total_base)]:
            row: dict[str, Any] = {"tenant": path, "name": names.get(path, path), "kind": kind}
            row |= {code: now[code] for code in HUB_CODES}
            row["trade_value_share"] = ratio(now["trade_value_cny"], whole["trade_value_cny"])
            row["trade_value_yoy"] = growth(now["trade_value_cny"], last["trade_value_cny"] or None)
            row |= {"from": span.start, "to": span.end, "caliber": CALIBER, "vintage": vintage}
            row["rule_version"] = ROLLUP_RULE_VERSION
            rows.append(row)
        return rows
