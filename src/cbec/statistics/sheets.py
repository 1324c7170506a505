"""Figures as files (数据导出): CSV in UTF-8 with a BOM (Excel opens it as Chinese text) and XLSX (XlsxWriter).

Rows are dicts of one shape; values are written as text in CSV and, in XLSX, as numbers where they are decimal
figures (so Excel can add them up), with the header in bold and the columns sized to their content.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Codes that look like numbers but are names (a mode, a country or chapter code, an enterprise code): kept as text.
TEXT_COLUMNS = frozenset({"tenant", "code", "period", "mode", "country", "chapter", "platform", "enterprise", "day"})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    """Return a CSV cell; text that a spreadsheet would run as a formula (=, +, -, @) gets a leading quote."""
    text = _text(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and _number(text) is None:
        return "'" + text
    return text


def to_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Return the rows as CSV (UTF-8 with a BOM, CRLF line ends); just the BOM when there are none.

    Negative numbers stay numbers; other text starting like a formula is quoted (CSV injection).
    """
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return None
        return float(number) if number.is_finite() and value.strip() == value and value[:1] != "+" else None
    return None


def to_xlsx(rows: Sequence[Mapping[str, Any]], *, sheet: str = "figures", title: str | None = None) -> bytes:
    """Return the rows as an XLSX workbook of one sheet: an optional title line, a bold header, then the rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": title or sheet, "comments": "cbec statistics (统计监测)"})
    page = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", "_", sheet)[:31])  # characters Excel refuses in a sheet name
    bold = book.add_format({"bold": True})
    first = 0
    if title:
        page.write_string(0, 0, title, bold)
        first = 1
    columns = list(rows[0]) if rows else []
    widths = [len(name) for name in columns]
    for col, name in enumerate(columns):
        page.write_string(first, col, name, bold)
    for r, row in enumerate(rows, start=first + 1):
        for col, name in enumerate(columns):
            value = row.get(name)
            number = None if name in TEXT_COLUMNS else _number(value)
            if number is not None:
                page.write_number(r, col, number)
            else:
                page.write_string(r, col, _text(value))
            widths[col] = max(widths[col], len(_text(value)))
    for col, width in enumerate(widths):
        page.set_column(col, col, min(width + 2, 60))
    if rows:
        page.freeze_panes(first + 1, 0)
    book.close()
    return buffer.getvalue()
