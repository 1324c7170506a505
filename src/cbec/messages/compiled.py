"""Compiled value checks (字段取值编译校验): one function per field, made once from its facets.

``Checker.check_value`` interprets a field's spec for every value and builds a Problem for every fault. A
reader made by ``value_reader`` decides the same thing — facets, time format, declaration code list, parameter
code table — with the branches chosen once, and returns the value converted as the documents hold it (a
Decimal parsed once, an aware datetime, an enum) or ``UNUSUAL`` where the checker would report anything.
Nothing is worded here: on ``UNUSUAL`` the caller runs the checker, which says what is wrong exactly as before.
Tests compare both on every field of both editions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from cbec.common.clock import SHANGHAI
from cbec.messages.checks import (
    CODE_TABLE_FIELDS,
    DATE_FIELDS,
    INT_MAX,
    INT_MIN,
    TIME_FORMATS,
    TIME_LABELS,
    int_value,
    strict_time,
)
from cbec.messages.documents import AppStatus, AppType
from cbec.messages.fieldspec import FieldSpec

if TYPE_CHECKING:
    from cbec.messages.codec import CodeTables


class Unusual:
    """The type of ``UNUSUAL``: a value the format checker would report."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNUSUAL"


UNUSUAL: Final = Unusual()

ValueReader = Callable[[str, "CodeTables | None"], Any]

# The checker's lexical decimal and integer, with the significant digits captured: group 1 holds the integer
# digits without leading zeros, group 2 the fraction digits without trailing zeros (as checks._digits counts).
_DECIMAL = re.compile(r"[+-]?(?=\.?\d)0*(\d*)(?:\.(\d*?)0*)?")
_INTEGER = re.compile(r"[+-]?(?=\d)0*(\d*)")
_DIGITS = re.compile(r"\d+")
_UNLIMITED = 1 << 62

# How a checked text becomes a document value (the order of codec._convert).
_TEXT, _APP_TYPE, _APP_STATUS, _DECIMAL_VALUE, _INT_VALUE, _TIME, _DATE = range(7)


def _conversion(spec: FieldSpec, english: str | None) -> int:
    if english == "declaration.app_type":
        return _APP_TYPE
    if english == "declaration.app_status":
        return _APP_STATUS
    if spec.kind == "decimal":
        return _DECIMAL_VALUE
    if spec.kind == "int":
        return _INT_VALUE
    if spec.name in TIME_FORMATS:
        return _DATE if spec.name in DATE_FIELDS else _TIME
    return _TEXT


def _convert(text: str, conversion: int, pattern: str | None) -> Any:
    """Convert checked text as codec._convert does."""
    if conversion == _APP_TYPE:
        return AppType(text)
    if conversion == _APP_STATUS:
        return AppStatus(text)
    if conversion == _DECIMAL_VALUE:
        return Decimal(" ".join(text.split()))
    if conversion == _INT_VALUE:
        return int_value(text)
    if pattern is not None and conversion in (_TIME, _DATE):
        moment = strict_time(text, pattern)
        return moment.date() if conversion == _DATE else moment.replace(tzinfo=SHANGHAI)
    return text


def _empty_value(spec: FieldSpec, conversion: int) -> Any:
    """Return what an empty element of a field reads as (codec.group_values), or UNUSUAL where the checker reports."""
    if spec.fixed is not None:
        text = spec.fixed  # the XSD supplies the fixed value for an empty element
    elif spec.required:
        if not (spec.kind == "string" and spec.min_length == 0):
            return UNUSUAL
        text = ""
    elif spec.allows_empty:
        return None
    else:
        return UNUSUAL
    if text == "" and not (spec.required and spec.min_length == 0):
        return None
    try:
        return _convert(text, conversion, TIME_FORMATS.get(spec.name))
    except ValueError:
        return UNUSUAL  # the element tree path converts it (and fails) exactly as before


def _bounds(spec: FieldSpec) -> tuple[int, int]:
    """Return the (lowest, highest) length the string facets allow together."""
    low = max((n for n in (spec.length, spec.min_length) if n is not None), default=0)
    high = min((n for n in (spec.length, spec.max_length) if n is not None), default=_UNLIMITED)
    return low, high


def value_reader(spec: FieldSpec, allowed: tuple[str, ...] | None = None, english: str | None = None) -> ValueReader:
    """Return the compiled check of one field: the converted value, or UNUSUAL where Checker.check_value reports.

    ``allowed`` is the field's closed code list (the checker's ``enumerations``), ``english`` the document
    attribute it lands in (declaration.app_type/app_status become enums, as the codec converts them).
    """
    plain = plain_facets(spec, allowed, english)
    if plain is not None:
        return _plain_reader(*plain)
    conversion = _conversion(spec, english)
    empty = _empty_value(spec, conversion)
    table = CODE_TABLE_FIELDS.get(spec.name)
    simple = spec.fixed is None and spec.name not in TIME_FORMATS and allowed is None and table is None
    if spec.kind == "decimal" and simple and conversion == _DECIMAL_VALUE:
        return _decimal_reader(spec, empty)
    if spec.kind == "int" and simple and conversion == _INT_VALUE:
        return _int_reader(spec, empty)
    if spec.kind == "string" and spec.white_space in (None, "preserve") and spec.name not in TIME_FORMATS:
        coded = _coded_reader(spec, allowed, table, conversion, empty)
        if coded is not None:
            return coded
    full = _full_reader(spec, allowed, table, conversion, empty)
    timed = spec.name in TIME_FORMATS and spec.fixed is None and allowed is None and table is None
    if timed and spec.kind == "string" and spec.white_space in (None, "preserve") and conversion in (_TIME, _DATE):
        return _time_reader(spec, conversion, full)
    return full


def _time_reader(spec: FieldSpec, conversion: int, full: ValueReader) -> ValueReader:
    """A date/time field: the usual all-digit spelling read directly, anything else by the full check."""
    pattern = TIME_FORMATS[spec.name]
    width = len(TIME_LABELS[pattern])
    low, high = _bounds(spec)
    if not low <= width <= high:
        return full
    millis = width == 17
    if conversion == _DATE:

        def read_date(raw: str, tables: CodeTables | None) -> Any:
            if len(raw) == width and raw.isdigit() and raw.isascii():
                try:
                    return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
                except ValueError:
                    pass  # strict_time may still find another reading of the digits, as the checker does
            return full(raw, tables)

        return read_date if width == 8 else full

    def read(raw: str, tables: CodeTables | None) -> Any:
        if len(raw) == width and raw.isdigit() and raw.isascii():
            try:
                return datetime(
                    int(raw[:4]),
                    int(raw[4:6]),
                    int(raw[6:8]),
                    int(raw[8:10]),
                    int(raw[10:12]),
                    int(raw[12:14]),
                    int(raw[14:17]) * 1000 if millis else 0,
                    tzinfo=SHANGHAI,
                )
            except ValueError:
                pass  # strict_time may still find another reading of the digits, as the checker does
        return full(raw, tables)

    return read if width in (14, 17) else full


def _decimal_reader(spec: FieldSpec, empty: Any) -> ValueReader:
    """A decimal field with digit facets only: the lexical form, the digits, one Decimal."""
    fraction = _UNLIMITED if spec.fraction_digits is None else spec.fraction_digits
    total = _UNLIMITED if spec.total_digits is None else spec.total_digits

    def read(raw: str, tables: CodeTables | None) -> Any:
        match = _DECIMAL.fullmatch(raw)  # no whitespace in the match: raw is already collapsed
        if match is None:
            text = " ".join(raw.split())
            if text == "":
                return empty
            match = _DECIMAL.fullmatch(text)
            if match is None:
                return UNUSUAL
            raw = text
        whole, part = match.group(1, 2)
        digits = len(part) if part else 0
        if digits > fraction or len(whole) + digits > total:
            return UNUSUAL
        return Decimal(raw)

    return read


def _int_reader(spec: FieldSpec, empty: Any) -> ValueReader:
    """An int field with a digit facet only."""
    total = _UNLIMITED if spec.total_digits is None else spec.total_digits

    def read(raw: str, tables: CodeTables | None) -> Any:
        match = _INTEGER.fullmatch(raw)
        if match is None:
            text = " ".join(raw.split())
            if text == "":
                return empty
            match = _INTEGER.fullmatch(text)
            if match is None:
                return UNUSUAL
            raw = text
        value = int_value(raw)
        if not INT_MIN <= value <= INT_MAX or len(match.group(1)) > total:
            return UNUSUAL
        return value

    return read


def _coded_reader(
    spec: FieldSpec, allowed: tuple[str, ...] | None, table: str | None, conversion: int, empty: Any
) -> ValueReader | None:
    """A string kept as written, with a fixed value, a code list or a code table (None: not such a field)."""
    if conversion not in (_TEXT, _APP_TYPE, _APP_STATUS):
        return None
    if conversion != _TEXT:
        if allowed is None:
            return None
        try:  # the enum of each allowed code, made once
            enums = {code: _convert(code, conversion, None) for code in allowed}
        except ValueError:
            return None
    else:
        enums = None
    low, high = _bounds(spec)
    fixed = spec.fixed
    choices = frozenset(allowed) if allowed is not None else None

    def read(raw: str, tables: CodeTables | None) -> Any:
        if raw == "":
            return empty
        if not low <= len(raw) <= high or (fixed is not None and raw != fixed):
            return UNUSUAL
        if choices is not None and raw not in choices:
            return UNUSUAL
        if table is not None and tables is not None and not tables.contains(table, raw):
            return UNUSUAL
        return raw if enums is None else enums[raw]

    return read


def plain_facets(
    spec: FieldSpec, allowed: tuple[str, ...] | None = None, english: str | None = None
) -> tuple[int, int, Any] | None:
    """Return (shortest, longest, empty value) of a free-text field checked by its length alone, else None.

    Most CEB fields are such strings (names, numbers, notes): the message reader checks them inline.
    """
    conversion = _conversion(spec, english)
    if (
        spec.kind != "string"
        or spec.white_space not in (None, "preserve")
        or spec.fixed is not None
        or spec.name in TIME_FORMATS
        or allowed is not None
        or spec.name in CODE_TABLE_FIELDS
        or conversion != _TEXT
    ):
        return None
    low, high = _bounds(spec)
    return low, high, _empty_value(spec, conversion)


def _plain_reader(low: int, high: int, empty: Any) -> ValueReader:
    """A free-text field: only its length facets (the common case, kept to a few operations)."""

    def read(raw: str, tables: CodeTables | None) -> Any:
        if raw == "":
            return empty
        return raw if low <= len(raw) <= high else UNUSUAL

    return read


def _full_reader(
    spec: FieldSpec, allowed: tuple[str, ...] | None, table: str | None, conversion: int, empty: Any
) -> ValueReader:
    kind = spec.kind
    collapse = kind != "string" or spec.white_space == "collapse"
    replace = not collapse and spec.white_space == "replace"
    low, high = _bounds(spec)
    total, fraction = spec.total_digits, spec.fraction_digits
    fixed = spec.fixed
    pattern = TIME_FORMATS.get(spec.name)
    width = len(TIME_LABELS[pattern]) if pattern is not None else 0
    choices = frozenset(allowed) if allowed is not None else None

    def read(raw: str, tables: CodeTables | None) -> Any:
        if collapse:
            text = " ".join(raw.split())
        elif replace:
            text = raw.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        else:
            text = raw
        if text == "":
            return empty
        if kind == "decimal":
            match = _DECIMAL.fullmatch(text)
            if match is None:
                return UNUSUAL
            if fraction is not None and len(match.group(2) or "") > fraction:
                return UNUSUAL
            if total is not None and len(match.group(1)) + len(match.group(2) or "") > total:
                return UNUSUAL
        elif kind == "int":
            match = _INTEGER.fullmatch(text)
            if match is None or not INT_MIN <= int_value(text) <= INT_MAX:
                return UNUSUAL
            if total is not None and len(match.group(1)) > total:
                return UNUSUAL
        elif not low <= len(text) <= high:
            return UNUSUAL
        if fixed is not None and text != fixed:
            return UNUSUAL
        moment = None
        if pattern is not None:
            if len(text) != width or _DIGITS.fullmatch(text) is None:
                return UNUSUAL
            try:
                moment = strict_time(text, pattern)
            except ValueError:
                return UNUSUAL
        if choices is not None and text not in choices:
            return UNUSUAL
        if table is not None and tables is not None and not tables.contains(table, text):
            return UNUSUAL
        if conversion == _TEXT:
            return text
        if conversion == _DECIMAL_VALUE:
            return Decimal(text)
        if moment is not None and conversion in (_TIME, _DATE):
            return moment.date() if conversion == _DATE else moment.replace(tzinfo=SHANGHAI)
        return _convert(text, conversion, pattern)

    return read
