"""What risk disposal answers and takes (pydantic): cases, their alerts and actions, snoozes, review figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from cbec.risk.schemas import AlertRead


class CaseAlertRead(BaseModel):
    """An alert of a case: the stored alert with its trace in words, and its label."""

    model_config = ConfigDict(frozen=True)

    id: int
    snoozed: bool
    outcome: str | None = Field(description="confirmed, valuable or false_positive once the case is closed.")
    alert: AlertRead


class ActionRead(BaseModel):
    """A typed action on a case."""

    model_config = ConfigDict(frozen=True)

    id: int
    case_id: int
    kind: str
    state: str = Field(description="done, or proposed → confirmed / rejected (two-person actions).")
    actor: str
    at: datetime
    comment: str
    detail: dict[str, object]
    checked_by: str | None
    checked_at: datetime | None
    check_comment: str | None


class CaseRead(BaseModel):
    """A disposal case (处置案件) of one pivot."""

    model_config = ConfigDict(frozen=True)

    id: int
    tenant: str | None
    pivot_kind: str = Field(description="buyer, phone, address (pseudonymous keys), enterprise or platform (codes).")
    pivot_key: str
    state: str
    score: int = Field(description="The highest score of its alerts.")
    band: str
    typologies: list[str]
    alerts: int
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    outcome: str | None


class CaseDetail(BaseModel):
    """A case with its alerts (trace in words), its actions and the snoozes on its pivot."""

    case: CaseRead
    alerts: list[CaseAlertRead]
    actions: list[ActionRead]
    snoozes: list[SnoozeRead]


class ActionCreate(BaseModel):
    """An action to take on a case (the actor is the signed-in officer)."""

    kind: str = Field(
        description="request_documents, inspect, hold, return, refer_agency, propose_list_entry, report_credit, "
        "note, close."
    )
    comment: str = Field("", max_length=4000)
    agency: str | None = Field(None, description="refer_agency: customs, tax, fx, market, post, commerce, police.")
    outcome: str | None = Field(None, description="close: confirmed, valuable or false_positive.")
    list_name: str | None = Field(None, description="propose_list_entry: watch or block.")


class ActionDecision(BaseModel):
    """A second officer's decision on a proposed action."""

    decision: str = Field(description="confirm or reject.")
    comment: str = Field("", max_length=4000)


class SnoozeCreate(BaseModel):
    """Silence a rule on a case's pivot for some days."""

    rule: str
    days: int = Field(30, description="1 … 365.")
    comment: str = Field("", max_length=4000)


class SnoozeRead(BaseModel):
    """A snooze of a rule on a pivot."""

    model_config = ConfigDict(frozen=True)

    id: int
    rule: str
    pivot_kind: str
    pivot_key: str
    until: datetime
    actor: str
    created_at: datetime
    comment: str
    active: bool


class TallyRead(BaseModel):
    """Review figures of one rule or typology."""

    model_config = ConfigDict(frozen=True)

    name: str
    alerts: int
    snoozed: int
    labelled: int
    confirmed_or_valuable: int
    false_positives: int
    precision: Decimal | None = Field(description="(confirmed + valuable) / labelled, 4 places; None unlabelled.")
    weeks: dict[str, int] = Field(description="Alerts per ISO week of the business day (drift over time).")


class ReviewRead(BaseModel):
    """The review read model (复盘): per rule and per typology."""

    since: date | None
    until: date | None
    rules: list[TallyRead]
    typologies: list[TallyRead]
    weeks: list[str]


class GatherReport(BaseModel):
    """What one pass of alerts into cases did."""

    alerts: int
    snoozed: int
    opened: int
    joined: int


CaseDetail.model_rebuild()
