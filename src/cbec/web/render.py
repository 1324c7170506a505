"""Page rendering (页面渲染): the shared Jinja2 environment, number and time formats, the language cookie."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from cbec import __version__
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError, Problem
from cbec.web.i18n import COOKIE, SUPPORTED, Translator, language
from cbec.web.links import navigation, visible

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
YEAR_SECONDS = 365 * 24 * 3600
CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> str:
    """Format an amount in yuan with thousands separators and two decimals ("—" when absent)."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,}"


def count(value: int | Decimal | None) -> str:
    """Format a count with thousands separators."""
    return "—" if value is None else f"{int(value):,}"


def percent(value: Decimal | None) -> str:
    """Format a percentage with one decimal ("—" when undefined)."""
    return "—" if value is None else f"{value}%"


def local_time(value: datetime | None) -> str:
    """Format a moment in Asia/Shanghai to the minute."""
    return "—" if value is None else value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def local_date(value: date | datetime | None) -> str:
    """Format a business date."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return value.isoformat()


def money_unit(values: Iterable[Decimal | int], lang: str) -> Callable[[Decimal | int | None], str]:
    """Return a formatter of amounts in the one unit that suits the largest of them: 亿元 / 万元 / 元 (Chinese),
    CNY bn / m / CNY (English); a chart or a table labels all its amounts alike."""
    top = max((abs(Decimal(v)) for v in values), default=Decimal(0))
    steps = (
        ((Decimal(10) ** 9, "CNY ", " bn"), (Decimal(10) ** 6, "CNY ", " m"))
        if lang == "en"
        else ((Decimal(10) ** 8, "", " 亿元"), (Decimal(10) ** 4, "", " 万元"))
    )
    divisor, prefix, suffix = next(
        (step for step in steps if top >= step[0]),
        (Decimal(1), "CNY " if lang == "en" else "", "" if lang == "en" else " 元"),
    )

    def fmt(value: Decimal | int | None) -> str:
        if value is None:
            return "—"
        return f"{prefix}{(Decimal(value) / divisor).quantize(CENT, rounding=ROUND_HALF_UP):,}{suffix}"

    return fmt


def large_money(value: Decimal | int | None, lang: str) -> str:
    """Format a large amount in 亿元 / 万元 (Chinese) or CNY bn / m (English)."""
    if value is None:
        return "—"
    return money_unit([value], lang)(value)


def tax_of(summary: Any) -> Decimal | None:
    """Return the taxes of an assessed inventory (duty + VAT + consumption tax), None before assessment."""
    if summary.dutiable_value is None:
        return None
    return sum((v or Decimal(0) for v in (summary.customs_duty, summary.vat, summary.consumption_tax)), Decimal(0))


def receipt_note(info: str | None) -> str:
    """Return a receipt's note without its "[Code:…;Desc:…]" prefix (the status badge says as much)."""
    if not info:
        return ""
    head, sep, rest = info.partition("]")
    if sep and head.startswith("[Code:"):
        return rest.strip() or head.partition("Desc:")[2]
    return info


templates.env.filters.update(
    receipt_note=receipt_note,
    money=money,
    count=count,
    percent=percent,
    local_time=local_time,
    local_date=local_date,
    tax_of=tax_of,
)


def _switch_url(request: Request, lang: str) -> str:
    """Return the current page in the other language, keeping its query."""
    query = {key: value for key, value in request.query_params.items() if key != "lang"}
    return f"{request.url.path}?{urlencode({**query, 'lang': lang})}"


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    principal: Any = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a template in the request's language; remember a ?lang= choice in a cookie."""
    lang = language(request)
    t = Translator(lang)
    values: dict[str, Any] = {
        "t": t,
        "lang": lang,
        "principal": principal,
        "version": __version__,
        "path": request.url.path,
        "nav": navigation(request, principal),
        "csrf": str(getattr(principal, "csrf_token", "") or "") if principal is not None else "",
        "other_lang": "en" if lang != "en" else "zh-CN",
        "switch_url": _switch_url(request, "en" if lang != "en" else "zh-CN"),
        "big": lambda amount: large_money(amount, lang),
        **(context or {}),
    }
    if principal is not None and "tabs" in values:  # a tab is shown when its page opens for the caller
        values["tabs"] = visible(request, principal, values["tabs"])
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    chosen = request.query_params.get("lang")
    if chosen in SUPPORTED:
        response.set_cookie(COOKIE, chosen, max_age=YEAR_SECONDS, samesite="lax", httponly=False)
    return response


def error_problems(exc: DomainError) -> list[Problem]:
    """Return the problems a page shows for a refused use case: its own, or its message as one problem."""
    return exc.problems or [Problem("WEB-ERROR", "", exc.message, "")]
