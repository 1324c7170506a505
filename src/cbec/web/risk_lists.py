"""External lists and entity conditions in the officer console (外部名单与实体条件).

* ``/console/risk/lists`` (``risk.read``): every kind (IPR recordations, recalls, prohibited goods, agency
  watch-lists) with its entries, those in force today, the span of their effective dates and the last load
  (source, provenance, SHA-256, who, when); ``?kind=`` lists a kind's entries (an IPR owner whose name may be a
  person's masked; a watch entry a case added links to its case, a person's key shown by its first six
  characters). With ``risk.manage`` and the whole zone's scope, a form loads a file — JSON as the REST route takes
  it, or CSV with its provenance beside it (chosen in the browser or pasted) — all or nothing: every problem is
  shown with its rule id, field, message (中文 / English) and how to fix it, and nothing is stored.
* ``/console/risk/conditions`` (``risk.read``, the whole zone's scope): the conditions in force and those ended
  (expired or lifted); with ``risk.manage`` the forms to place one (subject, kind, reason, expiry) and to end one
  early. A buyer's key is shown by its first six characters. The service needs no second officer for a condition
  (a case's block-list entry, which does, is confirmed on the case page).

The same permissions as ``/api/v1/risk/lists`` and ``/api/v1/risk/conditions``; the actor is the signed-in officer.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import SHANGHAI
from cbec.common.errors import Conflict, DomainError, NotFound, Problem
from cbec.common.scope import OutOfScope, require_whole
from cbec.risk.conditions import ConditionCreate, ConditionKind, lift_condition, list_conditions, place_condition
from cbec.risk.errors import invalid
from cbec.risk.lists import (
    COLUMNS,
    FORMATS,
    ListKind,
    list_entries,
    list_kind,
    list_summary,
    load_list,
    shown,
    shown_key,
)
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, actor, csrf_ok, forbidden, guard, may
from cbec.web.auth import read_document_form, read_form
from cbec.web.console import _tabs
from cbec.web.render import error_problems, page

router = APIRouter(prefix="/console/risk", include_in_schema=False)
READ = Depends(guard(CONSOLE_ROLES, "risk.read"))
MANAGE = Depends(guard(CONSOLE_ROLES, "risk.manage"))
LISTS = ("风险外部名单", "the risk system's external lists")
CONDITIONS = ("风险实体条件", "the risk system's entity conditions")
KINDS = tuple(k.value for k in ListKind)
SUBJECTS = ("buyer", "enterprise", "inventory")
CONDITION_KINDS = tuple(k.value for k in ConditionKind)
STATES = ("active", "ended", "all")


def masked(subject_kind: str, key: str) -> str:
    """Show a buyer's keyed hash by its first six characters; enterprise codes and E-port numbers whole."""
    return key[:6] + "…" if subject_kind == "buyer" and len(key) > 6 else key


def _lists_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    kind: str | None,
    problems: list[Problem] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    chosen = kind if kind in KINDS else None
    entries = list_entries(ctx, chosen) if chosen is not None else []
    return page(
        request,
        "portal/console/risk_lists.html",
        {
            "tabs": _tabs("/console/risk/lists"),
            "summary": list_summary(ctx),
            "kind": chosen,
            "entries": [(e, shown_key(e.data, e.key), shown(e.kind, e.data)) for e in entries],
            "kinds": KINDS,
            "formats": FORMATS,
            "columns": {k.value: (*COLUMNS[k], "valid_from", "valid_to") for k in ListKind},
            "manage": may(entry.principal, "risk.manage") and entry.scope.unrestricted,
            "problems": problems or [],
            "form": form or {},
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/lists", response_class=HTMLResponse)
def lists_page(
    request: Request, kind: str | None = None, entry: Entry = READ, ctx: Context = Depends(get_ctx)
) -> Response:
    """The kinds with counts, effective dates and last load; a kind's entries."""
    if entry.refused:
        return entry.refused
    return _lists_page(request, ctx, entry, kind=kind)


@router.post("/lists/{kind}", response_class=HTMLResponse)
async def load_form(request: Request, kind: str, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Load a list file (JSON, or CSV with its provenance), all or nothing; every problem shown."""
    if entry.refused:
        return entry.refused
    form = await read_document_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    fmt = form.get("format", "json")
    try:
        require_whole(entry.scope, *LISTS)
        list_kind(kind)
        if not form.get("document", "").strip():
            raise invalid("RSK-LIST-EMPTY", "document", "没有文件内容", "no file content", "Choose a file or paste it.")
        done = load_list(
            ctx,
            kind,
            form.get("document", ""),
            source=f"console ({fmt})",
            actor=actor(entry.principal),
            fmt=fmt,
            provenance=form.get("provenance", ""),
        )
    except OutOfScope:
        return forbidden(request, entry.principal)
    except DomainError as exc:
        kept = {"format": fmt, "provenance": form.get("provenance", ""), "document": form.get("document", "")}
        chosen = kind if kind in KINDS else None
        return _lists_page(request, ctx, entry, kind=chosen, problems=error_problems(exc), form=kept, status_code=422)
    return RedirectResponse(f"/console/risk/lists?kind={done.kind}&done={done.entries}", status_code=303)


def _moment(text: str) -> datetime | None:
    """Read a ``datetime-local`` field as Asia/Shanghai (None when empty or not a moment)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


def _conditions_page(
    request: Request,
    ctx: Context,
    entry: Entry,
    *,
    state: str,
    problems: list[Problem] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    chosen = state if state in STATES else "active"
    found = list_conditions(ctx)
    shown_rows = [c for c in found if chosen == "all" or c.in_force == (chosen == "active")]
    return page(
        request,
        "portal/console/risk_conditions.html",
        {
            "tabs": _tabs("/console/risk/conditions"),
            "conditions": shown_rows,
            "counts": {"active": sum(c.in_force for c in found), "ended": sum(not c.in_force for c in found)},
            "state": chosen,
            "states": STATES,
            "subjects": SUBJECTS,
            "kinds": CONDITION_KINDS,
            "masked": masked,
            "manage": may(entry.principal, "risk.manage"),
            "now": ctx.clock.now(),
            "problems": problems or [],
            "form": form or {},
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/conditions", response_class=HTMLResponse)
def conditions_page(
    request: Request, state: str = "active", entry: Entry = READ, ctx: Context = Depends(get_ctx)
) -> Response:
    """The conditions in force or ended, with the forms to place and end them."""
    if entry.refused:
        return entry.refused
    try:
        require_whole(entry.scope, *CONDITIONS)
    except OutOfScope:
        return forbidden(request, entry.principal)
    return _conditions_page(request, ctx, entry, state=state)


@router.post("/conditions", response_class=HTMLResponse)
async def place_form(request: Request, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)) -> Response:
    """Place a condition from now on (its holds take effect at once)."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    until_text = form.get("valid_until", "").strip()
    until = _moment(until_text) if until_text else None
    try:
        require_whole(entry.scope, *CONDITIONS)
        if until_text and until is None:
            raise invalid("RSK-COND-UNTIL", "valid_until", "截止时间无效", "not a moment", "Pick a date and time.")
        data = ConditionCreate(
            subject_kind=form.get("subject_kind", ""),
            subject_key=form.get("subject_key", "")[:200],
            kind=form.get("kind", ""),
            reason=form.get("reason", "")[:500],
            valid_until=until,
        )
        done = place_condition(ctx, data, actor=actor(entry.principal))
    except OutOfScope:
        return forbidden(request, entry.principal)
    except DomainError as exc:
        kept = {k: form.get(k, "") for k in ("subject_kind", "subject_key", "kind", "reason", "valid_until")}
        return _conditions_page(
            request, ctx, entry, state="active", problems=error_problems(exc), form=kept, status_code=422
        )
    return RedirectResponse(f"/console/risk/conditions?done=placed-{done.id}", status_code=303)


@router.post("/conditions/{condition_id}/lift", response_class=HTMLResponse)
async def lift_form(
    request: Request, condition_id: int, entry: Entry = MANAGE, ctx: Context = Depends(get_ctx)
) -> Response:
    """End a condition now, with a reason (audited)."""
    if entry.refused:
        return entry.refused
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    try:
        require_whole(entry.scope, *CONDITIONS)
        done = lift_condition(ctx, condition_id, reason=form.get("reason", "")[:500], actor=actor(entry.principal))
    except OutOfScope:
        return forbidden(request, entry.principal)
    except DomainError as exc:
        status = 404 if isinstance(exc, NotFound) else 409 if isinstance(exc, Conflict) else 422
        return _conditions_page(request, ctx, entry, state="all", problems=error_problems(exc), status_code=status)
    return RedirectResponse(f"/console/risk/conditions?state=ended&done=lifted-{done.id}", status_code=303)
