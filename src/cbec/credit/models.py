"""Tables of the credit system (信用体系): subjects, the append-only bitemporal fact table, overrides,
effective-dated configuration and stored ratings.

``credit_fact`` is append-only (migration credit01 refuses UPDATE): a correction is a new row that names the row
it supersedes (``supersedes_id``), a withdrawal a new row with ``retracted``. Each row has two times: when the fact
holds in the world (``valid_from`` … ``valid_to``, with the publication window computed from configuration) and
when the platform learnt it (``recorded_at``), so a rating can be asked "as of day D, as known at time T".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class CreditSubject(Base):
    """Who facts are about: an enterprise (credit code and/or customs code) or a person (keyed hash only)."""

    __tablename__ = "credit_subject"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # SubjectKind
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    customs_code: Mapped[str | None] = mapped_column(String(10), unique=True, nullable=True)
    person_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)  # blind index, never the ID
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)  # the filing's tenant; "hub" when unknown
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditFact(Base):
    """One credit fact as recorded (信用信息): never changed; corrections supersede it."""

    __tablename__ = "credit_fact"
    __table_args__ = (Index("ix_credit_fact_subject_valid", "subject_id", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"))
    fact_type: Mapped[str] = mapped_column(String(30))  # FactType
    severity: Mapped[str] = mapped_column(String(10))  # Severity
    source: Mapped[str] = mapped_column(String(20))  # Source
    tier: Mapped[str | None] = mapped_column(String(30), nullable=True)
    grade: Mapped[str | None] = mapped_column(String(10), nullable=True)
    list_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    document_no: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    publish_min_until: Mapped[date] = mapped_column(Date)
    publish_max_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # e.g. the inventories a platform count is made of
    supersedes_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True, index=True)
    retracted: Mapped[bool] = mapped_column(Boolean)
    dedupe_key: Mapped[str | None] = mapped_column(String(250), unique=True, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))


class CreditOverride(Base):
    """A level set by an officer for a while (人工调整), with who and why; append-only like facts."""

    __tablename__ = "credit_override"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    level: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditConfig(Base):
    """An effective-dated configuration document: a customs scheme, disclosure windows or a rating ruleset."""

    __tablename__ = "credit_config"
    __table_args__ = (UniqueConstraint("kind", "code", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # ConfigKind
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    value: Mapped[Any] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    legal_basis: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    loaded_by: Mapped[str] = mapped_column(String(100))


class CreditScore(Base):
    """A published rating of a subject on a day (written by ``cbec credit rate``): what others may read as data."""

    __tablename__ = "credit_score"
    __table_args__ = (Index("ix_credit_score_subject_on", "subject_id", "on_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"))
    on_date: Mapped[date] = mapped_column(Date)
    ruleset: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(4))
    score: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    computed_by: Mapped[str] = mapped_column(String(100))


class CreditRepair(Base):
    """An enterprise's application to repair one of its facts (信用修复申请), reviewed by one officer and decided by
    another (maker-checker). Approval appends a fact row ending the publication; the original stays recorded."""

    __tablename__ = "credit_repair"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # RepairStatus
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(Text)  # the signed commitment (信用承诺) as the applicant wrote it
    training: Mapped[str | None] = mapped_column(Text, nullable=True)  # serious facts: the training attended
    applicant: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)  # maker-checker compares accounts
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)


class CreditObjection(Base):
    """An objection against a recorded fact (异议申请), with its review deadline from configuration."""

    __tablename__ = "credit_objection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # ObjectionStatus
    reason: Mapped[str] = mapped_column(Text)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    applicant: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_on: Mapped[date] = mapped_column(Date)
    deadline_basis: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)


class CreditPublicationEnd(Base):
    """The end of a fact's publication as recorded (公示终止): by the daily job at its maximum window, by a repair."""

    __tablename__ = "credit_publication_end"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    cause: Mapped[str] = mapped_column(String(10))  # expired | repaired
    ended_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))


class CreditOverrideRequest(Base):
    """A level override proposed by one officer and approved (or rejected) by another (maker-checker)."""

    __tablename__ = "credit_override_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | approved | rejected
    level: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)  # maker-checker compares accounts
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    override_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_override.id"), nullable=True)


class CreditMeasureApplied(Base):
    """A measure of the catalogue applied to a list entry (名单惩戒措施): from the day the entry came into force until
    it is lifted (解除) by a repair, a withdrawal, a correction or the end of the entry. Joint (cross-department)
    measures only for serious-list entries. Lifting sets ``ended_on``, ``lifted_by`` and ``lift_cause``."""

    __tablename__ = "credit_measure_applied"
    __table_args__ = (UniqueConstraint("fact_id", "measure_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), index=True)  # the list entry
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    list_type: Mapped[str] = mapped_column(String(30))
    measure_code: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(8))  # MeasureScope: own | joint
    department: Mapped[str] = mapped_column(String(20))
    catalogue: Mapped[str] = mapped_column(String(64))  # the catalogue in force when applied, code@version
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    lift_cause: Mapped[str | None] = mapped_column(String(12), nullable=True)  # LiftCause
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(100))


class CreditScreenAlert(Base):
    """A screening hit above the threshold (筛查预警), kept for an officer's review: the filed enterprise screened,
    the list entry it matched, the score and the features with their weights; open until confirmed or dismissed."""

    __tablename__ = "credit_screen_alert"
    __table_args__ = (UniqueConstraint("subject_code", "fact_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_code: Mapped[str] = mapped_column(String(18))  # the screened filing's credit code
    customs_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    subject_name: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(String(120), index=True)  # the screened filing's tenant
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), index=True)  # the list entry
    list_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 4), index=True)
    matched: Mapped[str] = mapped_column(String(20))
    features: Mapped[list[Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), index=True)  # open | confirmed | dismissed
    screened_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewer: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # What was screened (crda01): a filing, or a party of a declaration as it arrived (its role and number)
    origin: Mapped[str] = mapped_column(String(24), default="filing", server_default="filing")  # | a document kind
    origin_ref: Mapped[str | None] = mapped_column(String(60), nullable=True)  # the declaration's order number
    role: Mapped[str | None] = mapped_column(String(12), nullable=True)  # declarations.PARTIES roles
    reviewer_account: Mapped[int | None] = mapped_column(BigId, nullable=True)  # maker-checker compares accounts
    # A confirmed alert recorded by a second officer: the list_entry fact about the screened enterprise
    recorded_fact_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CreditThirdPartyReport(Base):
    """A signed report of an accredited agency (第三方信用评价报告), kept as signed; its grade is a capped fact."""

    __tablename__ = "credit_thirdparty_report"
    __table_args__ = (UniqueConstraint("agency_code", "report_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    accreditation: Mapped[str] = mapped_column(String(100))
    method_ref: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    report_no: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(4))  # the grade mapped to the zone's levels
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    algorithm: Mapped[str] = mapped_column(String(20))
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # base64, over the report's canonical JSON
    document: Mapped[dict[str, Any]] = mapped_column(JSON)  # the report as signed
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(100))


class CreditReviewTask(Base):
    """A disagreement of more than one notch between an agency's grade and the zone's level (评价分歧复核)."""

    __tablename__ = "credit_review_task"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_thirdparty_report.id"), unique=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # open | closed
    agency_level: Mapped[str] = mapped_column(String(4))
    zone_level: Mapped[str] = mapped_column(String(4))
    notches: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)  # keep | withdraw
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    result_fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)


class CreditRulesetProposal(Base):
    """A rating ruleset proposed by one officer, dry-run, and published (loaded) only by another account."""

    __tablename__ = "credit_ruleset_proposal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | published | rejected
    dry_run: Mapped[dict[str, Any]] = mapped_column(JSON)  # distribution and movers when proposed
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    config_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_config.id"), nullable=True)


class CreditListRequest(Base):
    """A change to a negative list made on the console (名单管理): an entry added, ended early or corrected.

    The change is a new ``list_entry`` fact (a correction or an end supersedes the entry; nothing is updated). On a
    serious list it counts only once a second officer (another **account**) confirms it (``pending`` → ``recorded``
    or ``rejected``); on other lists it is recorded at once. ``payload`` holds the fact's fields as entered, never a
    person's ID number (the subject is kept by id: a keyed hash)."""

    __tablename__ = "credit_list_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(10))  # add | end | correct
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | recorded | rejected
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    list_type: Mapped[str] = mapped_column(String(30))
    serious: Mapped[bool] = mapped_column(Boolean)  # a serious list: maker-checker
    target_fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)


class CreditUncorrected(Base):
    """A fact flagged **uncorrected** (未整改): its publication continues past the window's maximum under a sector rule
    (six-systems §2(g)). One officer flags it with the rule and a reason, another **account** confirms it; the
    confirmation appends a row superseding the fact with ``publish_max_until`` = ``until`` (open when empty), so
    the rating, the lists and the daily job follow it, and an as-of query before it sees the window as it was."""

    __tablename__ = "credit_uncorrected"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fact_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_fact.id"), index=True)  # the row flagged
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | confirmed | rejected
    legal_basis: Mapped[str] = mapped_column(Text)  # the sector rule that continues publication
    reason: Mapped[str] = mapped_column(Text)
    window_max: Mapped[date] = mapped_column(Date)  # the window's maximum it continues past
    until: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: until repaired
    flagged_by: Mapped[str] = mapped_column(String(100))
    flagged_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    flagged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)


class CreditEvidence(Base):
    """An evidence file of a repair application, an objection or a fact, **encrypted at rest** (it may hold
    personal data: ``ctx.cipher``); read by the subject's enterprise and by officers, every read audited."""

    __tablename__ = "credit_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # repair | objection | fact | list (a list request)
    reference_id: Mapped[int] = mapped_column(BigId)  # the repair application, objection or fact
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)  # ctx.cipher token of the base64 content
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CreditAeoAssessment(Base):
    """An AEO self-assessment stored (认证标准自评记录): the items as scored against a standard version, the module
    totals, the score, pass or fail with the reasons, who assessed it (account), and the credit fact it became."""

    __tablename__ = "credit_aeo_assessment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("credit_subject.id"), index=True)
    standard: Mapped[str] = mapped_column(String(80))  # code@version
    items: Mapped[list[Any]] = mapped_column(JSON)
    modules: Mapped[list[Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    assessed_by: Mapped[str] = mapped_column(String(100))
    assessed_by_account: Mapped[int | None] = mapped_column(BigId, nullable=True)
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fact_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("credit_fact.id"), nullable=True)
