"""Input and output shapes of accounts and tenancy (账号与租户); secrets appear only when just issued."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TenantCreate(BaseModel):
    """A new sub-platform (hub/<city>) or front window (hub/<city>/<window>)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Tenant path, e.g. hub/zhengzhou or hub/zhengzhou/window-3.")
    name: str = Field(min_length=1, max_length=100, description="Name, e.g. 郑州分平台.")


class TenantRead(BaseModel):
    """A tenant of the 1+M+N structure."""

    path: str
    name: str
    kind: str
    parent: str | None


class AccountCreate(BaseModel):
    """A new account; the password may be left out for a system that signs in only with API keys."""

    model_config = ConfigDict(extra="forbid")

    username: str
    role: str = Field(description="zone_admin, agency_officer, enterprise_user, declaring_agent, auditor, consumer")
    display_name: str | None = None
    agency: str | None = Field(default=None, description="customs, tax, fx, market, post or commerce (officers).")
    enterprise_code: str | None = Field(default=None, description="Customs code of the enterprise (enterprise users).")
    tenant: str | None = Field(default=None, description="Tenant path; enterprise users take their enterprise's.")
    password: str | None = Field(default=None, description="At least 10 characters; stored as an argon2 hash.")


class AccountRead(BaseModel):
    """An account as shown to administrators (never its password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    agency: str | None
    enterprise_code: str | None
    tenant: str
    active: bool
    has_password: bool
    created_at: datetime
    last_login_at: datetime | None


class ApiKeyCreate(BaseModel):
    """A new API key for the caller, or (administrators) for another account."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=100, description="What system uses the key.")
    scopes: list[str] | None = Field(default=None, description="Permissions the key carries; all of the account's.")
    days: int | None = Field(default=None, ge=1, le=730, description="Validity in days (default 365).")
    username: str | None = Field(default=None, description="Owner of the key; the caller when left out.")


class ApiKeyRead(BaseModel):
    """An API key without its secret."""

    id: int
    username: str
    label: str
    prefix: str
    scopes: list[str] | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    """A new API key with its secret: shown this once, stored only as a digest."""

    key: str


class DelegationCreate(BaseModel):
    """An enterprise's mandate to a declaring agent (委托申报)."""

    model_config = ConfigDict(extra="forbid")

    agent_code: str = Field(description="Customs code of the declaring agent (申报企业).")
    scopes: list[str] = Field(description="ceb.submit, clearance.read, taxbills.read, products.read, products.file")
    valid_from: datetime | None = Field(default=None, description="Start (now when left out).")
    valid_to: datetime = Field(description="End of the mandate.")
    grantor_code: str | None = Field(default=None, description="The delegating enterprise; the caller's own.")
    reason: str | None = None


class DelegationRevoke(BaseModel):
    """Why a mandate ends."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1)


class DelegationRead(BaseModel):
    """A mandate and its state."""

    id: int
    grantor_code: str
    agent_code: str
    scopes: list[str]
    valid_from: datetime
    valid_to: datetime
    granted_by: str
    granted_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None
    reason: str | None


class SignIn(BaseModel):
    """Username and password (JSON sign-in)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
