"""Figures as files: CSV for Excel (BOM, CRLF, no formula injection) and XLSX (numbers as numbers, codes as text)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

from cbec.statistics import to_csv, to_xlsx

ROWS = [
    {"mode": "9610", "tenant": "hub/sanya", "value_cny": Decimal("1200.50"), "yoy": Decimal("-0.6667"),
     "day": date(2026, 3, 2)},
    {"mode": "9710", "tenant": "=HYPERLINK(\"x\")", "value_cny": Decimal("0.00"), "yoy": None, "day": date(2026, 3, 3)},
]  # fmt: skip


def test_csv_has_a_bom_crlf_and_no_formulas() -> None:
    assert to_csv(ROWS).decode("utf-8") == (
        "\ufeffmode,tenant,value_cny,yoy,day\r\n"
        "9610,hub/sanya,1200.50,-0.6667,2026-03-02\r\n"
        '9710,"\'=HYPERLINK(""x"")",0.00,,2026-03-03\r\n'
    )
    assert to_csv([]) == "\ufeff".encode()


def test_xlsx_writes_numbers_as_numbers_and_codes_as_text() -> None:
    book = zipfile.ZipFile(io.BytesIO(to_xlsx(ROWS, sheet="a/b", title="标题")))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert ("<v>1200.5</v>" in sheet, "<v>-0.6667</v>" in sheet, "<v>9610</v>" in sheet) == (True, True, False)
    assert ("9610" in strings, "标题" in strings, "=HYPERLINK" in strings, "<f>" in sheet) == (True, True, True, False)
    assert 'name="a_b"' in book.read("xl/workbook.xml").decode()
