"""Credit pages (信用): the enterprise's "my credit" and the officers' credit console.

* ``/workspace/credit`` (enterprise roles, ``credit.read``): the enterprise's level and score today, the floors and
  each fact's contribution in words, every recorded fact with its publication window, and the forms to apply for
  repair (open from the end of the minimum window) or to object to a fact. The applicant is the signed-in user.
* ``/console/credit`` (console roles, ``credit.manage``): subject search and view, and the review queue of open
  repair applications and objections in the caller's scope: propose, approve (a second officer), reject; uphold or
  dismiss. An agency officer acts on facts of its own agency's source only (the use cases refuse the rest).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cbec.api.deps import get_ctx
from cbec.common.clock import business_date
from cbec.common.errors import DomainError, NotFound, Problem
from cbec.common.scope import Scope
from cbec.credit.schemas import DecisionIn, EvidenceFileIn, EvidenceRead, FactRead, ObjectionIn, RepairIn
from cbec.credit.service import (
    apply_repair,
    clearance_measures,
    decide_objection,
    decide_repair,
    evidence_of,
    file_objection,
    list_assessments,
    list_objections,
    list_repairs,
    read_evidence,
    show_subject,
    subject_facts,
)
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, WORKSPACE_ROLES, Entry, actor, csrf_ok, forbidden, guard, not_found
from cbec.web.auth import read_form
from cbec.web.console import _tabs as console_tabs
from cbec.web.render import error_problems, page
from cbec.web.uploads import Fields, read_fields
from cbec.web.workspace import _tabs as workspace_tabs

router = APIRouter(include_in_schema=False)
MINE = Depends(guard(WORKSPACE_ROLES, "credit.read"))
OFFICE = Depends(guard(CONSOLE_ROLES, "credit.manage"))
NEGATIVE = ("minor", "general", "serious")
_SUFFIX = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
OWN_FILES = frozenset({"repair", "objection"})  # what an enterprise sent itself (not the officers' decision files)


def _facts_view(facts: list[FactRead], open_repairs: set[int], open_objections: set[int], today: Any) -> list[dict]:
    """Each recorded fact with its state: current or replaced, and what the enterprise may do about it."""
    replaced = {f.supersedes for f in facts if f.supersedes is not None}
    shown = []
    for fact in facts:
        current = fact.id not in replaced and not fact.retracted
        ended = fact.publish_max_until is not None and today >= fact.publish_max_until
        repairable = current and fact.severity in NEGATIVE and fact.fact_type != "customs_tier" and not ended
        shown.append(
            {
                "fact": fact,
                "current": current,
                "ended": ended,
                "counts": current and not ended and fact.valid_from <= today,
                "repair_open": repairable and today >= fact.publish_min_until and fact.id not in open_repairs,
                "repair_from": fact.publish_min_until if repairable and today < fact.publish_min_until else None,
                "repair_pending": fact.id in open_repairs,
                "may_object": current and fact.id not in open_objections,
            }
        )
    return shown


def _my_credit(
    request: Request, ctx: Context, entry: Entry, *, problems: list[Problem], status_code: int = 200
) -> Response:
    who = entry.principal
    code = who.enterprise_code or ""
    today = business_date(ctx.clock.now())
    try:
        rating = show_subject(ctx, code, scope=entry.scope)
        facts = subject_facts(ctx, code, scope=entry.scope)
        measures = clearance_measures(ctx, code, scope=entry.scope)
    except NotFound:
        rating, facts, measures = None, [], []
    repairs = list_repairs(ctx, subject=code, scope=entry.scope) if rating else []
    objections = list_objections(ctx, subject=code, scope=entry.scope) if rating else []
    assessments = list_assessments(ctx, code, scope=entry.scope) if rating else []
    where = entry.scope
    repair_files = evidence_of(ctx, "repair", [r.id for r in repairs], scope=where) if repairs else {}
    objection_files = evidence_of(ctx, "objection", [o.id for o in objections], scope=where) if objections else {}
    open_repairs = {r.fact_id for r in repairs if r.status in ("pending", "proposed")}
    open_objections = {o.fact_id for o in objections if o.status == "open"}
    return page(
        request,
        "portal/workspace/credit.html",
        {
            "tabs": workspace_tabs("/workspace/credit"),
            "rating": rating,
            "facts": _facts_view(facts, open_repairs, open_objections, today),
            "measures": measures,
            "repairs": repairs,
            "objections": objections,
            "assessments": assessments,
            "repair_files": repair_files,
            "objection_files": objection_files,
            "today": today,
            "problems": problems,
            "done": request.query_params.get("done"),
        },
        principal=who,
        status_code=status_code,
    )


@router.get("/workspace/credit", response_class=HTMLResponse)
def my_credit(request: Request, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """The enterprise's credit: level, score, floors and contributions in words, facts with their windows."""
    if entry.refused:
        return entry.refused
    return _my_credit(request, ctx, entry, problems=[])


def _download(found: EvidenceRead, content: bytes) -> Response:
    """The file as an attachment (never rendered inline), its digest in a header, not cached."""
    disposition = f"attachment; filename=evidence-{found.id}{_SUFFIX.get(found.content_type, '')}; "
    disposition += f"filename*=UTF-8''{quote(found.filename)}"
    headers = {
        "Content-Disposition": disposition,
        "X-Content-SHA256": found.sha256,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=found.content_type, headers=headers)


@router.get("/workspace/credit/evidence/{evidence_id}")
def my_evidence(request: Request, evidence_id: int, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """Download a file the enterprise sent with its own repair application or objection; every read is audited.
    The enterprise is the signed-in one (its scope): another enterprise's file, or an officer's, is not found."""
    if entry.refused:
        return entry.refused
    try:
        found, content = read_evidence(
            ctx, evidence_id, actor=actor(entry.principal), scope=entry.scope, purposes=OWN_FILES
        )
    except NotFound:
        return not_found(request, entry.principal, str(evidence_id), "/workspace/credit")
    return _download(found, content)


def evidence_upload(form: Fields) -> EvidenceFileIn | None:
    """Return the evidence file chosen on a form as the use cases take it (checked there: type, size, digest)."""
    upload = form.files.get("evidence_file")
    if upload is None:
        return None
    data = base64.b64encode(upload.content).decode("ascii")
    return EvidenceFileIn(filename=upload.filename[:400], content_type=upload.content_type[:100], data=data)


def _number(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


@router.post("/workspace/credit/repairs", response_class=HTMLResponse)
async def repair_form(request: Request, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """Apply for the repair of one of the enterprise's facts."""
    if entry.refused:
        return entry.refused
    try:
        form = await read_fields(request)
    except DomainError as exc:
        return _my_credit(request, ctx, entry, problems=error_problems(exc), status_code=422)
    if not csrf_ok(request, form.get("csrf_token")):
        return forbidden(request, entry.principal)
    try:
        body = RepairIn(
            fact_id=_number(form.get("fact_id")),
            evidence_sha256=form.get("evidence_sha256").strip(),
            description=form.get("description"),
            commitment=form.get("commitment"),
            training=form.get("training") or None,
            evidence_file=evidence_upload(form),
        )
        apply_repair(ctx, body, actor=actor(entry.principal), scope=entry.scope)
    except DomainError as exc:
        return _my_credit(request, ctx, entry, problems=error_problems(exc), status_code=422)
    return RedirectResponse("/workspace/credit?done=repair", status_code=303)


@router.post("/workspace/credit/objections", response_class=HTMLResponse)
async def objection_form(request: Request, entry: Entry = MINE, ctx: Context = Depends(get_ctx)) -> Response:
    """Object to one of the enterprise's facts."""
    if entry.refused:
        return entry.refused
    try:
        form = await read_fields(request)
    except DomainError as exc:
        return _my_credit(request, ctx, entry, problems=error_problems(exc), status_code=422)
    if not csrf_ok(request, form.get("csrf_token")):
        return forbidden(request, entry.principal)
    try:
        body = ObjectionIn(
            fact_id=_number(form.get("fact_id")),
            reason=form.get("reason"),
            evidence_sha256=form.get("evidence_sha256").strip() or None,
            evidence_file=evidence_upload(form),
        )
        file_objection(ctx, body, actor=actor(entry.principal), scope=entry.scope)
    except DomainError as exc:
        return _my_credit(request, ctx, entry, problems=error_problems(exc), status_code=422)
    return RedirectResponse("/workspace/credit?done=objection", status_code=303)


# --- the officers' console -------------------------------------------------------------------------------------


def _sources(entry: Entry) -> frozenset[str] | None:
    who = entry.principal
    return frozenset({who.agency or ""}) if str(who.role) == "agency_officer" else None


def _console(
    request: Request, ctx: Context, entry: Entry, *, query: str, problems: list[Problem], status_code: int = 200
) -> Response:
    where: Scope = entry.scope
    today = business_date(ctx.clock.now())
    rating, facts, missing = None, [], False
    if query:
        try:
            rating = show_subject(ctx, query, scope=where)
            facts = subject_facts(ctx, query, scope=where)
        except NotFound:
            missing = True
    repairs = list_repairs(ctx, status="open", scope=where)
    objections = list_objections(ctx, status="open", scope=where)
    return page(
        request,
        "portal/console/credit.html",
        {
            "tabs": console_tabs("/console/credit"),
            "query": query,
            "rating": rating,
            "facts": _facts_view(facts, set(), set(), today),
            "missing": missing,
            "repairs": repairs,
            "objections": objections,
            "repair_files": evidence_of(ctx, "repair", [r.id for r in repairs], scope=where),
            "objection_files": evidence_of(ctx, "objection", [o.id for o in objections], scope=where),
            "me": actor(entry.principal),
            "problems": problems,
            "done": request.query_params.get("done"),
        },
        principal=entry.principal,
        status_code=status_code,
    )


@router.get("/console/credit", response_class=HTMLResponse)
def credit_console(request: Request, q: str = "", entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)) -> Response:
    """Subject search and view, and the repair and objection review queue."""
    if entry.refused:
        return entry.refused
    return _console(request, ctx, entry, query=q.strip()[:40], problems=[])


@router.get("/console/credit/evidence/{evidence_id}")
def evidence_download(
    request: Request, evidence_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Download an evidence file of an application or objection in the officer's scope; every read is audited."""
    if entry.refused:
        return entry.refused
    try:
        found, content = read_evidence(ctx, evidence_id, actor=actor(entry.principal), scope=entry.scope)
    except NotFound:
        return not_found(request, entry.principal, str(evidence_id), "/console/credit")
    return _download(found, content)


def decision_of(form: dict[str, str]) -> DecisionIn:
    """Return the decision a maker-checker form posts (approve / confirm / reject, with an optional note)."""
    return DecisionIn(action=str(form.get("action", "")), note=str(form.get("note", "")) or None)


async def _decide(request: Request, entry: Entry, ctx: Context, what: str, number: int) -> Response:
    form = await read_form(request)
    if not csrf_ok(request, str(form.get("csrf_token", ""))):
        return forbidden(request, entry.principal)
    decision = decision_of(form)
    who = entry.principal
    try:
        if what == "repair":  # maker-checker compares the signed-in accounts
            decide_repair(
                ctx, number, decision, actor=actor(who), scope=entry.scope, sources=_sources(entry), account=who.user_id
            )
        else:
            decide_objection(ctx, number, decision, actor=actor(who), scope=entry.scope, sources=_sources(entry))
    except NotFound:
        return not_found(request, entry.principal, str(number), "/console/credit")
    except DomainError as exc:
        return _console(request, ctx, entry, query="", problems=error_problems(exc), status_code=422)
    return RedirectResponse(f"/console/credit?done={what}-{number}", status_code=303)


@router.post("/console/credit/repairs/{repair_id}", response_class=HTMLResponse)
async def decide_repair_form(
    request: Request, repair_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Propose, approve (a second officer) or reject a repair application."""
    if entry.refused:
        return entry.refused
    return await _decide(request, entry, ctx, "repair", repair_id)


@router.post("/console/credit/objections/{objection_id}", response_class=HTMLResponse)
async def decide_objection_form(
    request: Request, objection_id: int, entry: Entry = OFFICE, ctx: Context = Depends(get_ctx)
) -> Response:
    """Uphold or dismiss an objection."""
    if entry.refused:
        return entry.refused
    return await _decide(request, entry, ctx, "objection", objection_id)
