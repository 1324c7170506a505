"""Figures from the daily rollups (汇总查询): any period and tenant subtree, breakdowns, YoY, MoM, shares.

Every figure here is a sum of ``stat_rollup`` / ``stat_rollup_goods`` rows (cbec.statistics.rollup) or of their
monthly and block layers (cbec.statistics.months), never a scan of the facts. Money is added exactly in integer fen
by the database and rounded half-up to the fen once; ratios (growth, shares, contributions) to 4 places. A tenant
subtree is the tenant and every tenant below it, so a hub's figures are its own enterprises' plus its
sub-platforms' (1+M+N).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cbec.accounts import ROOT_TENANT
from cbec.statistics import months
from cbec.statistics.indicators import (
    BY_CODE,
    CALIBER,
    CATALOGUE,
    DERIVED,
    LATER_RULES,
    PRELIMINARY_DAYS,
    ROLLUP_RULE_VERSION,
    RULE_VERSION,
    Figure,
    Indicator,
)
from cbec.statistics.models import StatRollup, StatRollupGoods
from cbec.statistics.rules import Span, cagr, contribution, fen, growth, ratio, span_before, year_before

MODES = ("9610", "1210", "9710", "9810")
CALENDAR = ("month", "quarter", "year")  # the periods with a year to date and a CAGR
DIMENSIONS = ("direction", "mode", "country", "chapter", "platform", "enterprise", "tenant", "day", "month")

DERIVED_BY_CODE = {indicator.code: indicator for indicator in DERIVED}
# The catalogue's indicators the rollups answer (the median release time needs the facts: cbec stats indicators).
FROM_ROLLUPS = tuple(i for i in CATALOGUE if i.code != "median_release_hours") + DERIVED


@dataclass
class Totals:
    """What a period and tenant subtree add up to."""

    value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal(0)))  # I, E, per mode
    released: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # I, E
    declared: int = 0
    refused: int = 0
    first_pass: int = 0
    returned: int = 0
    returned_value: Decimal = Decimal(0)
    enterprises: set[str] = field(default_factory=set)
    export_countries: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: Decimal(0)))

    @property
    def trade(self) -> Decimal:
        """Import and export value together."""
        return fen(self.value["I"] + self.value["E"])


def in_tenant(column: Any, tenant: str, *, own: bool = False) -> ColumnElement[bool] | None:
    """Return the condition of a tenant subtree on a tenant column (None for the hub: everything).

    ``own``: the tenant's own enterprises only (for the hub, those of the hub and those with no tenant).
    """
    if own:
        return column.in_(["", tenant]) if tenant == ROOT_TENANT else column == tenant
    if tenant == ROOT_TENANT:
        return None
    escaped = tenant.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return or_(column == tenant, column.like(escaped + "/%", escape="\\"))


def _source(model: Any, start: date, end: date, tenant: str, own: bool, *columns: str, days: bool = False) -> Any:
    """Return the rollup rows of [start, end] and a tenant subtree: whole months and blocks from their layers, the rest
    from the daily rows (``days``: daily rows only, for a breakdown by day)."""

    def scope(table: Any) -> Any:
        return in_tenant(table.tenant, tenant, own=own)

    if days:
        return months.source(model, start, end, columns, scope, monthly=False)
    return months.source(model, start, end, columns, scope)


def _yuan(fen_total: int | None) -> Decimal:
    return Decimal(int(fen_total or 0)) / 100


_SUMS = ("declared", "refused", "first_pass", "released", "released_fen", "returned", "returned_fen")


def tenant_totals(session: Session, start: date, end: date, tenant: str, *, detail: bool = True) -> dict[str, Totals]:
    """Return the sums of [start, end] per tenant of a subtree (each row's own tenant; '' for none), in three queries.

    The database adds up (integer fen, counts) and groups by tenant, direction and mode; whole months and blocks
    are read from their layers, at most six edge days from the daily rows (cbec.statistics.months). A subtree's or
    the hub's totals, and every sub-platform's side by side, are then unions of these (``totals_of``).
    ``detail=False`` reads the sums alone (one query): no active enterprises, no export countries — enough for the
    values and counts a growth rate compares.
    """
    found: dict[str, Totals] = {}
    r = _source(StatRollup, start, end, tenant, False, "tenant", "direction", "mode", "ecommerce_code", *_SUMS)
    keys = (r.c.tenant, r.c.direction, r.c.mode)
    sums = select(*keys, *(func.sum(r.c[name]) for name in _SUMS)).group_by(*keys)
    for who, direction, mode, declared, refused, first, released, value, returned, returned_value in session.execute(
        sums
    ):
        part = found.setdefault(who, Totals())
        part.declared += int(declared or 0)
        part.refused += int(refused or 0)
        part.first_pass += int(first or 0)
        part.released[direction] += int(released or 0)
        part.value[direction] += _yuan(value)
        part.value[mode] += _yuan(value)
        part.returned += int(returned or 0)
        part.returned_value += _yuan(returned_value)
    if not detail:
        return found
    active = select(r.c.tenant, r.c.ecommerce_code).where(r.c.released > 0).group_by(r.c.tenant, r.c.ecommerce_code)
    for who, code in session.execute(active):
        found.setdefault(who, Totals()).enterprises.add(code)
    g = _source(
        StatRollupGoods, start, end, tenant, False, "tenant", "direction", "hs_chapter", "country", "released_fen"
    )
    countries = (
        select(g.c.tenant, g.c.country, func.sum(g.c.released_fen))
        .where(g.c.direction == "E", g.c.hs_chapter == "")
        .group_by(g.c.tenant, g.c.country)
    )
    for who, country, value in session.execute(countries):
        found.setdefault(who, Totals()).export_countries[country] += _yuan(value)
    return found


def belongs(tenant: str, row_tenant: str, *, own: bool = False) -> bool:
    """Return whether rows of ``row_tenant`` count for ``tenant``'s subtree (or, ``own``, its own enterprises).

    The rule of ``in_tenant`` applied to values already read, instead of as a condition in SQL.
    """
    if own:
        return row_tenant in ("", tenant) if tenant == ROOT_TENANT else row_tenant == tenant
    return tenant == ROOT_TENANT or row_tenant == tenant or row_tenant.startswith(tenant + "/")


def totals_of(by_tenant: dict[str, Totals], tenant: str, *, own: bool = False) -> Totals:
    """Return the union of the per-tenant totals that count for a tenant subtree (or its own enterprises)."""
    found = Totals()
    for who, part in by_tenant.items():
        if not belongs(tenant, who, own=own):
            continue
        found.declared += part.declared
        found.refused += part.refused
        found.first_pass += part.first_pass
        found.returned += part.returned
        found.returned_value += part.returned_value
        for key, amount in part.value.items():
            found.value[key] += amount
        for key, count in part.released.items():
            found.released[key] += count
        found.enterprises |= part.enterprises
        for country, amount in part.export_countries.items():
            found.export_countries[country] += amount
    return found


def period_totals(session: Session, start: date, end: date, tenant: str, *, own: bool = False) -> Totals:
    """Return the sums of the rollups of [start, end] for a tenant subtree (or its own enterprises), countries too."""
    return totals_of(tenant_totals(session, start, end, tenant), tenant, own=own)


def values(found: Totals) -> dict[str, Decimal | None]:
    """Return the level indicators of a period's sums (no growth: that needs other periods)."""
    exports = found.value["E"]
    b2b = found.value["9710"] + found.value["9810"]
    hhi = sum(((v / exports) ** 2 for v in found.export_countries.values()), Decimal(0)) if exports else None
    released = found.released["I"] + found.released["E"]
    return {
        "import_value_cny": fen(found.value["I"]),
        "export_value_cny": fen(exports),
        "import_inventories": Decimal(found.released["I"]),
        "export_inventories": Decimal(found.released["E"]),
        **{f"value_{mode}_cny": fen(found.value[mode]) for mode in MODES},
        "active_enterprises": Decimal(len(found.enterprises)),
        "b2b_share": fen(b2b * 100 / exports) if exports else None,
        "export_markets": Decimal(len(found.export_countries)),
        "destination_diversity": None if hhi is None else (1 - hhi).quantize(Decimal("0.0001"), ROUND_HALF_UP),
        "export_cr3": ratio(sum(sorted(found.export_countries.values(), reverse=True)[:3], Decimal(0)), exports)
        if exports
        else None,
        "refusal_rate": fen(Decimal(found.refused * 100) / found.declared) if found.declared else None,
        "first_pass_rate": fen(Decimal(found.first_pass * 100) / found.declared) if found.declared else None,
        "trade_value_cny": found.trade,
        "refused_inventories": Decimal(found.refused),
        "returned_value_cny": fen(found.returned_value),
        "return_rate": fen(Decimal(found.returned * 100) / released) if released else None,
    }


def rollup_figures(session: Session, span: Span, tenant: str, *, today: date) -> list[Figure]:
    """Return every indicator the rollups answer for a period and tenant subtree, growth and shares included."""
    read: dict[tuple[date, date], tuple[bool, dict[str, Totals]]] = {}  # hub-wide, per tenant: each span once

    def at(period: Span, who: str, *, detail: bool = False) -> dict[str, Decimal | None]:
        key = (period.start, period.end)
        if key not in read or (detail and not read[key][0]):
            read[key] = (detail, tenant_totals(session, period.start, period.end, ROOT_TENANT, detail=detail))
        return values(totals_of(read[key][1], who))

    last_year_span, before_span = year_before(span), span_before(span)
    current = at(span, tenant, detail=True)  # the other periods only give values to compare with
    last_year, before = at(last_year_span, tenant), at(before_span, tenant)
    hub, hub_last_year = at(span, ROOT_TENANT), at(last_year_span, ROOT_TENANT)
    computed = dict(current)
    for name in ("import_value", "export_value", "trade_value"):
        code = f"{name}_cny"
        computed[f"{name}_yoy"] = growth(current[code], last_year[code])
        computed[f"{name}_mom"] = growth(current[code], before[code])
    change = _delta(current["trade_value_cny"], last_year["trade_value_cny"])
    computed["trade_value_share"] = ratio(current["trade_value_cny"], hub["trade_value_cny"])
    computed["trade_value_contribution"] = contribution(
        change, _delta(hub["trade_value_cny"], hub_last_year["trade_value_cny"])
    )
    computed["trade_value_pull"] = ratio(change, hub_last_year["trade_value_cny"])
    computed |= dict.fromkeys(("trade_value_ytd_cny", "trade_value_ytd_yoy", "trade_value_cagr_3y"))
    if span.kind in CALENDAR:  # year to date and CAGR: calendar periods only (a custom span or a day has none)
        year_to_date = Span(date(span.end.year, 1, 1), span.end, "custom", f"{span.end.year} YTD")
        ytd, ytd_base = at(year_to_date, tenant), at(year_before(year_to_date), tenant)
        computed["trade_value_ytd_cny"] = ytd["trade_value_cny"]
        computed["trade_value_ytd_yoy"] = growth(ytd["trade_value_cny"], ytd_base["trade_value_cny"])
        three = at(year_before(year_before(last_year_span)), tenant)
        computed["trade_value_cagr_3y"] = cagr(current["trade_value_cny"], three["trade_value_cny"], 3)
    vintage = "preliminary" if (today - span.end).days < PRELIMINARY_DAYS else "final"
    return [
        Figure(
            i.code,
            computed[i.code],
            i.unit,
            span.start,
            span.end,
            tenant,
            CALIBER,
            vintage,
            LATER_RULES.get(i.code, ROLLUP_RULE_VERSION) if i.code in DERIVED_BY_CODE else RULE_VERSION,
        )
        for i in FROM_ROLLUPS
    ]


def _delta(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    return None if current is None or base is None else current - base


def indicator_of(code: str) -> Indicator:
    """Return an indicator of the catalogue or of the derived figures."""
    return BY_CODE[code]


def child_of(tenant: str, own: str) -> str:
    """Return the tenant a row of ``own`` counts for in a side-by-side view of ``tenant``: itself or a child."""
    if own in (tenant, "") or not own.startswith(tenant + "/"):
        return tenant
    return tenant + "/" + own[len(tenant) + 1 :].split("/", 1)[0]


_COLUMN = {"platform": "platform_code", "enterprise": "ecommerce_code", "chapter": "hs_chapter"}


def _key(dimension: str, tenant: str, row: dict[str, Any]) -> str:
    if dimension == "tenant":
        return child_of(tenant, row["tenant"])
    if dimension == "day":
        return str(row["day"])
    if dimension == "month":
        return f"{row['day']:%Y-%m}"
    return str(row[_COLUMN.get(dimension, dimension)])


def breakdown(session: Session, span: Span, tenant: str, dimension: str) -> list[dict[str, Any]]:
    """Return released value and inventories by one dimension and direction, with share, YoY and contribution.

    Shares are of the direction's value in the period; the contribution is the row's YoY change over the
    direction's (neither by day or month: compare periods with ``rollup_figures``). Country and HS chapter come
    from the goods rollup (an inventory with lines in two chapters counts in both), the other dimensions from the
    inventory rollup.
    """
    goods = dimension in ("country", "chapter")
    model: Any = StatRollupGoods if goods else StatRollup
    measures = ["released", "released_fen"] + ([] if goods else ["declared", "refused", "returned_fen"])
    name = {"tenant": "tenant", "month": "day"}.get(dimension, _COLUMN.get(dimension, dimension))
    other = ("hs_chapter" if dimension == "country" else "country") if goods else None

    def collect(first: date, last: date) -> dict[tuple[str, str], dict[str, Any]]:
        wanted = {name, "direction", *measures} - {"day"}
        if other is not None:
            wanted.add(other)
        src = _source(model, first, last, tenant, False, *sorted(wanted), days=dimension == "day")
        column = src.c[name]
        sums = select(column, src.c.direction, *(func.sum(src.c[m]) for m in measures))
        if other is not None:  # one set of goods rows: by country (no chapter) or by chapter (no country)
            sums = sums.where(src.c[other] == "")
        sums = sums.group_by(column, src.c.direction)
        cells: dict[tuple[str, str], dict[str, Any]] = {}
        for group, direction, *totals in session.execute(sums):
            key = (_key(dimension, tenant, {name: group}), direction)
            cell = cells.setdefault(key, dict.fromkeys(measures, 0))
            for measure, total in zip(measures, totals, strict=True):
                cell[measure] += int(total or 0)
        return cells

    now = collect(span.start, span.end)
    base_span = year_before(span)
    timed = dimension in ("day", "month")  # a day or month has no twin a year earlier in the same period
    base = {} if timed else collect(base_span.start, base_span.end)
    direction_total: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    direction_base: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    for (_, direction), cell in now.items():
        direction_total[direction] += _yuan(cell["released_fen"])
    for (_, direction), cell in base.items():
        direction_base[direction] += _yuan(cell["released_fen"])
    rows = []
    for key, direction in sorted(set(now) | set(base)):
        cell = now.get((key, direction), {})
        value = fen(_yuan(cell.get("released_fen", 0)))
        last = fen(_yuan(base.get((key, direction), {}).get("released_fen", 0)))
        row: dict[str, Any] = {
            dimension: key,
            "direction": direction,
            "value_cny": value,
            "inventories": cell.get("released", 0),
            "share": ratio(value, fen(direction_total[direction])),
            "value_cny_last_year": None if timed else last,
            "yoy": growth(value, last) if last else None,
            "contribution": None
            if timed
            else contribution(value - last, fen(direction_total[direction]) - fen(direction_base[direction])),
        }
        if not goods:
            row |= {
                "declared": cell.get("declared", 0),
                "refused": cell.get("refused", 0),
                "returned_value_cny": fen(_yuan(cell.get("returned_fen", 0))),
            }
        rows.append(row)
    return rows
