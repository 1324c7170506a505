"""Tables of accounts and tenancy (账号、会话、接口密钥、委托、租户).

Secrets are never stored: passwords as argon2 hashes, session tokens and API keys as SHA-256 digests of
random values (they are long and random, so a fast digest is enough and lets a request find its row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime
from cbec.storage.revisions import watch

# The revision token of who an API key stands for (migration perf02): keys, accounts, delegations, tenants.
ACCOUNT = "account"


class Tenant(Base):
    """A sub-platform or front window of the 1+M+N structure (分平台、服务窗口), below the hub."""

    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tenant.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Account(Base):
    """A user or a system that signs in with a password or an API key (账号)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), index=True)
    agency: Mapped[str | None] = mapped_column(String(20), nullable=True)
    enterprise_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    tenant: Mapped[str] = mapped_column(String(120), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSession(Base):
    """A signed-in browser session (网页会话); the cookie holds the token, the table its digest."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("account.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ApiKey(Base):
    """An API key of a system (接口密钥): shown once, stored as a digest, scoped, expiring, revocable."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("account.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None: every permission of the account
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Delegation(Base):
    """An enterprise's mandate to a declaring agent (委托申报授权), with its scope and validity."""

    __tablename__ = "delegation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    grantor_code: Mapped[str] = mapped_column(String(18), index=True)
    agent_code: Mapped[str] = mapped_column(String(18), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime] = mapped_column(UtcDateTime)
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LoginFailure(Base):
    """A failed sign-in, counted to slow down password guessing (登录失败记录)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


for _model in (Tenant, Account, ApiKey, Delegation):
    watch(_model, ACCOUNT)
