"""REST routes of the credit system (信用体系) under /api/v1/credit.

A subject outside the caller's scope is not found (404): an enterprise reads only its own, a city's officers the
city's enterprises. An agency officer records facts of its own agency's source only (403 ``CRD-SOURCE-SCOPE``);
the audit records the signed-in principal, never a body field. Rating every subject is the hub's (``AUTH-SCOPE``).
Screening reads the published negative lists: every enterprise entry for any ``credit.read`` caller, persons (by
the keyed hash of an ID number) for the hub's callers only (403 ``CRD-SCREEN-PERSON``). Evidence files are read in
the caller's scope (the subject's own enterprise, officers of its tenant; anyone else: 404), every read audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from cbec.accounts import Permission, Role
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.credit.schemas import EvidenceRead, FactIn, FactRead, RateReport, RatingRead, ScreenIn, ScreenReport
from cbec.credit.service import rate_subjects, read_evidence, record_fact, screen_name, show_subject, subject_evidence
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
READ, MANAGE, RATE = Permission.CREDIT_READ, Permission.CREDIT_MANAGE, Permission.CREDIT_RATE


@router.get("/subjects/{code}", response_model=RatingRead)
def subject(
    code: str,
    on: date | None = Query(None, description="The day asked about (default: today, Asia/Shanghai)."),
    known_at: datetime | None = Query(None, description="Facts as the platform knew them then (default: now)."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> RatingRead:
    """Return an enterprise's level and score on a day, with the floors applied and each fact's contribution."""
    return show_subject(ctx, code, on=on, known_at=known_at, scope=scope)


@router.post("/facts", response_model=FactRead, status_code=201)
def add_fact(
    body: FactIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> FactRead:
    """Record a fact an agency decided (the zone office: any source; an agency officer: its own agency's)."""
    sources = frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None
    return record_fact(ctx, body, actor=principal.name, scope=scope, sources=sources)


@router.post("/rate", response_model=RateReport)
def rate(
    dry_run: bool = Query(True, description="Only show the distribution and the movers; store nothing."),
    on: date | None = Query(None),
    candidate: dict[str, Any] | None = Body(None, description="A ruleset document to try (dry runs only)."),
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> RateReport:
    """Rate every subject: the level distribution and the movers against their last stored levels."""
    return rate_subjects(ctx, on=on, candidate=candidate, dry_run=dry_run, actor=principal.name, scope=scope)


@router.post("/screen", response_model=ScreenReport)
def screen(
    body: ScreenIn,
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ScreenReport:
    """Screen a name (and codes) against the negative lists in force: hits with list, legal basis, score, features."""
    return screen_name(ctx, body, scope=scope)


@router.get("/subjects/{code}/evidence", response_model=list[EvidenceRead])
def evidence_files(
    code: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)
) -> list[EvidenceRead]:
    """The evidence files kept about a subject (repair applications, objections, facts), without their content."""
    return subject_evidence(ctx, code, scope=scope)


@router.get("/evidence/{evidence_id}", response_class=Response)
def evidence_file(
    evidence_id: int,
    principal: Principal = Depends(require(READ)),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Download an evidence file (the subject's enterprise or officers in scope); the read is audited."""
    found, content = read_evidence(ctx, evidence_id, actor=principal.name, scope=scope)
    return Response(
        content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"attachment; filename=evidence-{found.id}",
            "X-Content-SHA256": found.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )
