"""API keys of systems (接口密钥): issue, identify, revoke, list."""

from __future__ import annotations

from datetime import UTC, timedelta

from cbec.accounts import repository as repo
from cbec.accounts.errors import AccountInvalid, AccountNotFound, CredentialsRefused
from cbec.accounts.identity import Identity
from cbec.accounts.models import Account, ApiKey
from cbec.accounts.passwords import digest, new_api_key
from cbec.accounts.rules import API_KEY_PREFIX, permissions_for, scope_problems
from cbec.accounts.schemas import ApiKeyIssued, ApiKeyRead
from cbec.accounts.service.identities import identity_of
from cbec.accounts.service.users import find_account
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.storage.context import Context

LAST_USED_RESOLUTION = timedelta(minutes=1)  # an API key's last use is written at most once a minute


def create_api_key(
    ctx: Context,
    *,
    username: str,
    label: str,
    actor: str,
    scopes: list[str] | None = None,
    days: int | None = None,
    scope: Scope | None = None,
    ceiling: frozenset[str] | None = None,
) -> ApiKeyIssued:
    """Issue an API key for an account; its scopes stay within the account's permissions and the ceiling.

    ``ceiling`` is what the issuer itself may do when it issues a key for its own account (a scoped key
    cannot mint a broader one). The secret is in the answer only.
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        account = find_account(session, username, scope)
        allowed = frozenset(p.value for p in permissions_for(account.role, account.agency))
        if ceiling is not None:
            allowed &= ceiling
        problems = scope_problems(scopes or [], allowed)
        if scopes is not None and not scopes:
            problems.append(
                Problem("ACC-SCOPE", "scopes", "a key needs at least one scope", "Leave scopes out for all.")
            )
        if not label.strip():
            problems.append(Problem("ACC-LABEL", "label", "a label is required", "Name the system that uses the key."))
        if problems:
            raise AccountInvalid("the API key breaks one or more rules", problems=problems)
        full = frozenset(p.value for p in permissions_for(account.role, account.agency))
        stored: list[str] | None = sorted(set(scopes)) if scopes else None
        if stored is None and allowed != full:
            stored = sorted(allowed)
        secret = new_api_key()
        row = ApiKey(
            account_id=account.id,
            label=label.strip(),
            prefix=secret[: len(API_KEY_PREFIX) + 8],
            key_hash=digest(secret),
            scopes=stored,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days or ctx.settings.api_key_days),
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.api_key.created",
            entity_type="api_key",
            entity_key=str(row.id),
            after={
                "username": account.username,
                "label": row.label,
                "prefix": row.prefix,
                "scopes": stored,
                "expires_at": row.expires_at.astimezone(UTC).isoformat(),
            },
        )
        uow.commit()
        return ApiKeyIssued(**_key_read(row, account).model_dump(), key=secret)


def identify_api_key(ctx: Context, key: str) -> Identity:
    """Return who holds an API key; refuse unknown, revoked and expired keys and disabled accounts."""
    refused = CredentialsRefused("接口密钥无效、已过期或已吊销 / the API key is unknown, expired or revoked")
    if not key.startswith(API_KEY_PREFIX) or len(key) > 200:
        raise refused
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = repo.api_key_by_hash(uow.session, digest(key))
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise refused
        account = repo.account_by_id(uow.session, row.account_id)
        if account is None or not account.active:
            raise refused
        identity = identity_of(
            uow.session,
            account,
            now=now,
            name=f"{account.username}:{row.prefix}",
            via="api_key",
            key_scopes=frozenset(row.scopes) if row.scopes is not None else None,
        )
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            row.last_used_at = now
            uow.commit()
        return identity


def revoke_api_key(
    ctx: Context, key_id: int, *, actor: str, owner_id: int | None = None, scope: Scope | None = None
) -> ApiKeyRead:
    """Revoke an API key (the owner's own, or one of an account in the scope); revoking twice is refused."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = repo.api_key_by_id(session, key_id)
        account = repo.account_by_id(session, row.account_id) if row is not None else None
        if (
            row is None
            or account is None
            or (owner_id is not None and row.account_id != owner_id)
            or (scope is not None and not scope.admits_tenant(account.tenant))
        ):
            raise AccountNotFound(f"no API key {key_id}", key_id=key_id)
        if row.revoked_at is not None:
            raise AccountInvalid(
                f"API key {key_id} is already revoked",
                problems=[
                    Problem("ACC-KEY-REVOKED", "id", "密钥已吊销 / the key is already revoked", "Nothing to do.")
                ],
            )
        row.revoked_at = now
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.api_key.revoked",
            entity_type="api_key",
            entity_key=str(row.id),
            before={"revoked_at": None},
            after={"username": account.username, "prefix": row.prefix, "revoked_at": now.astimezone(UTC).isoformat()},
        )
        uow.commit()
        return _key_read(row, account)


def list_api_keys(ctx: Context, *, owner_id: int | None = None, scope: Scope | None = None) -> list[ApiKeyRead]:
    """Return the API keys of one account, or of every account in the scope, oldest first (no secrets)."""
    with ctx.uow() as uow:
        rows = repo.api_keys_of(uow.session, [owner_id] if owner_id is not None else None)
        return [
            _key_read(key, account)
            for key, account in rows
            if scope is None or owner_id is not None or scope.admits_tenant(account.tenant)
        ]


def _key_read(row: ApiKey, account: Account) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        username=account.username,
        label=row.label,
        prefix=row.prefix,
        scopes=row.scopes,
        created_by=row.created_by,
        created_at=row.created_at.astimezone(UTC),
        expires_at=row.expires_at.astimezone(UTC),
        revoked_at=row.revoked_at.astimezone(UTC) if row.revoked_at else None,
        last_used_at=row.last_used_at.astimezone(UTC) if row.last_used_at else None,
    )
