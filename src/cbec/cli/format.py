"""How the CLI writes values (命令行输出格式): one time zone per table, no Python reprs, no markup from data.

Every timestamp is shown in Asia/Shanghai (the zone's business time) and every table that shows one says so in
its column heading (``TIME_COLUMN``); values that come from data are escaped so that Rich never reads
``revenue_cny[taxable]`` as a markup tag; enums and mappings are written as words, never as ``<Regime…>``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

from rich.console import Console
from rich.markup import escape

from cbec.common.clock import SHANGHAI

TIME_ZONE_LABEL = "Asia/Shanghai"
TIME_COLUMN = f"at ({TIME_ZONE_LABEL})"


def when(moment: datetime | None) -> str:
    """Return a moment as `YYYY-MM-DD HH:MM:SS` in Asia/Shanghai (naive moments are taken as UTC); '' for None."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def text(value: object) -> str:
    """Return a value as plain words for a table cell, escaped for Rich (never a Python repr)."""
    return escape(words(value))


def words(value: object) -> str:
    """Return a value as plain words: enums by value, mappings as `key value, …`, moments in Asia/Shanghai."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date | Decimal | int | str):
        return str(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{words(k)} {words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(words(v) for v in value)
    return str(value)


def console() -> Console:
    """Return a console for this invocation: COLUMNS, when set, is its width even where the terminal is unknown.

    Made per call, not at import: a module-level console keeps the width of whatever imported it first.
    """
    columns = os.environ.get("COLUMNS", "")
    return Console(width=int(columns) if columns.isdigit() else None)
