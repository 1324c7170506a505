"""Targets per tenant, indicator and period (分平台目标) and their progress from the daily rollups.

A zone office sets a target for its own tenant or one below it (a city for itself and its windows, the hub for
every sub-platform); progress is the rollups' figure for the period up to today over the target, to 4 places,
beside the share of the period gone by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.statistics.cube import period_totals, values
from cbec.statistics.errors import TargetInvalid
from cbec.statistics.models import StatTarget
from cbec.statistics.rules import Span, parse_span, ratio
from cbec.storage.context import Context

# Indicators a target can be set for: sums over the period (a share or a rate has no meaningful target here).
TARGETABLE = (
    "trade_value_cny",
    "import_value_cny",
    "export_value_cny",
    "import_inventories",
    "export_inventories",
    "value_9610_cny",
    "value_1210_cny",
    "value_9710_cny",
    "value_9810_cny",
)
COUNTS = ("import_inventories", "export_inventories")


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """A tenant's target for one indicator and period, the figure so far and the progress."""

    tenant: str
    indicator: str
    period: str
    target: Decimal
    actual: Decimal
    progress: Decimal | None  # actual / target, 4 places
    elapsed: Decimal  # share of the period's days gone by, 4 places
    updated_by: str
    updated_at: datetime

    def as_row(self) -> dict[str, str]:
        """Return the progress as REST, CSV and XLSX show it (amounts and ratios as text)."""
        return {
            "tenant": self.tenant,
            "indicator": self.indicator,
            "period": self.period,
            "target": _plain(self.target),
            "actual": format(self.actual, "f"),
            "progress": "" if self.progress is None else format(self.progress, "f"),
            "elapsed": format(self.elapsed, "f"),
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
        }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _problem(rule: str, field: str, message: str, hint: str) -> Problem:
    return Problem(rule, field, message, hint)


def check_target(tenant: str, indicator: str, period: str, target: str | Decimal, scope: Scope) -> tuple[Span, Decimal]:
    """Return the span and amount of a valid target, or raise TargetInvalid with every problem."""
    problems: list[Problem] = []
    if indicator not in TARGETABLE:
        problems.append(
            _problem("STAT-TARGET-INDICATOR", "indicator", f"指标 {indicator} 不能设目标 / no target for it",
                     f"Use one of: {', '.join(TARGETABLE)}.")
        )  # fmt: skip
    span = parse_span(period)
    if span is None or span.kind not in ("year", "quarter", "month"):
        problems.append(
            _problem("STAT-TARGET-PERIOD", "period", f"期间 {period!r} 无效 / a target is for a year, quarter or month",
                     "Write 2026, 2026-Q1 or 2026-03.")
        )  # fmt: skip
    elif not 2016 <= span.start.year <= 2100:
        problems.append(_problem("STAT-TARGET-YEAR", "period", "年份超出范围 / year out of range", "Use 2016-2100."))
    try:
        value = Decimal(str(target).replace(",", "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        problems.append(
            _problem("STAT-TARGET-VALUE", "target", f"目标值须为正数且最多两位小数 / got {target!r}",
                     "Enter a positive amount such as 5000000000.")
        )  # fmt: skip
    elif indicator in COUNTS and value != value.to_integral_value():
        problems.append(
            _problem("STAT-TARGET-VALUE", "target", "票数目标须为整数 / a count is whole", "Enter a whole number.")
        )
    if not scope.admits_tenant(tenant):
        problems.append(
            _problem("AUTH-SCOPE", "tenant", f"无权为 {tenant} 设目标 / {tenant} is outside your tenant",
                     "Set targets for your own tenant or one below it.")
        )  # fmt: skip
    if problems or span is None:
        raise TargetInvalid("the target breaks one or more rules", problems=problems)
    return span, value


def set_tenant_target(
    ctx: Context, *, tenant: str, indicator: str, period: str, target: str | Decimal, actor: str, scope: Scope
) -> TargetProgress:
    """Set a tenant's target for an indicator and period (audited with the value it replaces); return its progress."""
    span, value = check_target(tenant, indicator, period, target, scope)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = session.scalar(
            select(StatTarget).where(
                StatTarget.tenant == tenant, StatTarget.indicator == indicator, StatTarget.period == span.label
            )
        )
        before = None if row is None else {"target": _plain(row.target)}
        if row is None:
            row = StatTarget(tenant=tenant, indicator=indicator, period=span.label)
            session.add(row)
        row.target, row.updated_at, row.updated_by = value, now, actor
        record_audit(
            session,
            at=now,
            actor=actor,
            action="statistics.tenant_target.set",
            entity_type="stat_target",
            entity_key=f"{tenant}:{indicator}:{span.label}",
            before=before,
            after={"target": _plain(value)},
        )
        session.flush()
        found = _progress(session, row, business_date(now))
        uow.commit()
        return found


def _progress(session: Session, row: StatTarget, today: date) -> TargetProgress:
    span = parse_span(row.period)
    assert span is not None  # stored targets were checked
    end = min(span.end, today)
    if end < span.start:
        actual, elapsed = Decimal(0), Decimal("0.0000")
    else:
        figure = values(period_totals(session, span.start, end, row.tenant))[row.indicator]
        actual = figure if figure is not None else Decimal(0)
        elapsed = ratio((end - span.start).days + 1, (span.end - span.start).days + 1) or Decimal(0)
    return TargetProgress(
        tenant=row.tenant,
        indicator=row.indicator,
        period=row.period,
        target=row.target,
        actual=actual,
        progress=ratio(actual, row.target),
        elapsed=elapsed,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def target_progress(
    ctx: Context, *, scope: Scope, tenant: str | None = None, year: int | None = None
) -> list[TargetProgress]:
    """Return the targets in the scope (of one tenant subtree, of one year) with their progress, by tenant."""
    today = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(StatTarget).order_by(StatTarget.tenant, StatTarget.period, StatTarget.indicator)
        )
        found = []
        for row in rows:
            if not scope.admits_tenant(row.tenant):
                continue
            if tenant is not None and not Scope(tenant=tenant).admits_tenant(row.tenant):
                continue
            if year is not None and not row.period.startswith(str(year)):
                continue
            found.append(_progress(uow.session, row, today))
        return found
