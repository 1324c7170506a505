"""Input and output shapes of information sharing (信息共享)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SubscriptionCreate(BaseModel):
    """A new subscription; an enterprise only ever sees documents it takes part in."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Unique name, used in /api/v1/feeds/{name}/events.")
    subscriber_kind: str = Field(description="agency | enterprise")
    subscriber_code: str = Field(description="Agency name (customs, tax…) or the enterprise's customs code.")
    scope: str = Field(
        default="ALL", description="BaseSubscribe semantics: ALL, DATA (declarations) or RET (receipts)."
    )
    document_types: list[str] = Field(
        default_factory=list, description="e.g. CEB621Message, CEB622Message; empty: all."
    )
    zones: list[str] = Field(default_factory=list, description="Customs districts, e.g. 4601; empty: all.")
    parties: list[str] = Field(default_factory=list, description="Enterprise codes taking part; empty: all.")
    statuses: list[str] = Field(default_factory=list, description="Only events with these statuses (e.g. 800).")
    webhook_url: str | None = Field(default=None, description="Push events here (HMAC-SHA256 signed).")
    actor: str = "api"


class SubscriptionRead(BaseModel):
    """A subscription as shown (the webhook secret is never shown again)."""

    id: int
    name: str
    subscriber_kind: str
    subscriber_code: str
    scope: str
    document_types: list[str]
    zones: list[str]
    parties: list[str]
    statuses: list[str]
    webhook_url: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionRead):
    """A new subscription with its webhook signing secret, shown once."""

    webhook_secret: str | None


class EventRead(BaseModel):
    """One event of a feed; ``position`` orders the feed and is the cursor value."""

    position: int
    occurred_at: datetime
    kind: str
    document_type: str
    business_key: str
    zone: str
    status: str | None
    parties: list[str]
    payload: dict[str, Any]


class FeedPage(BaseModel):
    """A page of a feed; pass ``next_after`` as ``after`` to read on."""

    subscription: str
    after: int
    next_after: int
    cursor: int
    events: list[EventRead]


class DeadLetterRead(BaseModel):
    """An event the webhook refused until the attempts ran out (死信)."""

    position: int
    business_key: str
    attempts: int
    last_error: str | None
    updated_at: datetime
