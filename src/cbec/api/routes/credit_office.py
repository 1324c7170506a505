"""REST routes of third-party evaluation, ruleset maker-checker, the zone's method and the AEO scorer (信用评价).

Importing third-party reports and reviewing disagreements is the hub's zone office (``credit.manage``, the whole
scope: a city's officers 403 ``AUTH-SCOPE``; an agency officer 403 ``CRD-SOURCE-SCOPE``). Ruleset proposals and their
publication are ``credit.rate`` of the hub; the publisher is another **account** than the proposer
(``CRD-MAKER-CHECKER``). The zone's method is public (no credentials): agencies reproduce the levels from it. The AEO
self-assessment scorer reads nothing stored (``credit.read``). The actor is always the signed-in principal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from cbec.accounts import Permission, Role
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.credit.schemas import (
    AeoAssessIn,
    AeoAssessmentRead,
    AeoScoreRead,
    DecisionIn,
    RateReport,
    ReviewTaskRead,
    RulesetProposalIn,
    RulesetProposalRead,
    ThirdPartyImportIn,
    ThirdPartyImportReport,
    ThirdPartyReportRead,
)
from cbec.credit.service import (
    assess_aeo,
    decide_review,
    decide_ruleset,
    dry_run_proposal,
    import_reports,
    list_assessments,
    list_reports,
    list_reviews,
    list_ruleset_proposals,
    propose_ruleset,
    score_aeo,
    zone_method,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
READ, MANAGE, RATE = Permission.CREDIT_READ, Permission.CREDIT_MANAGE, Permission.CREDIT_RATE


def _sources(principal: Principal) -> frozenset[str] | None:
    return frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None


@router.post("/thirdparty/reports", response_model=ThirdPartyImportReport, status_code=201)
def import_thirdparty(
    body: ThirdPartyImportIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ThirdPartyImportReport:
    """Import accredited agencies' signed reports, all or none; a disagreement beyond one notch opens a review."""
    return import_reports(ctx, body.reports, actor=principal.name, scope=scope, sources=_sources(principal))


@router.get("/thirdparty/reports", response_model=list[ThirdPartyReportRead])
def thirdparty_reports(
    scope: Scope = Depends(scoped(MANAGE)), ctx: Context = Depends(get_ctx)
) -> list[ThirdPartyReportRead]:
    """The imported reports in the caller's scope, newest first, each with its review task."""
    return list_reports(ctx, scope=scope)


@router.get("/thirdparty/reviews", response_model=list[ReviewTaskRead])
def thirdparty_reviews(
    status: str | None = Query(None, description="open or closed."),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> list[ReviewTaskRead]:
    """The disagreement review tasks in the caller's scope."""
    return list_reviews(ctx, status=status, scope=scope)


@router.post("/thirdparty/reviews/{task_id}/decision", response_model=ReviewTaskRead)
def decide_thirdparty_review(
    task_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ReviewTaskRead:
    """``keep`` the report's fact or ``withdraw`` it (a new row), with a note."""
    return decide_review(ctx, task_id, body, actor=principal.name, scope=scope, sources=_sources(principal))


@router.post("/rulesets", response_model=RulesetProposalRead, status_code=201)
def propose(
    body: RulesetProposalIn,
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> RulesetProposalRead:
    """Propose a rating ruleset: checked, dry-run on its first day (distribution and movers), kept pending."""
    return propose_ruleset(ctx, body.document, actor=principal.name, account=principal.user_id, scope=scope)


@router.get("/rulesets", response_model=list[RulesetProposalRead])
def proposals(
    status: str | None = Query(None, description="pending, published or rejected."),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> list[RulesetProposalRead]:
    """The ruleset proposals, newest first."""
    return list_ruleset_proposals(ctx, status=status, scope=scope)


@router.post("/rulesets/{proposal_id}/dry-run", response_model=RateReport)
def dry_run(
    proposal_id: int,
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> RateReport:
    """Dry-run a proposal again on today's facts: the level distribution and every mover."""
    return dry_run_proposal(ctx, proposal_id, actor=principal.name, scope=scope)


@router.post("/rulesets/{proposal_id}/decision", response_model=RulesetProposalRead)
def decide(
    proposal_id: int,
    body: DecisionIn,
    principal: Principal = Depends(require(RATE)),
    scope: Scope = Depends(scoped(RATE)),
    ctx: Context = Depends(get_ctx),
) -> RulesetProposalRead:
    """``publish`` (another account than the proposer's) or ``reject`` (with a note)."""
    return decide_ruleset(ctx, proposal_id, body, actor=principal.name, account=principal.user_id, scope=scope)


@router.get("/method")
def method(
    on: date | None = Query(None, description="The day (default: today, Asia/Shanghai)."),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """The zone's rating method in force (public): dimensions, indicators, weights, thresholds, floors."""
    return zone_method(ctx, on=on)


@router.post("/aeo/score", response_model=AeoScoreRead)
def aeo_score(
    body: dict[str, Any] = Body(..., description='{"items": [{"module", "item", "score": 0|-1|-2|"n.a."}]}'),
    principal: Principal = Depends(require(READ)),
) -> AeoScoreRead:
    """Score an AEO self-assessment: module totals, 100 + Σ items, pass or the reasons it fails."""
    return score_aeo(body)


@router.post("/aeo/assessments", response_model=AeoAssessmentRead, status_code=201)
def aeo_assess(
    body: AeoAssessIn,
    principal: Principal = Depends(require(READ)),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> AeoAssessmentRead:
    """Store a scored self-assessment of an enterprise in the caller's scope (its own, for an enterprise) and record
    it as a credit fact (certification: positive when it passes, neutral when it fails)."""
    return assess_aeo(ctx, body, actor=principal.name, account=principal.user_id, scope=scope)


@router.get("/aeo/assessments", response_model=list[AeoAssessmentRead])
def aeo_assessments(
    subject: str = Query(..., max_length=40, description="The enterprise's credit or customs code."),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[AeoAssessmentRead]:
    """An enterprise's stored assessments, newest first."""
    return list_assessments(ctx, subject, scope=scope)
