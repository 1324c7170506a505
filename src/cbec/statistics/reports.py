"""Monthly and quarterly statistics reports (统计月报、季报) of the kind a zone office sends to the provincial
commerce department: the period's figures from the daily rollups, by mode, by country, by day, the sub-platforms
side by side and the year's targets, for one tenant subtree.

``report_data`` gathers the figures (read-only); the transports render them (a printable HTML page with charts,
cbec.web.reports) and ``store_report`` keeps what was sent, as a new revision each time, with the digest of the
figures it shows. ``due_reports`` names the reports a daily run still owes: the month just closed, and the
quarter just closed, for every tenant.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from cbec.accounts.service import list_tenants
from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import InvalidInput, NotFound, Problem
from cbec.common.scope import Scope
from cbec.statistics.cube import breakdown, rollup_figures
from cbec.statistics.figures import hub_view
from cbec.statistics.models import StatReport
from cbec.statistics.rules import Span, parse_span
from cbec.statistics.targets import target_progress
from cbec.storage.context import Context

KINDS = ("month", "quarter")
TOP = 10


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, as plain values (amounts as text to the fen)."""

    tenant: str
    tenant_name: str
    period: str
    kind: str
    start: date
    end: date
    figures: list[dict[str, Any]]
    by_mode: list[dict[str, Any]]
    by_country: list[dict[str, Any]]
    by_day: list[dict[str, Any]]
    hub: list[dict[str, Any]]
    targets: list[dict[str, Any]]

    @property
    def digest(self) -> str:
        """Return the SHA-256 of the figures the report shows (not of its rendering)."""
        body = json.dumps(self.as_dict(), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        """Return the data as JSON-ready values."""
        return {
            "tenant": self.tenant,
            "tenant_name": self.tenant_name,
            "period": self.period,
            "kind": self.kind,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "figures": self.figures,
            "by_mode": self.by_mode,
            "by_country": self.by_country,
            "by_day": self.by_day,
            "hub": self.hub,
            "targets": self.targets,
        }

    def figure(self, code: str) -> str | None:
        """Return one indicator's value as text (None when not defined)."""
        return next((row["value"] for row in self.figures if row["code"] == code), None)


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A generated report as kept."""

    id: int
    tenant: str
    period: str
    kind: str
    revision: int
    lang: str
    digest: str
    generated_by: str
    generated_at: datetime
    html: str | None = None


def report_span(period: str) -> Span:
    """Return the month or quarter a report covers; InvalidInput STAT-REPORT-PERIOD otherwise."""
    span = parse_span(period.strip())
    if span is None or span.kind not in KINDS:
        raise InvalidInput(
            "a report covers a month or a quarter",
            problems=[
                Problem(
                    "STAT-REPORT-PERIOD",
                    "period",
                    f"报告期间 {period!r} 无效 / a report is for a month or a quarter",
                    "Write 2026-11 or 2026-Q4.",
                )
            ],
        )
    return span


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (v if isinstance(v, (int, str)) or v is None else str(v)) for k, v in row.items()} for row in rows]


def report_data(ctx: Context, period: str, tenant: str) -> ReportData:
    """Gather a report's figures for a month or quarter and a tenant subtree (one read-only transaction)."""
    span = report_span(period)
    names = {t.path: t.name for t in list_tenants(ctx, scope=Scope(tenant=tenant))}
    today = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        session = uow.session
        figures = [f.as_row() for f in rollup_figures(session, span, tenant, today=today)]
        by_mode = breakdown(session, span, tenant, "mode")
        countries = breakdown(session, span, tenant, "country")
        by_day = breakdown(session, span, tenant, "day")
    top = sorted(countries, key=lambda r: (r["direction"], -r["value_cny"], r["country"]))
    by_country = [r for d in ("E", "I") for r in [x for x in top if x["direction"] == d][:TOP]]
    targets = [t.as_row() for t in target_progress(ctx, scope=Scope(tenant=tenant), year=span.start.year) if t.period]
    return ReportData(
        tenant=tenant,
        tenant_name=names.get(tenant, tenant),
        period=span.label,
        kind=span.kind,
        start=span.start,
        end=span.end,
        figures=_plain(figures),
        by_mode=_plain(by_mode),
        by_country=_plain(by_country),
        by_day=_plain(by_day),
        hub=_plain(hub_view(ctx, span, tenant)),
        targets=targets,
    )


def store_report(ctx: Context, data: ReportData, *, html: str, lang: str, actor: str) -> StoredReport:
    """Keep a rendered report as the next revision for its tenant, period and language (audited)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        last = session.scalar(
            select(func.max(StatReport.revision)).where(
                StatReport.tenant == data.tenant, StatReport.period == data.period, StatReport.lang == lang
            )
        )
        row = StatReport(
            tenant=data.tenant,
            period=data.period,
            kind=data.kind,
            revision=int(last or 0) + 1,
            lang=lang,
            digest=data.digest,
            html=html,
            generated_by=actor,
            generated_at=now,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="statistics.report.generated",
            entity_type="stat_report",
            entity_key=f"{data.tenant}:{data.period}:{lang}:{row.revision}",
            after={"digest": data.digest},
        )
        uow.commit()
        return _stored(row)


def _stored(row: StatReport, *, html: bool = False) -> StoredReport:
    return StoredReport(
        id=int(row.id),
        tenant=row.tenant,
        period=row.period,
        kind=row.kind,
        revision=int(row.revision),
        lang=row.lang,
        digest=row.digest,
        generated_by=row.generated_by,
        generated_at=row.generated_at,
        html=row.html if html else None,
    )


def list_period_reports(ctx: Context, scope: Scope, *, limit: int = 200) -> list[StoredReport]:
    """Return the reports of the caller's tenant subtree, newest first."""
    with ctx.uow() as uow:
        query = select(StatReport).order_by(StatReport.generated_at.desc(), StatReport.id.desc()).limit(limit)
        if scope.tenant is not None:
            query = query.where((StatReport.tenant == scope.tenant) | StatReport.tenant.startswith(scope.tenant + "/"))
        return [_stored(r) for r in uow.session.scalars(query)]


def get_period_report(ctx: Context, report_id: int, scope: Scope) -> StoredReport:
    """Return one stored report with its HTML; NotFound outside the caller's tenant subtree."""
    with ctx.uow() as uow:
        row = uow.session.get(StatReport, report_id)
        if row is None or not scope.admits_tenant(row.tenant):
            raise NotFound(
                f"no report {report_id}",
                problems=[
                    Problem("STAT-REPORT-NOT-FOUND", "id", f"没有报告 {report_id} / no such report", "List them.")
                ],
            )
        return _stored(row, html=True)


def due_periods(today: date) -> list[str]:
    """Return the periods whose report is due on a day: the month just closed, and the quarter just closed."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    due = [last_month_end.strftime("%Y-%m")]
    if last_month_end.month % 3 == 0:
        due.append(f"{last_month_end.year}-Q{last_month_end.month // 3}")
    return due


def due_reports(ctx: Context, *, lang: str = "zh-CN") -> list[tuple[str, str]]:
    """Return (tenant, period) of every report a daily run owes: closed periods with no report yet in ``lang``."""
    periods = due_periods(business_date(ctx.clock.now()))
    tenants = [t.path for t in list_tenants(ctx)]
    with ctx.uow() as uow:
        rows = uow.session.execute(
            select(StatReport.tenant, StatReport.period).where(StatReport.period.in_(periods), StatReport.lang == lang)
        )
        have = {(tenant, period) for tenant, period in rows}
    return [(tenant, period) for tenant in tenants for period in periods if (tenant, period) not in have]
