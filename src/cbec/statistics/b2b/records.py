"""Reading general-trade (0110) export declarations from CSV or JSON, row by row (pure).

CSV is UTF-8 with or without a BOM, one header row; JSON is an array of objects or JSON lines (one object a line).
Each row is validated on its own: a good row becomes a ``DeclarationRow``, a bad one a list of problems with
stable rule ids (``B2B-ROW-…``), the field, a bilingual message and a hint. Currencies and countries are given as
customs codes (502, 304) or ISO aliases (USD, DEU) and stored as customs codes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cbec.common.errors import Problem
from cbec.statistics.b2b.rules import B2B_MODES, GENERAL_TRADE, Declaration, sha256_json

FILE_FIELDS = (
    "declaration_no",
    "declared_on",
    "trade_mode",
    "exporter_code",
    "consignee_name",
    "consignee_country",
    "trade_terms",
    "currency",
    "amount",
    "hs_codes",
    "platform_code",
    "order_no",
    "waybill_no",
    "carrier",
    "departed_on",
    "destination_country",
    "payment_channel",
    "received_amount",
    "received_currency",
    "received_on",
)
REQUIRED = (
    "declaration_no",
    "declared_on",
    "exporter_code",
    "consignee_name",
    "consignee_country",
    "currency",
    "amount",
    "hs_codes",
)
# Incoterms 2020 (and 2010's DAT, DDU still seen on declarations).
TRADE_TERMS = frozenset({"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT", "DDU"})
_DECLARATION_NO = re.compile(r"^[0-9A-Z]{18}$")
_EXPORTER = re.compile(r"^(?:[0-9A-Z]{10}|[0-9A-HJ-NPQRTUWXY]{18})$")
_HS = re.compile(r"^[0-9]{8,10}$")


def row_problem(rule_id: str, row: int, name: str, zh: str, en: str, hint: str) -> Problem:
    """A problem of one row: ``row[N].field`` with a bilingual message."""
    return Problem(rule_id, f"row[{row}].{name}", f"{zh} / {en}", hint)


@dataclass(frozen=True, slots=True)
class DeclarationRow:
    """A valid row: the columns stored, and the digest of its content (re-imports compare it)."""

    declaration: Declaration
    exporter_code: str
    trade_terms: str
    hs_codes: tuple[str, ...]
    carrier: str | None
    content_sha256: str


@dataclass(slots=True)
class ParsedFile:
    """Good rows and the problems of the bad ones (by row number: CSV counts the header as row 1)."""

    rows: list[tuple[int, DeclarationRow]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bad_rows: int = 0


def read_rows(text: str, *, json_format: bool) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Split a file into numbered raw rows; a file that cannot be read at all is one ``B2B-FILE`` problem."""
    text = text.lstrip("\ufeff")
    if not json_format:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            return [], [Problem("B2B-FILE", "file", "空文件 / the file is empty", "Give a header row and data rows.")]
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
        return [(n, {k: v for k, v in r.items() if k is not None}) for n, r in enumerate(reader, 2)], []
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            data = json.loads(stripped)
            items = list(enumerate(data, 1))
        else:
            items = [(n, json.loads(line)) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    except json.JSONDecodeError as exc:
        hint = "Give a JSON array of objects or one JSON object a line."
        return [], [
            Problem("B2B-FILE", "file", f"不是有效的JSON / not valid JSON: {exc.msg} (line {exc.lineno})", hint)
        ]
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for n, item in items:
        if isinstance(item, dict):
            rows.append((n, item))
        else:
            problems.append(row_problem("B2B-ROW-FIELD", n, "*", "行须为对象", "a row must be an object", "Use {...}."))
    return rows, problems


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


def _day(text: str) -> date | None:
    """Parse YYYY-MM-DD or YYYYMMDD; None when neither."""
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_row(
    n: int,
    raw: Mapping[str, Any],
    *,
    tenant: str,
    today: date,
    currencies: Mapping[str, str],
    countries: Mapping[str, str],
) -> tuple[DeclarationRow | None, list[Problem]]:
    """Validate one row; return the row or every problem found in it."""
    out: list[Problem] = []
    t = {name: _text(raw, name) for name in FILE_FIELDS}
    for name in REQUIRED:
        if not t[name]:
            out.append(row_problem("B2B-ROW-FIELD", n, name, "必填项为空", "required field is empty", f"Fill {name}."))
    given_tenant = _text(raw, "tenant")
    if given_tenant and given_tenant != tenant:
        out.append(
            row_problem(
                "B2B-ROW-TENANT",
                n,
                "tenant",
                "行的租户与导入租户不同",
                f"the row names tenant {given_tenant}, the import is for {tenant}",
                "Import each tenant's rows under its own tenant (the tenant is never a row's choice).",
            )
        )
    number = t["declaration_no"].upper()
    if number and not _DECLARATION_NO.match(number):
        out.append(
            row_problem(
                "B2B-ROW-NUMBER",
                n,
                "declaration_no",
                "报关单号须为18位",
                "a declaration number has 18 digits or capital letters",
                "Copy the 18-character 报关单号.",
            )
        )
    mode = t["trade_mode"] or GENERAL_TRADE
    if mode != GENERAL_TRADE and mode not in B2B_MODES:
        out.append(
            row_problem(
                "B2B-ROW-MODE",
                n,
                "trade_mode",
                "只导入0110、9710、9810出口报关单",
                f"only 0110, 9710 and 9810 export declarations are imported, not {mode}",
                "Leave trade_mode empty for general trade (0110).",
            )
        )
    exporter = t["exporter_code"].upper()
    if exporter and not _EXPORTER.match(exporter):
        out.append(
            row_problem(
                "B2B-ROW-CODE",
                n,
                "exporter_code",
                "出口企业代码无效",
                "not a customs code (10) or unified social credit code (18)",
                "Give the exporter's 海关编码 or 统一社会信用代码.",
            )
        )
    days: dict[str, date | None] = {}
    for name in ("declared_on", "departed_on", "received_on"):
        days[name] = _day(t[name]) if t[name] else None
        if t[name] and days[name] is None:
            out.append(row_problem("B2B-ROW-DATE", n, name, "日期格式无效", "not a date", "Write YYYY-MM-DD."))
    declared_on = days["declared_on"]
    if declared_on is not None and declared_on > today:
        out.append(
            row_problem(
                "B2B-ROW-DATE",
                n,
                "declared_on",
                "申报日期晚于今天",
                "declared after today",
                "Check the declaration date (Asia/Shanghai).",
            )
        )
    codes: dict[str, str | None] = {}
    for name, table, rule in (
        ("currency", currencies, "B2B-ROW-CURRENCY"),
        ("received_currency", currencies, "B2B-ROW-CURRENCY"),
        ("consignee_country", countries, "B2B-ROW-COUNTRY"),
        ("destination_country", countries, "B2B-ROW-COUNTRY"),
    ):
        codes[name] = table.get(t[name].upper()) if t[name] else None
        if t[name] and codes[name] is None:
            what = "币制" if rule == "B2B-ROW-CURRENCY" else "国别"
            out.append(
                row_problem(
                    rule,
                    n,
                    name,
                    f"{what}代码未知",
                    f"unknown code {t[name]!r}",
                    "Give the customs code (502, 304) or the ISO code (USD, DEU); load the reference "
                    "data first (cbec reference seed).",
                )
            )
    amounts: dict[str, Decimal | None] = {}
    for name in ("amount", "received_amount"):
        amounts[name] = None
        if t[name]:
            try:
                amounts[name] = Decimal(t[name])
            except InvalidOperation:
                amounts[name] = Decimal(-1)
            value = amounts[name]
            if value is None or not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
                out.append(
                    row_problem(
                        "B2B-ROW-AMOUNT",
                        n,
                        name,
                        "金额须为正数且最多两位小数",
                        "an amount is a positive number with at most 2 decimals",
                        "E.g. 12500.00.",
                    )
                )
    if t["received_amount"] and not t["received_currency"]:
        out.append(
            row_problem(
                "B2B-ROW-FIELD",
                n,
                "received_currency",
                "收款金额缺少币制",
                "a received amount needs its currency",
                "Fill received_currency.",
            )
        )
    terms = t["trade_terms"].upper()
    if terms and terms not in TRADE_TERMS:
        out.append(
            row_problem(
                "B2B-ROW-TERMS",
                n,
                "trade_terms",
                "成交方式无效",
                f"unknown trade terms {terms!r}",
                "Use an Incoterm: FOB, CIF, CFR, EXW, FCA, DAP, DDP …",
            )
        )
    hs_codes = tuple(c.strip() for c in re.split(r"[;|,\s]+", t["hs_codes"]) if c.strip())
    if any(not _HS.match(c) for c in hs_codes):
        out.append(
            row_problem(
                "B2B-ROW-HS",
                n,
                "hs_codes",
                "商品编码须为8到10位数字",
                "HS codes have 8 to 10 digits",
                "Separate several codes with ';'.",
            )
        )
    if t["order_no"] and not t["platform_code"]:
        out.append(
            row_problem(
                "B2B-ROW-ORDER",
                n,
                "platform_code",
                "引用订单须注明平台",
                "a cited order needs its platform's code",
                "Fill platform_code (the platform's customs code).",
            )
        )
    if out or declared_on is None:
        return None, out
    decl = Declaration(
        declaration_no=number,
        tenant=tenant,
        declared_on=declared_on,
        consignee_name=t["consignee_name"],
        consignee_country=codes["consignee_country"] or "",
        currency=codes["currency"] or "",
        amount=amounts["amount"] or Decimal(0),
        platform_code=t["platform_code"].upper() or None,
        order_no=t["order_no"] or None,
        waybill_no=t["waybill_no"] or None,
        departed_on=days["departed_on"],
        destination_country=codes["destination_country"],
        payment_channel=t["payment_channel"].upper() or None,
        received_amount=amounts["received_amount"],
        received_currency=codes["received_currency"],
        received_on=days["received_on"],
        trade_mode=mode,
    )
    carrier = t["carrier"] or None
    content = [*decl.canonical(), exporter, terms, list(hs_codes), carrier]
    return DeclarationRow(decl, exporter, terms, hs_codes, carrier, sha256_json(content)), []


def parse_file(
    text: str,
    *,
    json_format: bool,
    tenant: str,
    today: date,
    currencies: Mapping[str, str],
    countries: Mapping[str, str],
) -> ParsedFile:
    """Validate every row of a file: good rows kept, bad ones reported, a number twice in the file refused."""
    raw_rows, problems = read_rows(text, json_format=json_format)
    parsed = ParsedFile(problems=problems, bad_rows=len(problems))
    seen: dict[str, int] = {}
    for n, raw in raw_rows:
        row, found = parse_row(n, raw, tenant=tenant, today=today, currencies=currencies, countries=countries)
        if row is not None and row.declaration.declaration_no in seen:
            first = seen[row.declaration.declaration_no]
            found = [
                row_problem(
                    "B2B-ROW-DUPLICATE",
                    n,
                    "declaration_no",
                    f"报关单号与第{first}行重复",
                    f"the declaration number repeats row {first}",
                    "Keep one row per declaration.",
                )
            ]
            row = None
        if row is None:
            parsed.problems.extend(found)
            parsed.bad_rows += 1
            continue
        seen[row.declaration.declaration_no] = n
        parsed.rows.append((n, row))
    return parsed
