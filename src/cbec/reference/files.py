"""Reading of tabular input files (CSV or JSON) shared by the loaders and importers (数据文件).

A record is (row number, column -> text). CSV rows are numbered like lines, the header being row 1;
JSON items are numbered from 1. JSON lists are joined with semicolons, null becomes empty text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cbec.common.errors import InvalidInput, Problem

Record = tuple[int, Mapping[str, str]]


class InputFileInvalid(InvalidInput):
    """The file cannot be read as CSV or JSON records."""


def read_csv_text(text: str) -> tuple[list[str], list[Record]]:
    """Return the header and records of CSV text (UTF-8, header row, optional BOM)."""
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    records: list[Record] = [
        (index, {k: (v or "") for k, v in record.items() if k is not None}) for index, record in enumerate(reader, 2)
    ]
    return header, records


def read_records(path: Path, *, list_key: str | None = None) -> tuple[list[str], list[Record]]:
    """Read a CSV file, or a JSON file holding a list of objects (or {list_key: [...]}) by its extension."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileInvalid(
            f"cannot read {path}",
            problems=[Problem("FILE-READ", "file", f"cannot read {path}: {exc}", "Give a UTF-8 CSV or JSON file.")],
        ) from exc
    if path.suffix.lower() != ".json":
        return read_csv_text(text)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileInvalid(
            f"{path.name} is not JSON",
            problems=[Problem("FILE-JSON", "file", f"not JSON: {exc}", "Give a JSON list of objects.")],
        ) from exc
    if isinstance(data, dict) and list_key is not None and list_key in data:
        data = data[list_key]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        hint = "Give a JSON list of objects" + (f" or {{{list_key!r}: [...]}}." if list_key else ".")
        raise InputFileInvalid(
            f"{path.name} is not a JSON list of objects",
            problems=[Problem("FILE-JSON", "file", "not a list of objects", hint)],
        )
    header = sorted({key for item in data for key in item})
    records: list[Record] = [(index, {k: _text(v) for k, v in item.items()}) for index, item in enumerate(data, 1)]
    return header, records


def by_row(problems: list[Problem]) -> list[Problem]:
    """Return problems ordered by the row their field names (``row[N].column``), file-level ones first."""

    def row_of(problem: Problem) -> int:
        """Return the row number a problem names, 0 for file-level problems."""
        field = problem.field
        if field.startswith("row[") and "]" in field:
            number = field[4 : field.index("]")]
            if number.isdigit():
                return int(number)
        return 0

    return sorted(problems, key=row_of)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_text(item) for item in value)
    return str(value)
