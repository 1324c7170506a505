"""Rows of reference-data files (参数/基础数据文件): parsing and validation, every problem at once.

Pure: records (row number, column → text) in, typed rows and problems out. A problem's field reads
``row[N].column`` where N is the line number in a CSV file (the header is row 1) or the 1-based position
in a JSON list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cbec.common.errors import Problem
from cbec.common.money import parse_decimal
from cbec.reference.rules import (
    CODE_TABLE_FORMATS,
    TAX_PARAMETER_NAMES,
    CtKind,
    ReferenceKind,
    ThresholdBasis,
    code_format_problem,
    plain,
)

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否", ""})


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One code of a code table."""

    table_name: str
    code: str
    name_zh: str
    name_en: str | None
    alias: str | None
    valid_from: date
    valid_to: date | None
    source: str

    def key(self) -> tuple[Any, ...]:
        """Return the natural key whose rows form one effective-dated chain."""
        return (self.table_name, self.code)


@dataclass(frozen=True, slots=True)
class PositiveListRow:
    """One positive-list tariff line with its remark."""

    hs8: str
    description_zh: str
    remark: str | None
    bonded_only: bool
    qty_cap: Decimal | None
    qty_cap_unit: str | None
    named_goods: str | None
    source_doc: str
    valid_from: date
    valid_to: date | None

    def key(self) -> tuple[Any, ...]:
        """Return the natural key whose rows form one effective-dated chain."""
        return (self.hs8,)


@dataclass(frozen=True, slots=True)
class TariffRow:
    """Duty, VAT and consumption-tax rule of one tariff prefix."""

    hs_prefix: str
    duty_rate: Decimal
    vat_rate: Decimal
    ct_kind: str
    ct_rate: Decimal
    ct_threshold: Decimal | None
    ct_threshold_piece: Decimal | None
    ct_threshold_basis: str | None
    note: str | None
    source: str
    valid_from: date
    valid_to: date | None

    def key(self) -> tuple[Any, ...]:
        """Return the natural key whose rows form one effective-dated chain."""
        return (self.hs_prefix,)


@dataclass(frozen=True, slots=True)
class TaxParameterRow:
    """One named tax constant."""

    name: str
    value: Decimal
    valid_from: date
    valid_to: date | None
    source: str

    def key(self) -> tuple[Any, ...]:
        """Return the natural key whose rows form one effective-dated chain."""
        return (self.name,)


ReferenceRow = CodeRow | PositiveListRow | TariffRow | TaxParameterRow

COLUMNS: dict[ReferenceKind, tuple[frozenset[str], frozenset[str]]] = {
    ReferenceKind.CODES: (
        frozenset({"table", "code", "name_zh", "valid_from", "source"}),
        frozenset({"name_en", "alias", "valid_to"}),
    ),
    ReferenceKind.POSITIVE_LIST: (
        frozenset({"hs8", "description_zh", "source_doc", "valid_from"}),
        frozenset({"remark", "bonded_only", "qty_cap", "qty_cap_unit", "named_goods", "valid_to"}),
    ),
    ReferenceKind.TARIFF: (
        frozenset({"hs_prefix", "duty_rate", "vat_rate", "ct_kind", "source", "valid_from"}),
        frozenset({"ct_rate", "ct_threshold", "ct_threshold_piece", "ct_threshold_basis", "note", "valid_to"}),
    ),
    ReferenceKind.TAX_PARAMETERS: (
        frozenset({"name", "value", "valid_from", "source"}),
        frozenset({"valid_to"}),
    ),
}


def row_columns(row: ReferenceRow) -> dict[str, Any]:
    """Return the row as table columns."""
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


class _Cells:
    """Reads typed cells of one record and collects the problems found."""

    def __init__(self, row_no: int, record: Mapping[str, str], defaults: Mapping[str, str]) -> None:
        self.row_no = row_no
        self.record = record
        self.defaults = defaults
        self.problems: list[Problem] = []

    def field(self, column: str) -> str:
        """Return the problem field name of a column of this row."""
        return f"row[{self.row_no}].{column}"

    def add(self, rule_id: str, column: str, message: str, hint: str) -> None:
        """Record a problem with a column of this row."""
        self.problems.append(Problem(rule_id, self.field(column), message, hint))

    def text(self, column: str, *, required: bool = False, max_len: int = 300) -> str | None:
        """Return a trimmed text cell (or its default), None when blank."""
        raw = self.record.get(column)
        value = (raw if raw is not None else "").strip() or self.defaults.get(column, "").strip()
        if not value:
            if required:
                self.add("REF-REQUIRED", column, f"缺少必填项 / {column} is required", f"Fill in {column}.")
            return None
        if len(value) > max_len:
            self.add("REF-TOO-LONG", column, f"{column} is longer than {max_len} characters", "Shorten the text.")
        return value

    def day(self, column: str, *, required: bool = False) -> date | None:
        """Return a YYYY-MM-DD cell as a date."""
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add("REF-DATE", column, f"日期格式错误 / {column} is not a date: {value!r}", "Write YYYY-MM-DD.")
            return None

    def number(
        self, column: str, *, required: bool = False, low: Decimal | None = None, below: Decimal | None = None
    ) -> Decimal | None:
        """Return a decimal cell within bounds (low inclusive, below exclusive)."""
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            number = parse_decimal(value)
        except ValueError:
            self.add("REF-NUMBER", column, f"{column} is not a decimal number: {value!r}", "Write e.g. 0.13 or 5000.")
            return None
        if (low is not None and number < low) or (below is not None and number >= below):
            bounds = f"at least {low}" if below is None else f"from {low or 0} up to but excluding {below}"
            self.add("REF-RANGE", column, f"{column} {value} is out of range", f"Give a value {bounds}.")
            return None
        return plain(number)

    def flag(self, column: str) -> bool:
        """Return a true/false cell; blank is false."""
        value = (self.text(column) or "").lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.add("REF-BOOLEAN", column, f"{column} is not true or false: {value!r}", "Write true or false.")
        return False

    def span(self) -> tuple[date | None, date | None]:
        """Return valid_from and valid_to, checking their order."""
        valid_from = self.day("valid_from", required=True)
        valid_to = self.day("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add(
                "REF-SPAN",
                "valid_to",
                f"valid_to {valid_to} is before valid_from {valid_from}",
                "valid_to is the last day the row applies; it cannot precede valid_from.",
            )
        return valid_from, valid_to

    def digits(self, column: str, lengths: tuple[int, ...]) -> str | None:
        """Return a required cell of digits of one of the given lengths."""
        value = self.text(column, required=True)
        if value is not None and not (value.isascii() and value.isdigit() and len(value) in lengths):
            shape = " or ".join(str(n) for n in lengths)
            self.add("REF-HS-FORMAT", column, f"{column} must be {shape} digits, got {value!r}", "Keep leading zeros.")
            return None
        return value


def _code_row(cells: _Cells) -> CodeRow | None:
    table = cells.text("table", required=True)
    code = cells.text("code", required=True, max_len=20)
    if table is not None and table not in CODE_TABLE_FORMATS:
        cells.add(
            "REF-TABLE",
            "table",
            f"未知代码表 / unknown code table {table!r}",
            f"Use one of: {', '.join(CODE_TABLE_FORMATS)}.",
        )
        table = None
    if table is not None and code is not None:
        found = code_format_problem(table, code, cells.field("code"))
        if found:
            cells.problems.append(found)
    name_zh = cells.text("name_zh", required=True)
    name_en = cells.text("name_en")
    alias = cells.text("alias", max_len=20)
    source = cells.text("source", required=True, max_len=2000)
    valid_from, valid_to = cells.span()
    if cells.problems or not (table and code and name_zh and source and valid_from):
        return None
    return CodeRow(table, code, name_zh, name_en, alias, valid_from, valid_to, source)


def _positive_list_row(cells: _Cells, known_units: frozenset[str] | None) -> PositiveListRow | None:
    hs8 = cells.digits("hs8", (8,))
    description = cells.text("description_zh", required=True)
    remark = cells.text("remark", max_len=2000)
    bonded_only = cells.flag("bonded_only")
    qty_cap = cells.number("qty_cap", low=Decimal("0.00001"))
    qty_cap_unit = cells.text("qty_cap_unit", max_len=3)
    if (qty_cap is None) != (qty_cap_unit is None) and not cells.problems:
        cells.add(
            "REF-QTY-CAP",
            "qty_cap_unit",
            "qty_cap and qty_cap_unit go together",
            "Give both (e.g. 2 and 035 for 2 千克 per person per year) or neither.",
        )
    if qty_cap_unit is not None and known_units is not None and qty_cap_unit not in known_units:
        cells.add(
            "REF-UNIT",
            "qty_cap_unit",
            f"未知计量单位 / unknown unit code {qty_cap_unit!r}",
            "Use a 3-digit 计量单位代码 such as 035 (千克); see `cbec reference show unit`.",
        )
    named_goods = cells.text("named_goods", max_len=2000)
    source_doc = cells.text("source_doc", required=True, max_len=2000)
    valid_from, valid_to = cells.span()
    if cells.problems or not (hs8 and description and source_doc and valid_from):
        return None
    return PositiveListRow(
        hs8, description, remark, bonded_only, qty_cap, qty_cap_unit, named_goods, source_doc, valid_from, valid_to
    )


def _tariff_row(cells: _Cells) -> TariffRow | None:
    prefix = cells.digits("hs_prefix", (8, 10))
    duty = cells.number("duty_rate", required=True, low=Decimal(0), below=Decimal(10))
    vat = cells.number("vat_rate", required=True, low=Decimal(0), below=Decimal(1))
    kind_text = cells.text("ct_kind", required=True)
    kind = None
    if kind_text is not None:
        try:
            kind = CtKind(kind_text)
        except ValueError:
            cells.add("REF-CT-KIND", "ct_kind", f"unknown ct_kind {kind_text!r}", "Write none or ad_valorem.")
    ct_rate = cells.number("ct_rate", low=Decimal(0), below=Decimal(1)) or Decimal(0)
    threshold = cells.number("ct_threshold", low=Decimal(0))
    piece = cells.number("ct_threshold_piece", low=Decimal(0))
    basis = cells.text("ct_threshold_basis", max_len=20)
    if basis is not None and basis not in set(ThresholdBasis):
        cells.add("REF-CT-BASIS", "ct_threshold_basis", f"unknown basis {basis!r}", "Write per_ml_or_g or per_piece.")
    if kind is CtKind.NONE and (ct_rate or threshold is not None or piece is not None):
        cells.add("REF-CT-NONE", "ct_kind", "ct_kind none takes no rate or threshold", "Clear the rate and thresholds.")
    if kind is CtKind.AD_VALOREM and not ct_rate:
        cells.add("REF-CT-RATE", "ct_rate", "ad_valorem needs a ct_rate above 0", "Give the rate, e.g. 0.15.")
    if (threshold is not None or piece is not None) and basis is None:
        cells.add(
            "REF-CT-BASIS", "ct_threshold_basis", "a threshold needs its basis", "Write per_ml_or_g or per_piece."
        )
    note = cells.text("note", max_len=2000)
    source = cells.text("source", required=True, max_len=2000)
    valid_from, valid_to = cells.span()
    if cells.problems or not (prefix and duty is not None and vat is not None and kind and source and valid_from):
        return None
    return TariffRow(prefix, duty, vat, kind, ct_rate, threshold, piece, basis, note, source, valid_from, valid_to)


def _tax_parameter_row(cells: _Cells) -> TaxParameterRow | None:
    name = cells.text("name", required=True, max_len=50)
    if name is not None and name not in TAX_PARAMETER_NAMES:
        names = ", ".join(TAX_PARAMETER_NAMES)
        cells.add("REF-PARAMETER", "name", f"unknown tax parameter {name!r}", f"Use one of: {names}.")
    value = cells.number("value", required=True, low=Decimal(0))
    if value is not None and name in ("return_apply_days", "return_arrive_days") and value != value.to_integral():
        cells.add("REF-DAYS", "value", f"{name} must be a whole number of days", "Write e.g. 30.")
    source = cells.text("source", required=True, max_len=2000)
    valid_from, valid_to = cells.span()
    if cells.problems or not (name and value is not None and source and valid_from):
        return None
    return TaxParameterRow(name, value, valid_from, valid_to, source)


def parse_records(
    kind: ReferenceKind,
    header: Sequence[str],
    records: Iterable[tuple[int, Mapping[str, str]]],
    *,
    defaults: Mapping[str, str] | None = None,
    known_units: frozenset[str] | None = None,
) -> tuple[list[ReferenceRow], list[Problem]]:
    """Validate every record of a file; return the rows and every problem found (rows are unusable if any)."""
    defaults = defaults or {}
    required, optional = COLUMNS[kind]
    problems: list[Problem] = []
    missing = sorted(required - set(header) - set(defaults))
    if missing:
        problems.append(
            Problem("REF-COLUMNS", "row[1]", f"缺少列 / missing columns: {', '.join(missing)}", _columns_hint(kind))
        )
    unknown = sorted(set(header) - required - optional)
    if unknown:
        problems.append(
            Problem("REF-COLUMNS", "row[1]", f"未知列 / unknown columns: {', '.join(unknown)}", _columns_hint(kind))
        )
    if problems:
        return [], problems
    rows: list[ReferenceRow] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row_no, record in records:
        cells = _Cells(row_no, record, defaults)
        row: ReferenceRow | None
        if kind is ReferenceKind.CODES:
            row = _code_row(cells)
        elif kind is ReferenceKind.POSITIVE_LIST:
            row = _positive_list_row(cells, known_units)
        elif kind is ReferenceKind.TARIFF:
            row = _tariff_row(cells)
        else:
            row = _tax_parameter_row(cells)
        problems.extend(cells.problems)
        if row is None:
            continue
        key = (*row.key(), row.valid_from)
        if key in seen:
            problems.append(
                Problem(
                    "REF-DUPLICATE",
                    cells.field("valid_from"),
                    f"重复行 / the same key and valid_from as row {seen[key]}",
                    "Keep one row per code and valid_from; a change in law is a new row with a later valid_from.",
                )
            )
            continue
        seen[key] = row_no
        rows.append(row)
    return rows, problems


def _columns_hint(kind: ReferenceKind) -> str:
    required, optional = COLUMNS[kind]
    return f"Columns of a {kind} file: {', '.join(sorted(required))} (required); {', '.join(sorted(optional))}."
