"""Export reference rows (出口参数): rebate rates per HS, named export parameters, customs exchange rates.

Pure parsing in the style of ``cbec.reference.rows``: records in, typed rows and every problem out, fields
named ``row[N].column``. Rebate rates and parameters are effective-dated (valid_from .. valid_to inclusive);
an exchange rate is the central parity published on ``rate_date`` (the rows double as the publication
calendar for the 272号 rule).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.common.money import parse_decimal


class ExportRateKind(StrEnum):
    """Kinds of export reference file (`cbec export rates load --kind ...`)."""

    REBATE = "rebate"
    PARAMETER = "parameter"
    EXCHANGE = "exchange"
    EXCLUDED = "excluded"  # goods whose export refund and exemption were cancelled (103号 condition 3)


PARAMETER_NAMES = (
    "payment_receipt_required",
    "exemption_without_invoice",
    "deemed_profit_rate",
    "cit_rate",
    "small_profit_income_cap",
    "small_profit_income_share",
    "small_profit_rate",
    "small_profit_employee_cap",
    "small_profit_asset_cap",
    "return_relief_months",
    "fx_registration_threshold_usd",
    "summary_due_day",
    "summary_max_items",
)

COLUMNS: dict[ExportRateKind, tuple[frozenset[str], frozenset[str]]] = {
    ExportRateKind.REBATE: (
        frozenset({"hs_prefix", "rebate_rate", "vat_rate", "source", "valid_from"}),
        frozenset({"note", "valid_to"}),
    ),
    ExportRateKind.PARAMETER: (frozenset({"name", "value", "source", "valid_from"}), frozenset({"valid_to"})),
    ExportRateKind.EXCHANGE: (
        frozenset({"currency", "rate_date", "cny_per_unit", "source"}),
        frozenset({"unit", "note"}),
    ),
    ExportRateKind.EXCLUDED: (
        frozenset({"hs_prefix", "source", "valid_from"}),
        frozenset({"note", "valid_to"}),
    ),
}


@dataclass(frozen=True, slots=True)
class RateRow:
    """One export reference row, as stored."""

    kind: str
    key: str
    value: Decimal
    extra: str | None
    note: str | None
    source: str
    valid_from: date
    valid_to: date | None


def _problem(row_no: int, column: str, message: str, hint: str) -> Problem:
    return Problem("EXP-REF", f"row[{row_no}].{column}", message, hint)


def parse_rate_records(
    kind: ExportRateKind, header: Sequence[str], records: Iterable[tuple[int, Mapping[str, str]]]
) -> tuple[list[RateRow], list[Problem]]:
    """Validate every record of an export reference file; rows are usable only if no problem is returned."""
    required, optional = COLUMNS[kind]
    missing = sorted(required - set(header))
    unknown = sorted(set(header) - required - optional)
    if missing or unknown:
        text = "; ".join(
            part
            for part in (
                f"missing columns: {', '.join(missing)}" if missing else "",
                f"unknown columns: {', '.join(unknown)}" if unknown else "",
            )
            if part
        )
        hint = f"Columns: {', '.join(sorted(required))} (required); {', '.join(sorted(optional))}."
        return [], [Problem("EXP-REF-COLUMNS", "row[1]", text, hint)]
    rows: list[RateRow] = []
    problems: list[Problem] = []
    seen: set[tuple[str, date]] = set()
    for row_no, record in records:
        found: list[Problem] = []

        def cell(column: str, record: Mapping[str, str] = record) -> str:
            return (record.get(column) or "").strip()

        def day(column: str, *, required: bool, row_no: int = row_no, found: list[Problem] = found) -> date | None:
            text = cell(column)
            if not text:
                if required:
                    found.append(_problem(row_no, column, f"{column} is required", "Write YYYY-MM-DD."))
                return None
            try:
                return date.fromisoformat(text)
            except ValueError:
                found.append(_problem(row_no, column, f"not a date: {text!r}", "Write YYYY-MM-DD."))
                return None

        def number(column: str, row_no: int = row_no, found: list[Problem] = found) -> Decimal | None:
            try:
                value = parse_decimal(cell(column))
            except ValueError:
                found.append(_problem(row_no, column, f"not a number: {cell(column)!r}", "Write e.g. 0.13."))
                return None
            if value < 0:
                found.append(_problem(row_no, column, f"{column} is negative", "Give a value of 0 or more."))
                return None
            return value

        source = cell("source")
        if not source:
            found.append(_problem(row_no, "source", "source is required", "Name the notice or file behind the row."))
        if kind in (ExportRateKind.REBATE, ExportRateKind.EXCLUDED):
            key = cell("hs_prefix")
            if not (key.isascii() and key.isdigit() and 4 <= len(key) <= 10):
                found.append(_problem(row_no, "hs_prefix", f"not an HS prefix: {key!r}", "Give 4 to 10 digits."))
            value: Decimal | None = Decimal(0)
            extra = None
            if kind is ExportRateKind.REBATE:
                value, vat = number("rebate_rate"), number("vat_rate")
                extra = str(vat) if vat is not None else None
                if value is not None and vat is not None and value > vat:
                    found.append(_problem(row_no, "rebate_rate", "rebate rate above the VAT rate", "Check both."))
            valid_from, valid_to = day("valid_from", required=True), day("valid_to", required=False)
        elif kind is ExportRateKind.PARAMETER:
            key = cell("name")
            if key not in PARAMETER_NAMES:
                found.append(_problem(row_no, "name", f"unknown parameter {key!r}", f"Use one of {PARAMETER_NAMES}."))
            value, extra = number("value"), None
            valid_from, valid_to = day("valid_from", required=True), day("valid_to", required=False)
        else:
            key = cell("currency")
            if not (key.isascii() and key.isdigit() and len(key) == 3):
                found.append(_problem(row_no, "currency", f"not a currency code: {key!r}", "Write e.g. 502 (USD)."))
            value = number("cny_per_unit")
            if value is not None and value == 0:
                found.append(_problem(row_no, "cny_per_unit", "rate must be above 0", "Give CNY per unit."))
            extra = cell("unit") or "1"
            valid_from, valid_to = day("rate_date", required=True), None
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            found.append(_problem(row_no, "valid_to", "valid_to precedes valid_from", "Fix the dates."))
        if not found and valid_from is not None and value is not None:
            if (key, valid_from) in seen:
                found.append(_problem(row_no, "valid_from", "duplicate key and date", "Keep one row per date."))
            else:
                seen.add((key, valid_from))
                note = cell("note") or None
                rows.append(RateRow(kind.value, key, value, extra, note, source, valid_from, valid_to))
        problems.extend(found)
    return rows, problems
