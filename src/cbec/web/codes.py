"""Names beside codes (代码名称): "609 中国香港" / "609 Hong Kong, China" for every code a page shows, and the
options of the pickers (select lists) of forms where a code is entered. The names come from the code tables in
force today (cbec.reference.lookups.code_tables), in the page's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from cbec.common.clock import business_date
from cbec.common.errors import NotFound
from cbec.enterprises.service import get_enterprise
from cbec.reference.lookups import code_tables
from cbec.storage.context import Context
from cbec.web.i18n import Translator, language


class CodeNames:
    """Names the codes of the reference tables in one language; call it as ``code('country', '609')``."""

    def __init__(self, ctx: Context, lang: str) -> None:
        self.tables = code_tables(ctx, business_date(ctx.clock.now()))
        self.english = Translator(lang).english

    def name(self, table: str, code: str | None) -> str:
        """Return the name of a code alone ("" when the code is unknown)."""
        entry = self.tables.entry(table, code or "")
        if entry is None:
            return ""
        return (entry.name_en or entry.name_zh) if self.english else entry.name_zh

    def __call__(self, table: str, code: str | None) -> str:
        """Return "code name" ("—" when absent, the code alone when the table does not know it)."""
        if not code:
            return "—"
        name = self.name(table, code)
        return f"{code} {name}" if name else code

    def options(self, table: str) -> list[tuple[str, str]]:
        """Return (code, "code name") of every code in force in a table, by code: a picker's options."""
        return [(code, self(table, code)) for code in sorted(self.tables.codes(table))]


def code_names(ctx: Context, request: Request) -> CodeNames:
    """Return the code namer of a page's language."""
    return CodeNames(ctx, language(request))


def enterprise_names(ctx: Context, codes: Iterable[str | None]) -> dict[str, str]:
    """Return the filed name of each enterprise code (customs code or USCC) that has a filing."""
    names: dict[str, str] = {}
    for code in {c for c in codes if c}:
        try:
            names[code] = get_enterprise(ctx, code).name
        except NotFound:
            continue
    return names
