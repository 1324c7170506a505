"""Input and output shapes of list management on the console (名单管理) and of configuration over REST."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EvidenceFileIn(BaseModel):
    """An evidence file sent with an application, an objection or a fact: PDF, JPEG or PNG, base64, ≤ 700 KB."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(max_length=400)
    content_type: str = Field(max_length=100, description="application/pdf, image/jpeg or image/png.")
    data: str = Field(description="The file's bytes, base64-encoded.")


class ListEntryIn(BaseModel):
    """A list entry an officer adds: the subject by credit or customs code, or a person by ID number (kept as a keyed
    hash only). The actor is never a field."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(default=None, description="The enterprise's credit code or customs code.")
    person_id: str | None = Field(default=None, description="A person's resident ID number (stored as a keyed hash).")
    subject_name: str | None = Field(default=None, description="The enterprise's name as the list publishes it.")
    list_type: str = Field(description="court_dishonest, tax_major, market_serious, customs_serious or zone.")
    source: str
    severity: str = Field(description="minor, general or serious (only serious entries carry joint measures).")
    legal_basis: str | None = None
    document_no: str | None = None
    decided_on: str
    valid_from: str | None = None
    valid_to: str | None = None
    evidence_sha256: str | None = None
    note: str | None = None
    evidence_file: EvidenceFileIn | None = Field(default=None, description="The decision's file (its digest is kept).")

    def raw(self) -> dict[str, str]:
        """Return the entry as the raw mapping of a ``list_entry`` fact."""
        values: dict[str, Any] = self.model_dump(exclude={"evidence_file"})
        values["fact_type"] = "list_entry"
        return {k: "" if v is None else str(v) for k, v in values.items()}


class ListCorrectionIn(BaseModel):
    """A correction of an entry: its new content (the subject stays the entry's), and why."""

    model_config = ConfigDict(extra="forbid")

    list_type: str
    source: str
    severity: str
    legal_basis: str | None = None
    document_no: str | None = None
    decided_on: str
    valid_from: str | None = None
    valid_to: str | None = None
    evidence_sha256: str | None = None
    reason: str = Field(description="Why the entry is corrected (kept with the request and the audit).")
    evidence_file: EvidenceFileIn | None = Field(default=None, description="The decision's file (its digest is kept).")


class ListEndIn(BaseModel):
    """An entry ended early: the day it stops (exclusive) and why."""

    model_config = ConfigDict(extra="forbid")

    ends_on: date = Field(description="The first day the entry no longer holds.")
    reason: str


class ListRequestRead(BaseModel):
    """A change to a list and where it stands (``recorded`` once its fact is written)."""

    id: int
    action: str
    status: str
    subject: str
    list_type: str
    serious: bool
    target_fact_id: int | None
    payload: dict[str, Any]
    reason: str | None
    proposed_by: str
    proposed_by_account: int | None = Field(description="The proposer's account (maker-checker compares accounts).")
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    fact_id: int | None


class ConfigDocumentRead(BaseModel):
    """A stored configuration document (``value`` only when one document is shown)."""

    id: int
    kind: str
    code: str
    version: str
    effective_from: date
    effective_to: date | None
    digest: str
    legal_basis: str | None
    loaded_at: datetime
    loaded_by: str
    in_force: bool = Field(description="The document of its kind and code in force today.")
    value: Any = None


class ConfigLoadIn(BaseModel):
    """Configuration documents to load, all or none: ``{"documents": [{"kind": …, "document": {…}}]}``."""

    model_config = ConfigDict(extra="forbid")

    documents: list[dict[str, Any]] = Field(min_length=1, max_length=50)


class UncorrectedIn(BaseModel):
    """A fact flagged uncorrected: its publication continues past the window's maximum under a sector rule."""

    model_config = ConfigDict(extra="forbid")

    fact_id: int
    legal_basis: str = Field(description="The sector rule under which publication continues.")
    reason: str = Field(description="Why the behaviour is not corrected.")
    until: date | None = Field(default=None, description="The new end of publication (empty: until repaired).")


class UncorrectedRead(BaseModel):
    """A flag and where it stands (``confirmed``: the row ``result_fact_id`` carries the new end)."""

    id: int
    fact_id: int
    subject: str
    status: str
    legal_basis: str
    reason: str
    window_max: date
    until: date | None
    flagged_by: str
    flagged_by_account: int | None
    flagged_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    result_fact_id: int | None


class UncorrectedPastRead(BaseModel):
    """A fact the daily job keeps publishing past its window's maximum because it is flagged uncorrected."""

    fact_id: int
    subject: str
    fact_type: str
    severity: str
    document_no: str | None
    window_max: date
    published_until: date | None
    flag: int


class EvidenceRead(BaseModel):
    """A stored evidence file (its content is downloaded on its own, every read audited)."""

    id: int
    subject: str
    purpose: str
    reference_id: int
    sha256: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
