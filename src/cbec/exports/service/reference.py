"""Export reference data use cases and look-ups (出口参数): seed, load, and read rates and parameters.

The built-in files live beside the other reference data (``cbec/reference/data/export_parameters.csv``
and ``export_rebate_rates.csv``, provenance in SOURCES.md). Loading is all or nothing; loading the same
rows again changes nothing; a later ``valid_from`` closes the row before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from cbec.common.errors import InvalidInput, NotFound, Problem
from cbec.exports import repository as repo
from cbec.exports.models import ExportRate
from cbec.exports.reference import ExportRateKind, RateRow, parse_rate_records
from cbec.exports.tax_rules import ExportTaxParameters, customs_rate_date, third_wednesday
from cbec.reference import read_records
from cbec.reference.files import read_csv_text
from cbec.reference.rules import chain_valid_to
from cbec.storage.context import Context
from cbec.storage.revisions import RevisionCache

BUILTIN = {
    ExportRateKind.PARAMETER: "export_parameters.csv",
    ExportRateKind.REBATE: "export_rebate_rates.csv",
}


class ExportRatesInvalid(InvalidInput):
    """An export reference file has problems; nothing was loaded."""


# Customs rates kept in memory under the ``export_rate`` revision token (triggers of migration facts01).
EXPORT_RATES = "export_rate"
_per_unit: RevisionCache[Decimal | None] = RevisionCache(EXPORT_RATES, limit=4096)
_parameters: RevisionCache[Decimal | None] = RevisionCache(EXPORT_RATES, limit=4096)


class RateMissing(NotFound):
    """No exchange rate or parameter is on record for a date."""


@dataclass(frozen=True, slots=True)
class RateLoadReport:
    """What a load did."""

    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int


def seed_export_reference(ctx: Context) -> list[RateLoadReport]:
    """Load the export parameters and rebate rates shipped with cbec."""
    reports = []
    with ctx.uow() as uow:
        for kind, name in BUILTIN.items():
            text = resources.files("cbec.reference").joinpath("data", name).read_text(encoding="utf-8")
            header, records = read_csv_text(text)
            rows, problems = parse_rate_records(kind, header, records)
            if problems:
                raise ExportRatesInvalid(f"built-in {name} is invalid", problems=problems)
            reports.append(_apply(uow.session, kind, rows))
        uow.commit()
    return reports


def load_export_rates(ctx: Context, path: str | Path, kind: str) -> RateLoadReport:
    """Validate every row of an export reference file (rebate, parameter, exchange, excluded), then load it."""
    try:
        rate_kind = ExportRateKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in ExportRateKind)
        raise InvalidInput(
            f"unknown export rate kind {kind!r}",
            problems=[Problem("EXP-REF-KIND", "kind", f"unknown kind {kind!r}", f"Use one of: {kinds}.")],
        ) from exc
    header, records = read_records(Path(path))
    rows, problems = parse_rate_records(rate_kind, header, records)
    if not records and not problems:
        problems = [Problem("EXP-REF-EMPTY", "row[2]", "the file has no data rows", "Add at least one row.")]
    if problems:
        raise ExportRatesInvalid(
            f"{Path(path).name}: {len(problems)} problem(s); nothing was loaded", problems=problems
        )
    with ctx.uow() as uow:
        report = _apply(uow.session, rate_kind, rows)
        uow.commit()
    return report


def _apply(session: Session, kind: ExportRateKind, rows: Sequence[RateRow]) -> RateLoadReport:
    """Insert new rows, correct changed ones, and close effective-dated chains."""
    stored = {(r.key, r.valid_from): r for r in repo.rates(session, kind.value)}
    inserted = updated = unchanged = 0
    for row in rows:
        found = stored.get((row.key, row.valid_from))
        values = {"value": row.value, "extra": row.extra, "note": row.note, "source": row.source}
        if found is None:
            record = ExportRate(kind=row.kind, key=row.key, valid_from=row.valid_from, valid_to=row.valid_to, **values)
            session.add(record)
            stored[(row.key, row.valid_from)] = record
            inserted += 1
        elif any(getattr(found, k) != v for k, v in values.items()) or (
            row.valid_to is not None and found.valid_to != row.valid_to
        ):
            for name, value in values.items():
                setattr(found, name, value)
            if row.valid_to is not None:
                found.valid_to = row.valid_to
            updated += 1
        else:
            unchanged += 1
    if kind is not ExportRateKind.EXCHANGE:
        chains: dict[str, list[ExportRate]] = {}
        for record in stored.values():
            chains.setdefault(record.key, []).append(record)
        for members in chains.values():
            members.sort(key=lambda r: r.valid_from)
            ends = chain_valid_to([(m.valid_from, m.valid_to) for m in members])
            for member, end in zip(members, ends, strict=True):
                if member.valid_to != end:
                    member.valid_to = end
    session.flush()
    return RateLoadReport(kind.value, len(rows), inserted, updated, unchanged)


# --- look-ups inside other use cases' transactions ---------------------------------------------------------


def parameter(session: Session, name: str, on: date) -> Decimal | None:
    """Return an export parameter in force on a date, or None.

    Answers are kept in the process until the export rates change (their revision token), as ``cny_per_unit``.
    """
    return _parameters.get(session, (name, on), lambda: _read_parameter(session, name, on))


def _read_parameter(session: Session, name: str, on: date) -> Decimal | None:
    rows = repo.rates_in_force(session, "parameter", [name], on)
    return rows[0].value if rows else None


def tax_parameters(session: Session, on: date) -> ExportTaxParameters:
    """Return the export tax parameters in force on a date."""

    def value(name: str) -> Decimal | None:
        return parameter(session, name, on)

    def required(name: str) -> Decimal:
        found = value(name)
        if found is None:
            raise RateMissing(f"export parameter {name} not in force on {on}; run `cbec export rates seed`", name=name)
        return found

    def whole(name: str) -> int | None:
        found = value(name)
        return int(found) if found is not None else None

    return ExportTaxParameters(
        deemed_profit_rate=required("deemed_profit_rate"),
        cit_rate=required("cit_rate"),
        small_profit_income_cap=value("small_profit_income_cap"),
        small_profit_income_share=value("small_profit_income_share"),
        small_profit_rate=value("small_profit_rate"),
        small_profit_employee_cap=whole("small_profit_employee_cap"),
        small_profit_asset_cap=value("small_profit_asset_cap"),
        return_relief_months=whole("return_relief_months"),
        fx_registration_threshold_usd=required("fx_registration_threshold_usd"),
    )


@dataclass(frozen=True, slots=True)
class RebateRate:
    """The rebate and VAT rate of an HS code on a date, with the row's provenance."""

    hs_prefix: str
    rebate_rate: Decimal
    vat_rate: Decimal
    source: str
    note: str | None


def rebate_rate(session: Session, hs_code: str, on: date) -> RebateRate | None:
    """Return the longest-prefix rebate rate of an HS code in force on a date."""
    prefixes = [hs_code[:n] for n in range(len(hs_code), 3, -1)]
    rows = sorted(repo.rates_in_force(session, "rebate", prefixes, on), key=lambda r: len(r.key))
    if not rows:
        return None
    best = rows[-1]
    return RebateRate(best.key, best.value, Decimal(best.extra or "0"), best.source, best.note)


def excluded(session: Session, hs_code: str, on: date) -> bool:
    """Tell whether an HS code is on the excluded list (export refund and exemption cancelled) on a date."""
    prefixes = [hs_code[:n] for n in range(len(hs_code), 3, -1)]
    return bool(repo.rates_in_force(session, "excluded", prefixes, on))


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount converted to CNY at the customs rate (272号)."""

    currency: str
    amount: Decimal
    rate_date: date | None
    cny_per_unit: Decimal
    cny: Decimal


def to_cny(session: Session, currency: str, amount: Decimal, declared_on: date) -> Conversion:
    """Convert an amount to CNY at the customs rate of the declaration date (CNY itself at 1)."""
    from cbec.common.money import to_fen

    if currency == "142":
        return Conversion(currency, amount, None, Decimal(1), to_fen(amount))
    rate = customs_rate(session, currency, declared_on)
    per_unit = rate.value / Decimal(rate.extra or "1")
    return Conversion(currency, amount, rate.valid_from, per_unit, to_fen(amount * per_unit))


def customs_rate(session: Session, currency: str, declared_on: date) -> ExportRate:
    """Return the central parity the 272号 rule picks for a declaration date, from the published rows."""
    published: Callable[[date], bool] = lambda day: _published(session, currency, day)  # noqa: E731
    try:
        day = customs_rate_date(declared_on, published)
    except ValueError as exc:
        raise RateMissing(
            f"no {currency} central parity on record for {declared_on}; load rates with `cbec export rates load`",
            currency=currency,
        ) from exc
    found = repo.exchange_on_or_after(session, currency, day)
    assert found is not None
    return found


def _published(session: Session, currency: str, day: date) -> bool:
    found = repo.exchange_on_or_after(session, currency, day)
    return found is not None and found.valid_from == day


def cny_per_unit(session: Session, currency: str, declared_on: date) -> Decimal | None:
    """Return CNY per unit of a currency at the customs rate of a declaration date, or None when none is on record.

    The same rate as ``to_cny``; answers are kept in the process until the export rates change (their revision
    token), so a message's facts cost no query once a day's rates have been read.
    """
    if currency == "142":
        return Decimal(1)
    return _per_unit.get(session, (currency, declared_on), lambda: _read_per_unit(session, currency, declared_on))


def _read_per_unit(session: Session, currency: str, declared_on: date) -> Decimal | None:
    """Read the rate ``customs_rate`` picks, in one statement: every parity published in the month it looks at."""
    year, month = (declared_on.year, declared_on.month - 1) if declared_on.month > 1 else (declared_on.year - 1, 12)
    first = third_wednesday(year, month)
    published = {row.valid_from: row for row in repo.exchanges_between(session, currency, first, first + timedelta(31))}
    try:
        day = customs_rate_date(declared_on, published.__contains__)
    except ValueError:
        return None
    rate = published[day]
    return rate.value / Decimal(rate.extra or "1")
