"""The zone dashboard (综试办监测看板): the day's, month's and year's import and export figures.

Counts and values per trade mode and direction, refusal reasons, origins and destinations, the month's trend
and progress against the yearly targets, in one read-only transaction; a restricted scope (a city's
sub-platform) counts only inventories one of its enterprises is party to.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.common.money import ZERO, to_fen
from cbec.common.scope import EVERYTHING, Scope
from cbec.exports.service.reference import RateMissing, to_cny
from cbec.facts import Direction as FactDirection
from cbec.facts import released_lines
from cbec.reference import code_tables
from cbec.statistics import repository as repo
from cbec.statistics.rules import (
    TRADE_MODES,
    Direction,
    Indicator,
    Period,
    day_period,
    month_period,
    rule_ids,
    share,
    year_period,
)
from cbec.statistics.views import (
    CountryFigures,
    DailyPoint,
    DirectionFigures,
    ModeFigures,
    PeriodFigures,
    RuleCount,
    TargetProgress,
    ZoneOverview,
)
from cbec.storage.context import Context

TOP = 8


def zone_overview(ctx: Context, *, on: date | None = None, scope: Scope = EVERYTHING) -> ZoneOverview:
    """Return the day's and month's import and export figures, refusal reasons, countries, trend and targets.

    Origins are those of imported goods, destinations those of exported goods. A restricted scope (a city's
    sub-platform) counts only inventories one of its enterprises is party to.
    Export values are converted to CNY at the customs rate of each declaration date; an export whose rate is
    missing is counted, its value left out, and the figures say how many.
    """
    day = on or business_date(ctx.clock.now())
    today, month, year = day_period(day), month_period(day), year_period(day)
    with ctx.uow() as uow:
        session = uow.session
        rates = _CnyRates(session)
        month_released = repo.released_rows(session, month, scope)
        month_exported = _exported(rates, repo.export_released_rows(session, month, scope))
        refusals = repo.inventory_refusals(session, month, scope)
        export_refusals = repo.export_inventory_refusals(session, month, scope)
        figures_today = _period_figures(session, today, scope, rates)
        figures_month = _period_figures(
            session,
            month,
            scope,
            rates,
            released=month_released,
            exported=month_exported,
            refusals=refusals,
            export_refusals=export_refusals,
        )
        reasons = Counter(rule for _doc, info in (*refusals, *export_refusals) for rule in rule_ids(info))
        refused_total = sum(reasons.values())
        released_on: Counter[date] = Counter()
        exported_on: Counter[date] = Counter()
        value_on: dict[date, Decimal] = {}
        export_value_on: dict[date, Decimal] = {}
        for _mode, released_at, value, *_taxes in month_released:
            on_day = business_date(released_at)
            released_on[on_day] += 1
            value_on[on_day] = value_on.get(on_day, ZERO) + (value or ZERO)
        for _mode, released_at, cny in month_exported:
            on_day = business_date(released_at)
            released_on[on_day] += 1
            exported_on[on_day] += 1
            value_on[on_day] = value_on.get(on_day, ZERO) + (cny or ZERO)
            export_value_on[on_day] = export_value_on.get(on_day, ZERO) + (cny or ZERO)
        origins = _origins(session, month, day, scope)
        destinations = _destinations(session, rates, month, day, scope)
        targets = _targets(session, year, day, scope)
        return ZoneOverview(
            day=day,
            today=figures_today,
            month=figures_month,
            waiting=repo.open_counts(session, scope),
            refusal_reasons=tuple(
                RuleCount(rule, count, share(count, refused_total))
                for rule, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP]
            ),
            origins=origins,
            destinations=destinations,
            daily=tuple(
                DailyPoint(d, released_on[d], value_on.get(d, ZERO), exported_on[d], export_value_on.get(d, ZERO))
                for d in month.days()
            ),
            targets=targets,
        )


class _CnyRates:
    """Customs rates to CNY read once per (currency, declaration date) within one query; None when missing."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.per_unit: dict[tuple[str, date], Decimal | None] = {}

    def to_cny(self, currency: str, amount: Decimal, declared_at: datetime) -> Decimal | None:
        """Return an amount in CNY at the customs rate of the declaration date, or None when no rate is on record."""
        key = (currency, business_date(declared_at))
        if key not in self.per_unit:
            try:
                self.per_unit[key] = to_cny(self.session, currency, Decimal(1), key[1]).cny_per_unit
            except RateMissing:
                self.per_unit[key] = None
        per_unit = self.per_unit[key]
        # the same arithmetic as to_cny: amount x CNY per unit, rounded half-up to the fen
        return None if per_unit is None else to_fen(amount * per_unit)


def year_figures(ctx: Context, *, on: date, scope: Scope = EVERYTHING) -> PeriodFigures:
    """Return the import and export figures of the calendar year of a business day, up to that day."""
    with ctx.uow() as uow:
        session = uow.session
        return _period_figures(session, year_period(on), scope, _CnyRates(session))


def _exported(
    rates: _CnyRates, rows: list[tuple[str, datetime, datetime, str, Decimal]]
) -> list[tuple[str, datetime, Decimal | None]]:
    """Return mode, release time and CNY value (None when the rate is missing) of released export inventories."""
    return [(mode, at, rates.to_cny(currency, value, declared)) for mode, at, declared, currency, value in rows]


def _period_figures(
    session: Session,
    period: Period,
    scope: Scope,
    rates: _CnyRates,
    *,
    released: list[Any] | None = None,
    exported: list[tuple[str, datetime, Decimal | None]] | None = None,
    refusals: list[tuple[int | None, str]] | None = None,
    export_refusals: list[tuple[int | None, str]] | None = None,
) -> PeriodFigures:
    released = released if released is not None else repo.released_rows(session, period, scope)
    if exported is None:
        exported = _exported(rates, repo.export_released_rows(session, period, scope))
    if refusals is None:
        refusals = repo.inventory_refusals(session, period, scope)
    if export_refusals is None:
        export_refusals = repo.export_inventory_refusals(session, period, scope)
    declared = repo.declared_by_mode(session, period, scope)
    export_declared = repo.export_declared_by_mode(session, period, scope)
    per_mode: dict[str, list[Any]] = {}
    for mode, _at, value, duty, vat, ct in released:
        row = per_mode.setdefault(mode, [0, ZERO, ZERO])
        row[0] += 1
        row[1] += value or ZERO
        row[2] += (duty or ZERO) + (vat or ZERO) + (ct or ZERO)
    per_export: dict[str, list[Any]] = {}
    for mode, _at, cny in exported:
        row = per_export.setdefault(mode, [0, ZERO, 0])
        row[0] += 1
        if cny is None:
            row[2] += 1
        else:
            row[1] += cny
    import_modes = tuple(
        ModeFigures(
            mode=mode,
            direction=Direction.IMPORT.value,
            declared=declared.get(mode, 0),
            released=per_mode.get(mode, [0])[0],
            released_value=per_mode.get(mode, [0, ZERO])[1],
            tax=per_mode.get(mode, [0, ZERO, ZERO])[2],
        )
        for mode in sorted(set(declared) | set(per_mode), key=_mode_order)
    )
    export_modes = tuple(
        ModeFigures(
            mode=mode,
            direction=Direction.EXPORT.value,
            declared=export_declared.get(mode, 0),
            released=per_export.get(mode, [0])[0],
            released_value=per_export.get(mode, [0, ZERO])[1],
            tax=ZERO,
            unconverted=per_export.get(mode, [0, ZERO, 0])[2],
        )
        for mode in sorted(set(export_declared) | set(per_export), key=_mode_order)
    )
    imports = _direction_figures(Direction.IMPORT, import_modes, refusals)
    exports = _direction_figures(Direction.EXPORT, export_modes, export_refusals)
    released_count = imports.released + exports.released
    refused = imports.refused + exports.refused
    concluded = released_count + refused
    return PeriodFigures(
        period=period,
        modes=import_modes + export_modes,
        declared=imports.declared + exports.declared,
        released=released_count,
        refused=refused,
        released_value=imports.released_value + exports.released_value,
        tax=imports.tax,
        release_rate=share(released_count, concluded),
        refusal_rate=share(refused, concluded),
        imports=imports,
        exports=exports,
        unconverted=exports.unconverted,
    )


def _direction_figures(
    direction: Direction, modes: tuple[ModeFigures, ...], refusals: list[tuple[int | None, str]]
) -> DirectionFigures:
    """Add up one direction's modes; a stored inventory refused twice counts once, an unstored refusal each time."""
    stored_refused = {doc for doc, _info in refusals if doc is not None}
    unstored_refused = sum(1 for doc, _info in refusals if doc is None)
    refused = len(stored_refused) + unstored_refused
    released = sum(m.released for m in modes)
    concluded = released + refused
    return DirectionFigures(
        direction=direction.value,
        declared=sum(m.declared for m in modes) + unstored_refused,
        released=released,
        refused=refused,
        released_value=sum((m.released_value for m in modes), ZERO),
        tax=sum((m.tax for m in modes), ZERO),
        unconverted=sum(m.unconverted for m in modes),
        release_rate=share(released, concluded),
        refusal_rate=share(refused, concluded),
    )


def _mode_order(mode: str) -> tuple[int, str]:
    order = list(TRADE_MODES)
    return (order.index(mode) if mode in order else len(order), mode)


def _origins(session: Session, period: Period, day: date, scope: Scope) -> tuple[CountryFigures, ...]:
    """Add up released import goods by origin country, from the trade facts (no payload is opened)."""
    counts: dict[str, set[str]] = {}
    values: dict[str, Decimal] = {}
    for line in released_lines(session, FactDirection.IMPORT, period.start, period.end, scope):
        counts.setdefault(line.origin_country, set()).add(line.eport_no)
        values[line.origin_country] = values.get(line.origin_country, ZERO) + line.value
    return _top_countries(session, day, Counter({c: len(refs) for c, refs in counts.items()}), values)


def _destinations(
    session: Session, rates: _CnyRates, period: Period, day: date, scope: Scope
) -> tuple[CountryFigures, ...]:
    """Add up released export lines by final destination country in CNY, from the trade facts.

    A fact converted at intake keeps its CNY value; one whose rate was missing then is converted now, at the same
    customs rate of its declaration date (lines still without a rate add no value).
    """
    countries: dict[str, set[str]] = {}
    values: dict[str, Decimal] = {}
    for line in released_lines(session, FactDirection.EXPORT, period.start, period.end, scope):
        countries.setdefault(line.destination_country, set()).add(line.eport_no)
        values.setdefault(line.destination_country, ZERO)
        cny = line.value_cny
        if cny is None:
            cny = rates.to_cny(line.currency, line.value, line.declared_at)
        if cny is not None:
            values[line.destination_country] += cny
    return _top_countries(session, day, Counter({c: len(refs) for c, refs in countries.items()}), values)


def _top_countries(
    session: Session, day: date, counts: Counter[str], values: dict[str, Decimal]
) -> tuple[CountryFigures, ...]:
    """Return the countries with the largest values, named from the country code table."""
    tables = code_tables(session, day)
    result = []
    for code, value in sorted(values.items(), key=lambda item: (-item[1], item[0]))[:TOP]:
        entry = tables.entry("country", code)
        result.append(
            CountryFigures(
                code=code,
                name_zh=entry.name_zh if entry else code,
                name_en=(entry.name_en or entry.name_zh) if entry else code,
                inventories=counts[code],
                value=value,
            )
        )
    return tuple(result)


def _targets(session: Session, year: Period, day: date, scope: Scope) -> tuple[TargetProgress, ...]:
    rows = {row.indicator: row for row in repo.targets_of_year(session, day.year)}
    released = repo.released_rows(session, year, scope)
    actual = {
        Indicator.TRADE_VALUE: sum((value or ZERO for _m, _at, value, *_t in released), ZERO),
        Indicator.RELEASED_COUNT: Decimal(len(released)),
        Indicator.TAX_REVENUE: sum(
            ((duty or ZERO) + (vat or ZERO) + (ct or ZERO) for _m, _at, _v, duty, vat, ct in released), ZERO
        ),
    }
    days_in_year = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    elapsed = share(day.timetuple().tm_yday, days_in_year) or ZERO
    progress = []
    for indicator in Indicator:
        row = rows.get(indicator.value)
        progress.append(
            TargetProgress(
                indicator=indicator.value,
                year=day.year,
                target=row.target if row else None,
                actual=actual[indicator],
                share=share(actual[indicator], row.target) if row else None,
                elapsed=elapsed,
                updated_by=row.updated_by if row else None,
                updated_at=row.updated_at if row else None,
            )
        )
    return tuple(progress)
