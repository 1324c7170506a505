"""Export tax ledger files (出口税收台账文件): CSV (UTF-8 with BOM, for Excel) and a minimal XLSX writer.

The XLSX is written with the standard library (zip + SpreadsheetML, inline strings): three sheets — lines,
returns, totals — so no spreadsheet dependency is needed (docs/exports.md explains the choice).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from cbec.exports.service.tax import TaxLedger

LINE_COLUMNS = (
    "inventory_no",
    "line_no",
    "export_date",
    "trade_mode",
    "statistics_flag",
    "hs_code",
    "goods_name",
    "quantity",
    "currency",
    "value",
    "rate_date",
    "cny_per_unit",
    "value_cny",
    "regime",
    "invoice_nos",
    "invoice_amount",
    "vat_rate",
    "rebate_rate",
    "refund",
    "non_refundable",
    "conditions",
    "note",
)
RETURN_COLUMNS = (
    "return_id",
    "inventory_no",
    "line_no",
    "applied_on",
    "exported_on",
    "hs_code",
    "quantity",
    "value_cny",
    "regime",
    "relief",
    "conditions",
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def ledger_tables(ledger: TaxLedger) -> dict[str, list[list[Any]]]:
    """Return the ledger as named tables of rows (first row = header)."""
    lines = [list(LINE_COLUMNS)] + [[_cell(asdict(x)[c]) for c in LINE_COLUMNS] for x in ledger.lines]
    returns = [list(RETURN_COLUMNS)] + [[_cell(asdict(x)[c]) for c in RETURN_COLUMNS] for x in ledger.returns]
    totals: list[list[Any]] = [
        ["item", "value"],
        ["enterprise", f"{ledger.ecommerce_code} {ledger.ecommerce_name}"],
        ["period", f"{ledger.start.isoformat()}..{ledger.end.isoformat()}"],
        ["inventories", ledger.inventories],
        *[[f"revenue_cny[{regime}]", _cell(value)] for regime, value in ledger.revenue_by_regime.items()],
        ["refund_total", _cell(ledger.refund_total)],
        ["non_refundable_total", _cell(ledger.non_refundable_total)],
        *[[f"inventory_value[{c}]", _cell(v)] for c, v in sorted(ledger.inventory_value_by_currency.items())],
        *[[f"line_value[{c}]", _cell(v)] for c, v in sorted(ledger.line_value_by_currency.items())],
        ["reconciles", "yes" if ledger.reconciles else "NO"],
        ["fx_received_usd_year_to_date", _cell(ledger.fx_received_usd)],
        ["fx_must_register", "yes" if ledger.fx_must_register else "no"],
    ]
    if ledger.cit is not None:
        totals += [
            ["cit_revenue", _cell(ledger.cit.revenue)],
            ["cit_taxable_income", _cell(ledger.cit.taxable_income)],
            ["cit_small_low_profit", "yes" if ledger.cit.small_low_profit else "no"],
            ["cit_tax", _cell(ledger.cit.tax)],
        ]
    totals += [[f"problem[{p.field}]", p.message] for p in ledger.problems]
    return {"lines": lines, "returns": returns, "totals": totals}


def ledger_csv(ledger: TaxLedger, table: str = "lines") -> bytes:
    """Return one table of the ledger as CSV in UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(ledger_tables(ledger)[table])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def ledger_xlsx(ledger: TaxLedger) -> bytes:
    """Return the ledger as an XLSX workbook with the sheets lines, returns and totals."""
    return write_xlsx(ledger_tables(ledger))


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet(rows: Sequence[Sequence[Any]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
    out.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
                )
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """Write named sheets of rows as a minimal, valid XLSX workbook."""
    names = list(sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheet_entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for i, name in enumerate(names, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(sheets[name]))
    return buffer.getvalue()
