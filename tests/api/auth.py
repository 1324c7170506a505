"""Authenticated test clients: an account and an API key per role, made through the accounts use cases."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account, create_api_key
from cbec.api.app import create_app
from cbec.storage.context import Context


def key_for(
    ctx: Context,
    role: str = "zone_admin",
    *,
    agency: str | None = None,
    enterprise_code: str | None = None,
    tenant: str | None = None,
    username: str | None = None,
    scopes: list[str] | None = None,
) -> str:
    """Create an account of a role (no password) and return a new API key of it."""
    name = username or f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    create_account(
        ctx,
        AccountCreate(username=name, role=role, agency=agency, enterprise_code=enterprise_code, tenant=tenant),
        actor="test",
    )
    return create_api_key(ctx, username=name, label="test", actor="test", scopes=scopes).key


def client_for(ctx: Context, role: str = "zone_admin", **account: str | None) -> TestClient:
    """Return a client of the whole application that sends an API key of a new account of the role."""
    key = key_for(ctx, role, **account)  # type: ignore[arg-type]
    return TestClient(create_app(ctx), headers={"Authorization": f"Bearer {key}"})


def admin_client(ctx: Context) -> TestClient:
    """Return a client of a zone administrator at the hub."""
    return client_for(ctx, "zone_admin")
