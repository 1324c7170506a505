"""Input and output shapes of third-party evaluation, ruleset proposals and the AEO self-assessment scorer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AeoModuleRead(BaseModel):
    """One module of an AEO self-assessment: its items by score and its total."""

    module: str
    name_zh: str
    name_en: str
    items: int
    not_applicable: int
    meets: int
    basically_meets: int
    fails: int
    total: int


class AeoScoreRead(BaseModel):
    """An AEO self-assessment scored: 100 + Σ items, the module totals, pass or the reasons it fails."""

    standard: str
    legal_basis: str
    score: int
    passed: bool
    reasons: list[str]
    modules: list[AeoModuleRead]


class ThirdPartyImportIn(BaseModel):
    """Signed third-party reports to import, all or none: each ``{"report": {...}, "signature": {...}}``."""

    model_config = ConfigDict(extra="forbid")

    reports: list[Any] = Field(
        description="Each {report: {agency, accreditation, method, subject, grade, "
        "valid_from, valid_to, report_no, issued_on}, signature: {algorithm, certificate, value}}."
    )


class ReviewTaskRead(BaseModel):
    """A disagreement review task (评价分歧复核) and where it stands."""

    id: int
    report_id: int
    subject: str
    status: str
    agency_level: str
    zone_level: str
    notches: int
    opened_at: datetime
    decision: str | None
    decision_note: str | None
    decided_by: str | None
    decided_at: datetime | None


class ThirdPartyReportRead(BaseModel):
    """An imported third-party report, the fact it became and its review task (if it opened one)."""

    id: int
    agency: str
    accreditation: str
    method: str
    subject: str
    report_no: str
    grade: str
    level: str
    valid_from: date
    valid_to: date
    algorithm: str
    certificate_sha256: str
    fact_id: int
    imported_at: datetime
    imported_by: str
    review: ReviewTaskRead | None = None


class ThirdPartyImportReport(BaseModel):
    """What an import of third-party reports recorded."""

    reports: list[ThirdPartyReportRead]
    reviews_opened: int


class RulesetProposalIn(BaseModel):
    """A rating ruleset proposed for publication (the document as ``cbec credit config load`` takes it)."""

    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]


class RulesetProposalRead(BaseModel):
    """A ruleset proposal, its dry run when proposed, and who decided it."""

    id: int
    ruleset: str
    effective_from: date
    digest: str
    status: str
    dry_run: dict[str, Any]
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class AeoAssessIn(BaseModel):
    """A self-assessment to store for an enterprise (the assessor is the signed-in caller)."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(description="The enterprise's credit or customs code.")
    items: list[Any] = Field(description='[{"module", "item", "score": 0|-1|-2|"n.a."}]')


class AeoAssessmentRead(BaseModel):
    """A stored AEO self-assessment and the credit fact it became."""

    id: int
    subject: str
    standard: str
    score: int
    passed: bool
    reasons: list[str]
    modules: list[AeoModuleRead]
    items: list[Any]
    assessed_by: str
    assessed_at: datetime
    fact_id: int | None
