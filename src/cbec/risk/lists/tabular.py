"""External lists as CSV (外部名单 CSV 格式), pure: a spreadsheet's rows turned into the list document
``parse_list`` checks, and what the console shows of the entries.

A CSV file has a header row naming its columns — the entry fields of its kind (``cbec.risk.lists.rules``) and
``valid_from``, ``valid_to`` — and one entry per row. A list field (``aliases``, ``authorised``, ``hs_chapters``,
``keywords``) holds its items separated by ``|``; an empty cell is an absent field (``valid_to`` empty: open). The
provenance, which a JSON document carries inside, is given beside the file. Every problem is reported at once, the
entries' fields named by the file's line (``line 3.hs6``: the header is line 1), and nothing is stored when one is
found (the load is all or nothing, as for JSON).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cbec.common.errors import Problem
from cbec.risk.errors import RiskInvalid, problem
from cbec.risk.lists.rules import ListKind, parse_list

COLUMNS: dict[ListKind, tuple[str, ...]] = {
    ListKind.IPR: ("brand", "aliases", "owner", "authorised", "hs_chapters"),
    ListKind.RECALL: ("hs6", "brand", "product", "reason"),
    ListKind.PROHIBITED: ("hs6", "keywords", "reason"),
    ListKind.WATCH: ("enterprise", "agency", "reason"),
}
DATES = ("valid_from", "valid_to")
LISTS = frozenset({"aliases", "authorised", "hs_chapters", "keywords"})
SEPARATOR = "|"
MAX_ROWS = 20_000
_ENTRY = re.compile(r"^entries\[(\d+)\]")


def _csv_problem(field: str, zh: str, en: str, hint: str) -> Problem:
    return problem("RSK-LIST-CSV", field, zh, en, hint)


def csv_document(text: str, kind: ListKind, provenance: str) -> str:
    """Return the JSON list document a CSV file of a kind gives (raise ``RiskInvalid`` with every problem)."""
    allowed = (*COLUMNS[kind], *DATES)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [c.strip() for c in rows[0]] if rows else []
    problems: list[Problem] = []
    if not header:
        problems.append(_csv_problem("line 1", "缺少表头行", "no header row", "First line: " + ",".join(allowed)))
    unknown = [c for c in header if c not in allowed]
    if unknown:
        problems.append(
            _csv_problem(
                "line 1",
                "未知列 " + ", ".join(unknown),
                "unknown columns " + ", ".join(unknown),
                f"Columns of a {kind.value} list: " + ", ".join(allowed),
            )
        )
    if header and "valid_from" not in header:
        problems.append(_csv_problem("line 1", "缺少 valid_from 列", "no valid_from column", "Add valid_from."))
    if len(set(header)) != len(header):
        problems.append(_csv_problem("line 1", "列名重复", "a column is named twice", "Name each column once."))
    if len(rows) - 1 > MAX_ROWS:
        problems.append(
            _csv_problem("list", "行数过多", f"more than {MAX_ROWS} rows", "Split the list or load it as JSON.")
        )
    entries: list[dict[str, Any]] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(header):
            problems.append(
                _csv_problem(
                    f"line {n}",
                    f"有 {len(row)} 个单元格，表头有 {len(header)} 列",
                    f"{len(row)} cells for {len(header)} columns",
                    "Give one cell per column (quote a cell holding a comma).",
                )
            )
            continue
        entry: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=True):
            value = cell.strip()
            if not value:
                continue
            entry[name] = [v.strip() for v in value.split(SEPARATOR) if v.strip()] if name in LISTS else value
        entry["line"] = n
        entries.append(entry)
    if problems:
        raise RiskInvalid("bad list", problems=problems)
    lines = [entry.pop("line") for entry in entries]
    document = json.dumps({"kind": kind.value, "provenance": provenance, "entries": entries}, ensure_ascii=False)
    try:
        parse_list(document, kind)
    except RiskInvalid as exc:  # name the file's lines, not the document's entries
        raise RiskInvalid("bad list", problems=[_by_line(p, lines) for p in exc.problems]) from exc
    return document


def _by_line(found: Problem, lines: list[int]) -> Problem:
    match = _ENTRY.match(found.field)
    if match is None or int(match.group(1)) >= len(lines):
        return found
    field = f"line {lines[int(match.group(1))]}" + found.field[match.end() :]
    return replace(found, field=field)


def personal_owner(name: str) -> bool:
    """Tell whether an IPR owner's name may be a person's (four characters or fewer: 张三, an individual's
    recordation); the console masks it then."""
    return len(name.strip()) <= 4


def masked_key(key: str) -> str:
    """Show a person's pseudonymous key by its first six characters (as the case pages do)."""
    return key[:6] + "…" if len(key) > 6 else key


def shown_key(data: Mapping[str, Any], key: str) -> str:
    """Return an entry's key as the console shows it: a case's watch entry on a person's key masked
    (``buyer:3f9a1c…``), every other key whole."""
    if "subject" in data and "subject_kind" in data:
        return f"{data['subject_kind']}:{masked_key(str(data['subject']))}"
    return key


def shown(kind: str, data: Mapping[str, Any]) -> dict[str, str]:
    """Return an entry's fields as the console shows them: lists joined, a possibly personal owner masked, a
    person's pseudonymous key by its first six characters."""
    out: dict[str, str] = {}
    for name, value in data.items():
        if value is None or value == []:
            continue
        text = SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else str(value)
        if kind == ListKind.IPR.value and name == "owner" and personal_owner(text):
            text = text[:1] + "*" * max(1, len(text) - 1)
        if name == "subject":
            text = masked_key(text)
        out[name] = text
    return out
