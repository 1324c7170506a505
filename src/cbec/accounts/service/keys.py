"""API keys of systems (接口密钥): issue, identify, revoke, list."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from cbec.accounts import repository as repo
from cbec.accounts.errors import AccountInvalid, AccountNotFound, CredentialsRefused
from cbec.accounts.identity import Identity
from cbec.accounts.models import ACCOUNT, Account, ApiKey
from cbec.accounts.passwords import digest, new_api_key
from cbec.accounts.rules import API_KEY_PREFIX, Role, permissions_for, scope_problems
from cbec.accounts.schemas import ApiKeyIssued, ApiKeyRead
from cbec.accounts.service.identities import identity_of
from cbec.accounts.service.users import find_account
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.enterprises.models import FILING
from cbec.storage.context import Context
from cbec.storage.revisions import RevisionCache, database_of, tokens

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


@dataclass(frozen=True, slots=True)
class _Holder:
    """Who an API key stands for, and the time span it holds for by time alone (expiry, delegations)."""

    identity: Identity
    key_id: int
    last_used_at: datetime | None
    valid_from: datetime  # when it was read (a clock set back must not see a later mandate)
    valid_until: datetime


# Answers per key digest, under the ``account`` token (keys, accounts, delegations, tenants) and, in the key,
# the ``filing`` token (the enterprise the account belongs to): a revocation by any process, or by SQL typed by
# hand, is seen by the next request. Refused keys are not kept (guessed keys must not push out real ones).
_holders: RevisionCache[_Holder] = RevisionCache(ACCOUNT)
_last_used: dict[tuple[str, str], datetime] = {}  # (database, key digest) → the last use this process wrote or read
_last_used_lock = threading.Lock()


def identify_api_key(ctx: Context, key: str) -> Identity:
    """Return who holds an API key; refuse unknown, revoked and expired keys and disabled accounts."""
    if not key.startswith(API_KEY_PREFIX) or len(key) > 200:
        raise _refused()
    now = ctx.clock.now()
    key_hash = digest(key)
    with ctx.uow() as uow:
        session = uow.session
        holder = _holders.get(
            session,
            (key_hash, tokens(session).get(FILING)),
            lambda: _holder_of(session, key_hash, now),
            valid=lambda held: held.valid_from <= now < held.valid_until,
        )
        used = (database_of(session), key_hash)
        if _last_use_due(used, holder.last_used_at, now):
            session.execute(update(ApiKey).where(ApiKey.id == holder.key_id).values(last_used_at=now))
            uow.commit()
            with _last_used_lock:
                if len(_last_used) > 65536:
                    _last_used.clear()
                _last_used[used] = now
        return holder.identity


def _refused() -> CredentialsRefused:
    return CredentialsRefused("接口密钥无效、已过期或已吊销 / the API key is unknown, expired or revoked")


def _holder_of(session: Session, key_hash: str, now: datetime) -> _Holder:
    row = repo.api_key_by_hash(session, key_hash)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise _refused()
    account = repo.account_by_id(session, row.account_id)
    if account is None or not account.active:
        raise _refused()
    identity = identity_of(
        session,
        account,
        now=now,
        name=f"{account.username}:{row.prefix}",
        via="api_key",
        key_scopes=frozenset(row.scopes) if row.scopes is not None else None,
    )
    valid_until = row.expires_at
    if identity.role is Role.DECLARING_AGENT:  # its mandates change when a delegation starts or ends
        change = repo.next_delegation_change(session, identity.own_codes, now)
        valid_until = min(valid_until, change) if change is not None else valid_until
    return _Holder(
        identity=identity, key_id=row.id, last_used_at=row.last_used_at, valid_from=now, valid_until=valid_until
    )


def _last_use_due(used: tuple[str, str], stored: datetime | None, now: datetime) -> bool:
    """Tell whether a key's last use should be written now (at most once a minute per key and process)."""
    with _last_used_lock:
        last = _last_used.get(used)
    if last is None or (stored is not None and stored > last):
        last = stored
    return last is None or now - last >= LAST_USED_RESOLUTION


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
