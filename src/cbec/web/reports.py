"""Monthly and quarterly statistics reports (统计月报、季报): rendered as one printable, self-contained HTML page with
inline SVG charts (no script, no external asset), kept as sent, listed and generated in the portal.

``render_report`` is shared with the CLI (`cbec stats report`, and the due reports of `cbec clearance daily`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from cbec import __version__
from cbec.api.deps import get_ctx
from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import DomainError, Problem
from cbec.common.scope import Scope
from cbec.statistics.queries import ReportData, due_periods, get_period_report, list_period_reports, report_data
from cbec.statistics.service import store_report
from cbec.storage.context import Context
from cbec.web.access import DASHBOARD_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.charts import bar_chart, hbar_chart, line_chart
from cbec.web.i18n import Translator, language
from cbec.web.render import error_problems, page, templates

router = APIRouter(prefix="/dashboard", include_in_schema=False)
READ = Depends(guard(DASHBOARD_ROLES, "statistics.read"))
# A kept report is self-contained: its own inline style, inline SVG, no script and nothing fetched.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
MANAGE = Depends(guard(frozenset({"zone_admin"}), "statistics.manage"))


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _charts(data: ReportData, t: Translator) -> dict[str, Markup]:
    days: dict[str, Decimal] = {}
    for row in data.by_day:
        days[str(row["day"])[5:]] = days.get(str(row["day"])[5:], Decimal(0)) + _number(row["value_cny"])
    modes: dict[str, Decimal] = {}
    for row in data.by_mode:
        modes[str(row["mode"])] = modes.get(str(row["mode"]), Decimal(0)) + _number(row["value_cny"])
    exports = [(str(r["country"]), _number(r["value_cny"])) for r in data.by_country if r["direction"] == "E"]
    empty = t("sreport.no_data")
    return {
        "daily": line_chart(sorted(days.items()), title=t("sreport.chart.daily"), empty=empty),
        "modes": bar_chart(sorted(modes.items()), title=t("sreport.chart.modes"), empty=empty),
        "destinations": hbar_chart(exports, title=t("sreport.chart.destinations"), empty=empty),
    }


def render_report(data: ReportData, lang: str, *, generated_by: str, generated_at: str) -> str:
    """Return the report as one self-contained HTML page in a language (zh-CN or en)."""
    t = Translator(lang)
    template = templates.env.get_template("standalone/report.html")
    return template.render(
        t=t,
        lang=lang,
        d=data,
        charts=_charts(data, t),
        name=lambda row: row.get("name_zh") if lang == "zh-CN" else row.get("name_en"),
        headline=[(code, data.figure(code)) for code in HEADLINE],
        generated_by=generated_by,
        generated_at=generated_at,
        version=__version__,
    )


HEADLINE = ("trade_value_cny", "import_value_cny", "export_value_cny", "trade_value_yoy", "b2b_share", "refusal_rate")


def generate_report(ctx: Context, period: str, tenant: str, *, lang: str, actor_name: str) -> Any:
    """Gather, render and keep one report; return what was stored."""
    data = report_data(ctx, period, tenant)
    at = ctx.clock.now().astimezone(SHANGHAI).isoformat(timespec="minutes")
    html = render_report(data, lang, generated_by=actor_name, generated_at=at)
    return store_report(ctx, data, html=html, lang=lang, actor=actor_name)


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """List the reports of the caller's tenant subtree, with the form that generates one."""
    if entry.refused:
        return entry.refused
    return _reports_page(request, ctx, entry, problems=[], form={})


def _reports_page(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], form: dict[str, str], status: int = 200
) -> Response:
    who = entry.principal
    today = business_date(ctx.clock.now())
    return page(
        request,
        "portal/dashboard/reports.html",
        {
            "reports": list_period_reports(ctx, entry.scope),
            "can_generate": str(who.role) == "zone_admin" and who.may("statistics.manage"),
            "problems": problems,
            "form": form,
            "default_period": due_periods(today)[0],  # the month just closed
            "tenant": entry.scope.tenant or "hub",
        },
        principal=who,
        status_code=status,
    )


@router.post("/reports", response_class=HTMLResponse)
async def generate(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Generate and keep the report of a month or quarter for the caller's tenant or one below it."""
    if entry.refused:
        return entry.refused
    raw = await read_form(request)
    form = {name: str(raw.get(name, "")).strip() for name in ("period", "tenant")}
    mine = entry.scope.tenant or "hub"
    tenant = form["tenant"] or mine
    if not csrf_ok(request, str(raw.get("csrf_token", ""))) or not Scope(tenant=mine).admits_tenant(tenant):
        return forbidden(request, entry.principal)
    try:
        stored = generate_report(ctx, form["period"], tenant, lang=language(request), actor_name=actor(entry.principal))
    except DomainError as exc:
        return _reports_page(request, ctx, entry, problems=error_problems(exc), form=form, status=422)
    return RedirectResponse(f"/dashboard/reports/{stored.id}", status_code=303)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report(request: Request, report_id: int, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Show a kept report as it was generated (printable; ``?download=1`` saves it as a file)."""
    if entry.refused:
        return entry.refused
    try:
        stored = get_period_report(ctx, report_id, entry.scope)
    except DomainError:
        return not_found(request, entry.principal, str(report_id), "/dashboard/reports")
    headers = {"Content-Security-Policy": REPORT_CSP}
    if request.query_params.get("download"):
        name = f"report-{stored.tenant.replace('/', '_')}-{stored.period}-r{stored.revision}.html"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return HTMLResponse(stored.html or "", headers=headers)
