"""Input and output shapes of the credit system (pydantic).

Split by use case: third-party evaluation, ruleset proposals and the AEO scorer are in ``schemas.evaluation``,
re-exported here (other packages import ``cbec.credit.schemas`` only).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cbec.credit.schemas.evaluation import (
    AeoAssessIn as AeoAssessIn,
)
from cbec.credit.schemas.evaluation import (
    AeoAssessmentRead as AeoAssessmentRead,
)
from cbec.credit.schemas.evaluation import (
    AeoModuleRead as AeoModuleRead,
)
from cbec.credit.schemas.evaluation import (
    AeoScoreRead as AeoScoreRead,
)
from cbec.credit.schemas.evaluation import (
    ReviewTaskRead as ReviewTaskRead,
)
from cbec.credit.schemas.evaluation import (
    RulesetProposalIn as RulesetProposalIn,
)
from cbec.credit.schemas.evaluation import (
    RulesetProposalRead as RulesetProposalRead,
)
from cbec.credit.schemas.evaluation import (
    ThirdPartyImportIn as ThirdPartyImportIn,
)
from cbec.credit.schemas.evaluation import (
    ThirdPartyImportReport as ThirdPartyImportReport,
)
from cbec.credit.schemas.evaluation import (
    ThirdPartyReportRead as ThirdPartyReportRead,
)
from cbec.credit.schemas.lists import ConfigDocumentRead as ConfigDocumentRead
from cbec.credit.schemas.lists import ConfigLoadIn as ConfigLoadIn
from cbec.credit.schemas.lists import EvidenceFileIn as EvidenceFileIn
from cbec.credit.schemas.lists import EvidenceRead as EvidenceRead
from cbec.credit.schemas.lists import ListCorrectionIn as ListCorrectionIn
from cbec.credit.schemas.lists import ListEndIn as ListEndIn
from cbec.credit.schemas.lists import ListEntryIn as ListEntryIn
from cbec.credit.schemas.lists import ListRequestRead as ListRequestRead
from cbec.credit.schemas.lists import UncorrectedIn as UncorrectedIn
from cbec.credit.schemas.lists import UncorrectedPastRead as UncorrectedPastRead
from cbec.credit.schemas.lists import UncorrectedRead as UncorrectedRead


class FactIn(BaseModel):
    """A fact an agency enters (REST body, or one row of an import file); the actor is never a field."""

    model_config = ConfigDict(extra="ignore")

    subject: str = Field(description="The enterprise's 18-character credit code or 10-character customs code.")
    subject_name: str | None = Field(
        default=None, description="The enterprise's name as the list publishes it (kept when none is known)."
    )
    fact_type: str
    source: str
    severity: str | None = None
    decided_on: str
    valid_from: str | None = None
    valid_to: str | None = None
    tier: str | None = None
    grade: str | None = None
    list_type: str | None = None
    quantity: int | None = None
    legal_basis: str | None = None
    document_no: str | None = None
    evidence_sha256: str | None = None
    note: str | None = None
    supersedes: int | None = Field(default=None, description="Id of the fact this row corrects.")
    retracted: bool = Field(default=False, description="The superseded fact is withdrawn (no new content).")
    evidence_file: EvidenceFileIn | None = Field(default=None, description="The decision's file (its digest is kept).")

    def raw(self) -> dict[str, Any]:
        """Return the fact as the raw mapping the rules check."""
        values = self.model_dump(exclude={"evidence_file"})
        values["retracted"] = "true" if self.retracted else ""
        return {k: ("" if v is None else str(v)) for k, v in values.items()}


class FactRead(BaseModel):
    """A recorded fact."""

    id: int
    subject: str
    fact_type: str
    severity: str
    source: str
    tier: str | None
    grade: str | None
    list_type: str | None
    quantity: int
    legal_basis: str | None
    document_no: str | None
    decided_on: date
    valid_from: date
    valid_to: date | None
    publish_min_until: date
    publish_max_until: date | None
    evidence_sha256: str | None
    supersedes: int | None
    retracted: bool
    recorded_at: datetime
    recorded_by: str


class ContributionRead(BaseModel):
    """One counting fact and its modifier."""

    fact_id: int
    fact_type: str
    severity: str
    modifier: str | None
    points: int
    counted: int
    document_no: str | None = None
    decided_on: date | None = None
    publish_max_until: date | None = None


class FloorRead(BaseModel):
    """A floor that matched."""

    id: str
    bound: str
    level: str
    fact_ids: list[int]
    changed: bool
    description: str


class OverrideRead(BaseModel):
    """An override in force."""

    id: int
    level: str
    reason: str
    actor: str
    valid_from: date
    valid_until: date


class RatingRead(BaseModel):
    """A subject's level on a day, and why."""

    subject: str
    kind: str
    name: str | None
    on: date
    known_at: datetime | None
    ruleset: str
    level: str
    score: int
    computed_level: str
    score_level: str
    floors: list[FloorRead]
    contributions: list[ContributionRead]
    override: OverrideRead | None


class ImportReport(BaseModel):
    """What an import did."""

    source: str
    rows: int
    recorded: int
    subjects_created: int


class Mover(BaseModel):
    """A subject whose level would change."""

    subject: str
    before: str | None
    after: str
    score: int


class RateReport(BaseModel):
    """What a rating run did (or, dry, would do): the level distribution and the movers."""

    on: date
    ruleset: str
    dry_run: bool
    subjects: int
    distribution: dict[str, int]
    movers: list[Mover]
    stored: int
    measures_changed: int = 0  # enterprises whose supervision measures changed (分类监管), when published


class ConfigReport(BaseModel):
    """What a configuration load did."""

    loaded: list[str]
    unchanged: list[str]


class ConsumeReport(BaseModel):
    """What applying the platform's events did."""

    handled: int
    position: int
    facts_recorded: int
    alerts_new: int = 0  # declarations' parties screened: alerts stored
    alerts_known: int = 0  # hits whose (enterprise, entry) alert was stored already


class ScreenIn(BaseModel):
    """A name (and optional codes) to screen against the negative lists in force (名单筛查)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="An enterprise's name, in any script or width.")
    uscc: str | None = Field(default=None, description="An 18-character credit code: exact match first.")
    customs_code: str | None = Field(default=None, description="A 10-character customs code: exact match first.")
    person_id: str | None = Field(
        default=None, description="A person's ID number, matched by its keyed hash only (the hub's callers)."
    )
    on: str | None = Field(default=None, description="The day the lists are read on (default: today).")
    threshold: float | None = Field(default=None, description="Alert threshold in [0.5, 1] (default: shipped).")
    limit: int = Field(default=20, description="Most hits returned, 1 to 100.")


class ScreenFeature(BaseModel):
    """One feature of a name hit: its value in [0, 1], its weight and what it adds to the score."""

    name: str
    value: float
    weight: float
    contribution: float


class ScreenHit(BaseModel):
    """A list entry a query matched: the list, its legal basis, the score and the features behind it."""

    fact_id: int
    subject: str
    name: str | None  # None for a person: persons are never named
    list_type: str | None
    source: str
    severity: str
    legal_basis: str | None
    document_no: str | None
    decided_on: date
    valid_to: date | None
    publish_max_until: date | None
    score: float
    band: str  # "top" (identifiers, names identical but for script and width) or "review"
    matched: str  # uscc, customs_code, person_key or name
    features: list[ScreenFeature]


class ScreenReport(BaseModel):
    """The hits of one query, best first."""

    query: str  # the name or the code screened (never a person's ID number)
    on: date
    threshold: float
    entries: int  # list entries in force screened against
    hits: list[ScreenHit]


class ScreenBatch(BaseModel):
    """Every filed enterprise screened: the ones with hits."""

    on: date
    threshold: float
    entries: int
    screened: int
    flagged: int
    results: list[ScreenReport]
    alerts_new: int = 0  # alerts stored by this run (cbec credit screen --all)
    alerts_known: int = 0  # hits already stored as alerts by an earlier run (left as they are)


# --- repair, objections, the daily job, override requests --------------------------------------------------------


class RepairIn(BaseModel):
    """An application to repair one fact (信用修复申请); the applicant is the signed-in caller, never a field."""

    model_config = ConfigDict(extra="forbid")

    fact_id: int = Field(description="The fact to repair (one of the caller's subject's current facts).")
    evidence_sha256: str = Field(default="", description="SHA-256 of the evidence of the correction, 64 hex.")
    description: str = Field(default="", description="What was corrected, and when.")
    commitment: str = Field(default="", description="The enterprise's credit commitment (信用承诺).")
    training: str | None = Field(default=None, description="Serious facts: the credit-repair training attended.")
    evidence_file: EvidenceFileIn | None = Field(default=None, description="The evidence itself (its digest is kept).")


class DecisionIn(BaseModel):
    """An officer's decision: ``approve``/``reject`` (a repair: ``propose`` first), ``uphold``/``dismiss``."""

    model_config = ConfigDict(extra="forbid")

    action: str
    note: str | None = None


class RepairRead(BaseModel):
    """A repair application and where it stands."""

    id: int
    subject: str
    fact_id: int
    fact_type: str
    severity: str
    document_no: str | None
    status: str
    evidence_sha256: str
    description: str
    commitment: str
    training: str | None
    applicant: str
    applied_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    result_fact_id: int | None


class ObjectionIn(BaseModel):
    """An objection against one fact (异议); the applicant is the signed-in caller."""

    model_config = ConfigDict(extra="forbid")

    fact_id: int
    reason: str = ""
    evidence_sha256: str | None = None
    evidence_file: EvidenceFileIn | None = None


class ObjectionRead(BaseModel):
    """An objection and where it stands."""

    id: int
    subject: str
    fact_id: int
    fact_type: str
    severity: str
    document_no: str | None
    status: str
    reason: str
    evidence_sha256: str | None
    applicant: str
    filed_at: datetime
    due_on: date
    overdue: bool
    deadline_basis: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    result_fact_id: int | None


class OverrideRequestIn(BaseModel):
    """A level override proposed by an officer (a second officer approves it)."""

    model_config = ConfigDict(extra="forbid")

    subject: str
    level: str
    reason: str = ""
    until: date
    valid_from: date | None = None


class OverrideRequestRead(BaseModel):
    """An override request and where it stands."""

    id: int
    subject: str
    status: str
    level: str
    reason: str
    valid_from: date
    valid_until: date
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    override_id: int | None


class EndedRead(BaseModel):
    """A fact whose publication the daily job ended."""

    fact_id: int
    subject: str
    fact_type: str
    severity: str
    document_no: str | None
    publish_max_until: date


class DailyReport(BaseModel):
    """What the daily job did: publications ended at their maximum window, objections past their deadline."""

    on: date
    ended: list[EndedRead]
    overdue_objections: list[ObjectionRead]
    open_repairs: int
    open_objections: int
    events: int
    measures_applied: int = 0  # list measures applied (entries come into force)
    measures_lifted: int = 0  # list measures lifted (entries ended, repaired or withdrawn)
    uncorrected: list[UncorrectedPastRead] = []  # published past the window's maximum: flagged uncorrected


# --- negative lists: measure catalogues, applied measures, screening alerts, the public lists ----------------------


class CatalogueMeasureRead(BaseModel):
    """A measure of a list's catalogue."""

    code: str
    scope: str  # own | joint (cross-department: serious lists only)
    department: str
    zh: str
    en: str
    legal_basis: str
    verified: str  # src, src-2, design or no (not in the sources read)
    clearance: str | None  # hold | inspection | None (recorded only)
    rate: float | None


class ListCatalogueRead(BaseModel):
    """A list type with its legal basis and measure catalogue."""

    list_type: str
    name_zh: str
    name_en: str
    department: str
    serious: bool
    legal_basis: str
    verified: str
    measures: list[CatalogueMeasureRead]


class CatalogueRead(BaseModel):
    """The measure catalogues in force on a day."""

    code: str
    version: str
    effective_from: date
    legal_basis: str
    lists: list[ListCatalogueRead]


class ListEntryRead(BaseModel):
    """A list entry in force (a current ``list_entry`` fact counting on the day) with its measures."""

    fact_id: int
    subject: str
    name: str | None  # None for a person
    kind: str  # enterprise | person
    list_type: str | None
    source: str
    severity: str
    legal_basis: str | None
    document_no: str | None
    decided_on: date
    valid_from: date
    valid_to: date | None
    publish_max_until: date | None
    measures: list[str]  # codes of the measures applied and not lifted


class ListEntryPage(BaseModel):
    """One page of the list entries in force."""

    on: date
    items: list[ListEntryRead]
    total: int
    limit: int
    offset: int


class AppliedMeasureRead(BaseModel):
    """A measure applied to a list entry, with its start and, once lifted, its end, cause and who lifted it."""

    id: int
    fact_id: int
    subject: str
    list_type: str
    measure_code: str
    scope: str
    department: str
    zh: str | None
    en: str | None
    catalogue: str
    started_on: date
    ended_on: date | None
    lift_cause: str | None
    lifted_by: str | None


class ClearanceMeasureRead(BaseModel):
    """A supervision measure in force on an enterprise, as clearance applies it (分类监管与便利措施)."""

    kind: str  # hold, inspection, priority, guarantee_exempt, full_guarantee, no_facilitation
    source: str  # credit (the level) or credit_list (a list entry); risk and officers' measures are not shown
    rate: float | None
    reference: str
    reason: str
    since: datetime


class MeasureSync(BaseModel):
    """What one pass over the list entries changed."""

    entries: int  # list entries whose measures were applied or lifted (one event each)
    applied: int
    lifted: int
    supervision: int  # enterprises whose clearance measures (source credit_list) changed


class AlertRead(BaseModel):
    """A stored screening hit for an officer's review."""

    id: int
    subject: str  # the screened filing's credit code
    customs_code: str | None
    name: str
    fact_id: int
    list_type: str | None
    entry_subject: str
    entry_name: str | None
    score: float
    band: str
    matched: str
    features: list[ScreenFeature]
    state: str  # open | confirmed | dismissed
    screened_on: date
    reviewer: str | None
    note: str | None
    decided_at: datetime | None
    origin: str = "filing"  # filing, or the document kind of a declaration screened as it arrived (export_inventory …)
    origin_ref: str | None = None  # the declaration's order number
    role: str | None = None  # the screened enterprise's role in it: platform, ecommerce, agent, logistics
    recorded_fact_id: int | None = None  # the list_entry fact a second officer recorded about the screened enterprise
    recorded_by: str | None = None


class AlertPage(BaseModel):
    """One page of alerts, best score first."""

    items: list[AlertRead]
    total: int
    limit: int
    offset: int


class AlertDecisionIn(BaseModel):
    """An officer's decision on an alert: ``confirm`` or ``dismiss`` (with a note) an open one; ``record`` a
    confirmed one (a second officer: the match becomes a list_entry fact); the reviewer is the caller."""

    model_config = ConfigDict(extra="forbid")

    action: str
    note: str | None = None


class PublicEntryRead(BaseModel):
    """A list entry as the public page shows it: enterprises only, a personal name masked."""

    name: str
    uscc: str | None
    list_type: str
    list_name_zh: str
    list_name_en: str
    legal_basis: str | None
    list_legal_basis: str
    decided_on: date
    valid_to: date | None
    measures: list[CatalogueMeasureRead]
