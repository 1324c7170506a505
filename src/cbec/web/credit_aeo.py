"""Officers' page of AEO self-assessments (认证标准自评): ``/console/credit/aeo``.

Console roles with ``credit.read`` — the permission of ``POST /api/v1/credit/aeo/assessments`` (officers in scope).
The form is one select per item (达标 0, 基本达标 −1, 不达标 −2, 不适用 n.a.), grouped by module: the items of the
standard's catalogue (``aeo_catalogue``: none is shipped until the official list is verified, see PROVENANCE.md)
and rows where the officer types an item number of the official text. A pasted list, one item a line — module,
item, score — stays as a fallback; both are scored together. The officer sees the module totals, the score and
pass or the reasons it fails (``score_aeo``: nothing stored), and stores it (``assess_aeo``: the assessment and its
certification fact, worth 0 points under ``zone@1``); the stored assessments of a subject are listed newest first.
The assessor is the signed-in principal.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.credit.schemas import AeoAssessIn, AeoAssessmentRead, AeoScoreRead
from cbec.credit.service import aeo_catalogue, aeo_modules, assess_aeo, list_assessments, score_aeo
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard
from cbec.web.auth import FORM_TYPE, MAX_DOCUMENT_BYTES
from cbec.web.console import _tabs as console_tabs
from cbec.web.render import error_problems, page

router = APIRouter(include_in_schema=False)
READ = Depends(guard(CONSOLE_ROLES, "credit.read"))
PATH = "/console/credit/aeo"
MAX_LINES = 300
ROWS = 6  # typed rows offered per module beyond the ones filled in
MAX_ROWS = 60  # rows read per module (catalogue items included)
SCORES = ("0", "-1", "-2", "n.a.")
# A score as an officer types it: the standard's numbers (a typographic minus too) or its words.
WORDS = {"达标": "0", "基本达标": "-1", "不达标": "-2", "不适用": "n.a.", "meets": "0", "fails": "-2"}
SPLIT = re.compile(r"[\s,，;；\t]+")
ITEM = re.compile(r"items\[(\d+)\]")


def _module_names() -> dict[str, str]:
    """Every way a module may be written (its id, Chinese and English names, any case) → its id."""
    names: dict[str, str] = {}
    for module, zh, en in aeo_modules():
        for name in (module, zh, en, en.replace(" ", "_")):
            names[name.casefold()] = module
    return names


def parse_items(text: str) -> tuple[list[dict[str, str]], list[Problem]]:
    """Return the items of the form's text (a line each: module, item, score; blank lines and # comments skipped)."""
    names = _module_names()
    items: list[dict[str, str]] = []
    problems: list[Problem] = []
    lines = [line.strip() for line in text.splitlines()]
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line and not line.startswith("#")]
    if len(numbered) > MAX_LINES:
        problems.append(
            Problem(
                "CRD-AEO-ITEM",
                "items",
                f"条目超过 {MAX_LINES} 行 / more than {MAX_LINES} lines",
                f"Enter at most {MAX_LINES} items.",
            )
        )
        return [], problems
    for n, line in numbered:
        parts = [p for p in SPLIT.split(line.replace("−", "-")) if p]
        if len(parts) != 3:
            problems.append(
                Problem(
                    "CRD-AEO-ITEM",
                    f"line {n}",
                    f"第 {n} 行应为“模块 条目 评分” / line {n}: give module, item and score",
                    "例如 / e.g. 内部控制 1.1 0",
                )
            )
            continue
        module, item, value = parts
        items.append(
            {
                "module": names.get(module.casefold(), module),
                "item": item,
                "score": WORDS.get(value.casefold(), WORDS.get(value, value)),
                "at_zh": f"第 {n} 行",
                "at_en": f"line {n}",
            }
        )
    return items, problems


def _by_line(problems: list[Problem], items: list[dict[str, str]]) -> list[Problem]:
    """Name where each problem of the scorer lies — the form's row or the pasted line (its fields are items[N])."""
    shown = []
    for found in problems:
        match = ITEM.match(found.field)
        if match is None or int(match.group(1)) >= len(items):
            shown.append(found)
            continue
        item = items[int(match.group(1))]
        at_zh, at_en = item["at_zh"], item["at_en"]
        zh, sep, en = found.message.partition(" / ")
        message = f"{at_zh}：{zh} / {at_en}: {en}" if sep else f"{at_zh} / {at_en}: {found.message}"
        shown.append(Problem(found.rule_id, found.field, message, found.hint, code=found.code))
    return shown


async def read_aeo_form(request: Request) -> dict[str, str]:
    """Return the fields of the self-assessment form (URL-encoded, ≤ 256 KiB, two fields a row); else none."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return {}
    body = await request.body()
    if len(body) > MAX_DOCUMENT_BYTES:
        return {}
    limit = 8 + 2 * MAX_ROWS * len(aeo_modules())
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=limit)
    except ValueError:  # more fields than the form has
        return {}
    return {key: values[0] for key, values in fields.items()}


def form_rows(form: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """Return the rows of the per-item form by module: the catalogue's items (scored or not) first, then the typed
    rows filled in — each ``{"item", "score", "text_zh", "text_en", "fixed"}``."""
    catalogue = aeo_catalogue()
    rows: dict[str, list[dict[str, str]]] = {}
    for module, _, _ in aeo_modules():
        known = catalogue.of(module)
        mine: list[dict[str, str]] = [
            {"item": i.item, "score": "", "text_zh": i.text_zh, "text_en": i.text_en, "fixed": "1"} for i in known
        ]
        for n in range(MAX_ROWS):
            item = form.get(f"item.{module}.{n}", "").strip()[:20]
            value = form.get(f"score.{module}.{n}", "").strip()[:10]
            if n < len(known):
                if item == mine[n]["item"]:
                    mine[n]["score"] = value
                continue
            if item or value:
                mine.append({"item": item, "score": value, "text_zh": "", "text_en": "", "fixed": ""})
        rows[module] = mine
    return rows


def row_items(rows: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
    """Return the items scored on the form (a catalogue item left unscored is not an item), where each lies."""
    names = {module: (zh, en) for module, zh, en in aeo_modules()}
    items = []
    for module, found in rows.items():
        zh, en = names[module]
        for n, row in enumerate(found, start=1):
            if row["fixed"] and not row["score"]:
                continue
            items.append(
                {
                    "module": module,
                    "item": row["item"],
                    "score": row["score"],
                    "at_zh": f"{zh}第 {n} 行",
                    "at_en": f"{en}, row {n}",
                }
            )
    return items


def _page(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    subject: str,
    text: str = "",
    rows: dict[str, list[dict[str, str]]] | None = None,
    result: AeoScoreRead | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    stored: list[AeoAssessmentRead] = []
    missing = False
    if subject:
        try:
            stored = list_assessments(ctx, subject, scope=entry.scope)
        except NotFound:
            missing = True
    return page(
        request,
        "portal/console/credit_aeo.html",
        {
            "tabs": console_tabs("/console/credit"),
            "subject": subject,
            "text": text,
            "result": result,
            "stored": stored,
            "missing": missing,
            "modules": aeo_modules(),
            "rows": _with_blanks(rows if rows is not None else form_rows({})),
            "scores": SCORES,
            "catalogue": aeo_catalogue(),
            "problems": problems or [],
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


def _with_blanks(rows: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """Add empty typed rows to each module (ROWS of them, within MAX_ROWS)."""
    blank = {"item": "", "score": "", "text_zh": "", "text_en": "", "fixed": ""}
    return {m: found + [dict(blank) for _ in range(min(ROWS, MAX_ROWS - len(found)))] for m, found in rows.items()}


@router.get(PATH, response_class=HTMLResponse)
def aeo_page(request: Request, subject: str = "", entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """The self-assessment form and the stored assessments of a subject."""
    if entry.refused:
        return entry.refused
    return _page(request, ctx, entry, subject=subject.strip()[:40])


@router.post(PATH, response_class=HTMLResponse)
async def aeo_submit(request: Request, entry: Entry = READ, ctx: Context = Depends(get_ctx)) -> Response:
    """Score the items (``action=score``: nothing stored) or store the assessment (``action=store``)."""
    if entry.refused:
        return entry.refused
    form = await read_aeo_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    subject = str(form.get("subject", "")).strip()[:40]
    text = str(form.get("items", ""))
    rows = form_rows(form)
    typed, problems = parse_items(text)
    items = row_items(rows) + typed
    if problems:
        return _page(request, ctx, entry, subject=subject, text=text, rows=rows, problems=problems, status_code=422)
    sent: list[Any] = [{k: v for k, v in item.items() if not k.startswith("at_")} for item in items]
    try:
        if str(form.get("action", "")) != "store":
            result = score_aeo({"items": sent})
            return _page(request, ctx, entry, subject=subject, text=text, rows=rows, result=result)
        who = entry.principal
        stored = assess_aeo(
            ctx, AeoAssessIn(subject=subject, items=sent), actor=actor(who), account=who.user_id, scope=entry.scope
        )
    except NotFound as exc:
        found = _by_line(error_problems(exc), items)
        return _page(request, ctx, entry, subject=subject, text=text, rows=rows, problems=found, status_code=404)
    except DomainError as exc:
        found = _by_line(error_problems(exc), items)
        return _page(request, ctx, entry, subject=subject, text=text, rows=rows, problems=found, status_code=422)
    return RedirectResponse(f"{PATH}?subject={stored.subject}&done=stored-{stored.id}", status_code=303)
