"""Zone dashboard (综试办监测看板): today's and this month's import and export volumes and values, release and refusal
rates, top refusal reasons, origins and destinations, the month's trend and progress against the yearly targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, Problem
from cbec.statistics import Direction, Indicator
from cbec.statistics.queries import year_figures, zone_overview
from cbec.statistics.service import set_target
from cbec.statistics.views import DirectionFigures, ModeFigures, PeriodFigures, ZoneOverview
from cbec.storage.context import Context
from cbec.web.access import DASHBOARD_ROLES, Entry, actor, csrf_ok, forbidden, guard
from cbec.web.auth import read_form
from cbec.web.charts import bar_chart, donut_chart, hbar_chart, line_chart, progress_chart
from cbec.web.i18n import Translator, language
from cbec.web.render import error_problems, large_money, money_unit, page

router = APIRouter(prefix="/dashboard", include_in_schema=False)
# Figures of the caller's tenant, no documents: the roles alone (the scope is the tenant's).
FIGURES = Depends(guard(DASHBOARD_ROLES, None))
SET_TARGETS = Depends(guard(frozenset({"zone_admin"}), None))
PROGRESS_WIDTH = 320  # drawn no wider than a phone's card, so its 11-px label stays legible there


def _day(raw: str | None, month: str | None = None, today: date | None = None, year: str | None = None) -> date | None:
    """Return the business day asked for: ?day=YYYY-MM-DD, else the last day of ?month=YYYY-MM or ?year=YYYY (today
    within the current month or year), else None (today)."""
    try:
        if raw:
            return date.fromisoformat(raw)
        if year and len(year) == 4 and year.isdigit() and int(year) >= 2000:
            last = date(int(year), 12, 31)
            return min(last, today) if today is not None and today.year == last.year else last
        if month and len(month) == 7:
            first = date.fromisoformat(f"{month}-01")
            following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
            last = date.fromordinal(following.toordinal() - 1)
            return min(last, today) if today is not None and today >= first else last
    except ValueError:
        return None
    return None


def charts(overview: ZoneOverview, t: Translator) -> dict[str, Any]:
    """Return the dashboard's SVG charts, labelled in the page's language."""
    month, empty = overview.month, t("dash.no_data")
    mode_label = [(f"{m.mode} {mode_name(m, t)}", m) for m in month.modes]
    waiting = sum(overview.waiting.values())

    def unit_of(values: Any) -> Any:
        """One unit for every amount of a chart (never "CNY 1.15 m" beside "CNY 856,642.00")."""
        fmt = money_unit([Decimal(str(v)) for v in values], t.lang)
        return lambda value: fmt(Decimal(str(value)))

    def money_axis(value: Any) -> str:
        return compact_money(Decimal(str(value)), t.lang)

    return {
        "released_by_mode": bar_chart(
            [(label, m.released) for label, m in mode_label], title=t("dash.chart.released_by_mode"), empty=empty
        ),
        "value_by_mode": bar_chart(
            [(label, m.released_value) for label, m in mode_label],
            title=t("dash.chart.value_by_mode"),
            empty=empty,
            fmt=unit_of(m.released_value for m in month.modes),
            axis=money_axis,
        ),
        "outcomes": donut_chart(
            [(t("dash.released"), month.released), (t("dash.refused"), month.refused), (t("dash.waiting"), waiting)],
            title=t("dash.chart.outcomes"),
            empty=empty,
            center=f"{month.release_rate}%" if month.release_rate is not None else "—",
            caption=t("dash.kpi.release_rate"),
        ),
        "reasons": hbar_chart(
            [(r.rule_id, r.count) for r in overview.refusal_reasons],
            title=t("dash.chart.reasons"),
            empty=empty,
            label_width=160,
        ),
        "origins": hbar_chart(
            [(t.pick(f"{c.name_zh} / {c.name_en}"), c.value) for c in overview.origins],
            title=t("dash.chart.origins"),
            empty=empty,
            fmt=unit_of(c.value for c in overview.origins),
        ),
        "destinations": hbar_chart(
            [(t.pick(f"{c.name_zh} / {c.name_en}"), c.value) for c in overview.destinations],
            title=t("dash.chart.destinations"),
            empty=empty,
            fmt=unit_of(c.value for c in overview.destinations),
        ),
        "daily": line_chart(
            [(f"{p.day.month}/{p.day.day}", p.released) for p in overview.daily],
            title=t("dash.chart.daily"),
            empty=empty,
        ),
        "targets": {
            target.indicator: progress_chart(
                target.share,
                target.elapsed,
                title=t(f"ind.{target.indicator}"),
                empty=t("dash.no_target"),
                elapsed_label=t("dash.elapsed", share=target.elapsed),
                width=PROGRESS_WIDTH,
            )
            for target in overview.targets
        },
    }


def compact_money(value: Decimal, lang: str) -> str:
    """Format an axis amount briefly: 40万 / 1.5亿 (Chinese), 400k / 1.5m (English)."""
    steps = (
        ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
        if lang != "en"
        else ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"), (Decimal(10) ** 3, "k"))
    )
    for divisor, suffix in steps:
        if abs(value) >= divisor:
            return f"{(value / divisor).normalize():f}"[:5].rstrip(".") + suffix
    return f"{value.normalize():f}"


@dataclass(frozen=True, slots=True)
class ModeRow:
    """One line of the by-mode table: a mode's figures today and this month, or a subtotal."""

    label: str
    direction: str
    today: ModeFigures | DirectionFigures
    month: ModeFigures | DirectionFigures
    taxed: bool  # exports carry no tax here: the column shows "—"


def mode_name(figures: ModeFigures, t: Translator) -> str:
    """Return the name of a regulatory mode in its direction (9610 is 直购进口 inbound, 一般出口 outbound)."""
    key = f"mode.export.{figures.mode}" if figures.direction == Direction.EXPORT else f"mode.{figures.mode}"
    return t(key)


def mode_rows(overview: ZoneOverview, t: Translator) -> list[ModeRow]:
    """Pair each mode's figures of today with those of the month (zeros where today had none)."""
    today = {(m.mode, m.direction): m for m in overview.today.modes}
    zero = Decimal("0")
    return [
        ModeRow(
            label=mode_name(m, t),
            direction=m.direction,
            today=today.get((m.mode, m.direction)) or ModeFigures(m.mode, m.direction, 0, 0, zero, zero),
            month=m,
            taxed=m.direction != Direction.EXPORT,
        )
        for m in overview.month.modes
    ]


def subtotal_rows(overview: ZoneOverview, t: Translator) -> list[ModeRow]:
    """Return the import and the export subtotal of today and of the month."""
    return [
        ModeRow(
            t("dash.subtotal.import"), Direction.IMPORT.value, overview.today.imports, overview.month.imports, True
        ),
        ModeRow(
            t("dash.subtotal.export"), Direction.EXPORT.value, overview.today.exports, overview.month.exports, False
        ),
    ]


def _year_rows(figures: PeriodFigures, t: Translator) -> list[tuple[str, str, Any, bool]]:
    """Return (label, direction, figures, taxed) of each mode of a year, then the import and export subtotals."""
    rows: list[tuple[str, str, Any, bool]] = [
        (f"{m.mode} {mode_name(m, t)}", m.direction, m, m.direction != Direction.EXPORT) for m in figures.modes
    ]
    rows.append((t("dash.subtotal.import"), Direction.IMPORT.value, figures.imports, True))
    rows.append((t("dash.subtotal.export"), Direction.EXPORT.value, figures.exports, False))
    return rows


def indicator_value(indicator: str, value: Decimal | None, lang: str) -> str:
    """Format an indicator's figure: a count, or an amount in 亿元/万元 (CNY bn/m)."""
    if value is None:
        return "—"
    if indicator == Indicator.RELEASED_COUNT:
        return f"{int(value):,}"
    return large_money(value, lang)


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    day: str | None = None,
    month: str | None = None,
    year: str | None = None,
    entry: Entry = FIGURES,
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Show the figures of the caller's tenant for a business day (today unless ?day=YYYY-MM-DD, ?month=YYYY-MM or
    ?year=YYYY); with ?year, the whole year's figures too (imports and exports apart)."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    on = _day(day, month, business_date(ctx.clock.now()), year)
    overview = zone_overview(ctx, on=on, scope=entry.scope)
    whole_year = year_figures(ctx, on=overview.day, scope=entry.scope) if year and on is not None else None
    t = Translator(language(request))
    return page(
        request,
        "portal/dashboard/overview.html",
        {
            "o": overview,
            "charts": charts(overview, t),
            "rows": mode_rows(overview, t),
            "subtotals": subtotal_rows(overview, t),
            "held": overview.waiting.get("300", 0) + overview.waiting.get("500", 0),
            "waiting": overview.waiting.get("2", 0),
            "figure": lambda indicator, value: indicator_value(indicator, value, t.lang),
            "can_edit": str(who.role) == "zone_admin",
            "month_value": overview.day.strftime("%Y-%m"),
            "year_value": overview.day.year,
            "years": list(range(business_date(ctx.clock.now()).year, 2014, -1)),
            "whole_year": whole_year,
            "year_rows": _year_rows(whole_year, t) if whole_year is not None else [],
        },
        principal=who,
    )


@router.get("/targets", response_class=HTMLResponse)
def targets(request: Request, entry: Entry = FIGURES, ctx: Context = Depends(get_ctx)) -> Response:
    """Show this year's targets with the form the hub's zone admin sets them with."""
    if entry.refused:
        return entry.refused
    return _targets_page(request, ctx, entry, problems=[], form={})


def _targets_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    problems: list[Problem],
    form: dict[str, str],
    status_code: int = 200,
) -> Response:
    who = entry.principal
    overview = zone_overview(ctx, scope=entry.scope)
    return page(
        request,
        "portal/dashboard/targets.html",
        {
            "o": overview,
            "indicators": [i.value for i in Indicator],
            "figure": lambda indicator, value: indicator_value(indicator, value, language(request)),
            "can_edit": str(who.role) == "zone_admin" and entry.scope.unrestricted,
            "problems": problems,
            "form": form,
            "saved": request.query_params.get("saved"),
        },
        principal=who,
        status_code=status_code,
    )


@router.post("/targets", response_class=HTMLResponse)
async def save_target(request: Request, entry: Entry = SET_TARGETS, ctx: Context = Depends(get_ctx)) -> Response:
    """Set the zone-wide target of one indicator for a year (the hub's zone admin only: targets have no tenant)."""
    if entry.refused:
        return entry.refused
    who = entry.principal
    raw = await read_form(request)
    form = {name: str(raw.get(name, "")).strip() for name in ("year", "indicator", "target")}
    if not csrf_ok(request, str(raw.get("csrf_token", ""))) or not entry.scope.unrestricted:
        return forbidden(request, who)  # a city's zone admin may not change the hub's targets (AUTH-SCOPE)
    try:
        year = int(form["year"])
    except ValueError:
        year = 0
    try:
        set_target(ctx, year=year, indicator=form["indicator"], target=form["target"], actor=actor(who))
    except DomainError as exc:
        problems = error_problems(exc)
        return _targets_page(request, ctx, entry, problems=problems, form=form, status_code=422)
    return RedirectResponse(f"/dashboard/targets?saved={form['indicator']}", status_code=303)
