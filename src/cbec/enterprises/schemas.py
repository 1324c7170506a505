"""Input and output shapes of enterprise filing (企业备案); contact data is always masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EnterpriseCreate(BaseModel):
    """A new filing; the rules check every field and report every problem at once."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(description="Unified social credit code (统一社会信用代码), 18 characters.")
    customs_code: str = Field(description="Customs registration code (海关编码), 10 characters.")
    name: str = Field(description="Registered Chinese name.")
    name_en: str | None = None
    dxp_id: str | None = Field(default=None, description="Data exchange platform id, e.g. DXPENT0000458763.")
    roles: list[str] = Field(default_factory=list, description="ecommerce_platform, ecommerce_enterprise, ...")
    contact_name: str | None = None
    contact_phone: str | None = None
    zone: str = "hub"
    actor: str = Field(default="api", description="Who files (recorded in the audit trail).")


class StatusChange(BaseModel):
    """Why and by whom a filing's status changes."""

    model_config = ConfigDict(extra="forbid")

    reason: str
    actor: str | None = Field(default=None, description="Ignored over the API: the signed-in principal is recorded.")


class EnterpriseRead(BaseModel):
    """A filing as shown to users; the contact name and phone are masked."""

    id: int
    uscc: str
    customs_code: str
    name: str
    name_en: str | None
    dxp_id: str | None
    roles: list[str]
    contact_name: str | None
    contact_phone: str | None
    zone: str
    status: str
    filed_at: datetime
    updated_at: datetime


class EnterprisePage(BaseModel):
    """One page of filings."""

    items: list[EnterpriseRead]
    total: int
    limit: int
    offset: int


class AuditRead(BaseModel):
    """One audit record of a filing."""

    id: int
    at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class ImportReport(BaseModel):
    """What an import did; warnings did not stop it."""

    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: list[dict[str, Any]] = Field(default_factory=list)
