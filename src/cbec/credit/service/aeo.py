"""Use cases of the AEO self-assessment (认证标准自评): score one (pure, nothing stored), or store it for an enterprise.

A stored assessment keeps the items as scored, the module totals, the score, pass or fail with the reasons, the
standard version and the assessor's account, and becomes a credit fact of the enterprise — type ``certification``,
source ``zone``, ``positive`` when it passes and ``neutral`` when it fails, valid for a year from the day assessed,
document ``AEO-<id>``. The shipped ruleset (zone@1) has no modifier for it (its points are 0), so existing ratings
replay unchanged; a zone that wants it to count adds a modifier in a new ruleset version (proposed and published by
two accounts). It is listed with every other fact in "my credit".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cbec.audit import record_audit
from cbec.common.clock import add_months, business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.aeo import Catalogue, Standard, score, shipped_catalogue, shipped_standard
from cbec.credit.errors import CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditAeoAssessment, CreditSubject
from cbec.credit.rules import FactDraft, FactType, Severity, Source, check_subject
from cbec.credit.schemas import AeoAssessIn, AeoAssessmentRead, AeoModuleRead, AeoScoreRead
from cbec.credit.service.config import configuration
from cbec.credit.service.facts import plan_fact, resolve_subject, subject_label, write_fact
from cbec.enterprises.lookups import find_by_code
from cbec.storage.context import Context

VALID_MONTHS = 12


def aeo_modules(standard: Standard | None = None) -> list[tuple[str, str, str]]:
    """Return the modules of the shipped standard (or one given): (id, Chinese name, English name), in order."""
    return list((standard or shipped_standard()).modules)


def aeo_catalogue() -> Catalogue:
    """Return the item catalogue of the shipped standard (the form's rows; no item until verified)."""
    return shipped_catalogue()


def score_aeo(document: Any, standard: Standard | None = None) -> AeoScoreRead:
    """Score a self-assessment against the shipped standard (or one given); every problem refused at once."""
    result, problems = score(document, standard or shipped_standard())
    if result is None:
        raise CreditInvalid(f"{len(problems)} problem(s) in the self-assessment", problems=problems)
    return result


def assessment_read(row: CreditAeoAssessment, subject: CreditSubject) -> AeoAssessmentRead:
    """Return the output shape of a stored assessment."""
    return AeoAssessmentRead(
        id=row.id,
        subject=subject_label(subject),
        standard=row.standard,
        score=row.score,
        passed=row.passed,
        reasons=list(row.reasons),
        modules=[AeoModuleRead.model_validate(m) for m in row.modules],
        items=list(row.items),
        assessed_by=row.assessed_by,
        assessed_at=row.assessed_at,
        fact_id=row.fact_id,
    )


def assess_aeo(
    ctx: Context, data: AeoAssessIn, *, actor: str, account: int | None = None, scope: Scope = EVERYTHING
) -> AeoAssessmentRead:
    """Score a self-assessment and store it for an enterprise in the caller's scope, with its credit fact."""
    result = score_aeo({"items": data.items})
    found: list[Problem] = []
    code, _ = check_subject({"subject": data.subject}, found)
    if code is None:
        raise CreditInvalid("the subject is not an enterprise's code", problems=found)
    now = ctx.clock.now()
    today = business_date(now)
    draft = FactDraft(
        subject_code=code,
        person_id=None,
        fact_type=FactType.CERTIFICATION,
        severity=Severity.POSITIVE if result.passed else Severity.NEUTRAL,
        source=Source.ZONE,
        decided_on=today,
        valid_from=today,
        valid_to=add_months(today, VALID_MONTHS),
        legal_basis=result.legal_basis,
    )
    with ctx.uow() as uow:
        session = uow.session
        if repo.subject_by_code(session, code) is None and find_by_code(session, code) is None:
            raise CreditNotFound(
                f"no enterprise {data.subject}",
                problems=[
                    problem("CRD-SUBJECT-UNKNOWN", "subject", "无此企业", f"no enterprise {data.subject}", "Check it.")
                ],
            )
        subject, _ = resolve_subject(session, draft, ctx.cipher, now, scope)
        row = repo.add_row(
            session,
            CreditAeoAssessment(
                subject_id=subject.id,
                standard=result.standard,
                items=list(data.items),
                modules=[m.model_dump() for m in result.modules],
                score=result.score,
                passed=result.passed,
                reasons=list(result.reasons),
                assessed_by=actor,
                assessed_by_account=account,
                assessed_at=now,
            ),
        )
        named = FactDraft(**{**_fields(draft), "document_no": f"AEO-{row.id}", "note": f"{result.standard}"})
        planned, problems = plan_fact(session, named, configuration(session))
        if planned is None:
            raise CreditInvalid("the assessment cannot be recorded as a fact", problems=problems)
        detail = {"aeo_assessment": row.id, "score": result.score, "passed": result.passed}
        fact = write_fact(session, planned, subject, actor=actor, now=now, detail=detail)
        row.fact_id = fact.id
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="credit.aeo.assessed",
            entity_type="credit_subject",
            entity_key=subject_label(subject),
            after={"assessment": row.id, "standard": row.standard, "score": row.score, "passed": row.passed},
        )
        read = assessment_read(row, subject)
        uow.commit()
    return read


def _fields(draft: FactDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in FactDraft.__dataclass_fields__}


def list_assessments(ctx: Context, code: str, *, scope: Scope = EVERYTHING) -> list[AeoAssessmentRead]:
    """Return an enterprise's stored assessments, newest first (another enterprise's: not found)."""
    with ctx.uow() as uow:
        session = uow.session
        subject = repo.subject_by_code(session, code)
        if subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(
                f"no credit subject {code} in the caller's scope",
                problems=[problem("CRD-SUBJECT-UNKNOWN", "subject", "无此主体", f"no subject {code}", "Check it.")],
            )
        stmt = (
            select(CreditAeoAssessment)
            .where(CreditAeoAssessment.subject_id == subject.id)
            .order_by(CreditAeoAssessment.id.desc())
        )
        return [assessment_read(row, subject) for row in session.scalars(stmt)]
