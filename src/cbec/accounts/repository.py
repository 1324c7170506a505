"""All SQL of accounts and tenancy (账号与租户); never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from cbec.accounts.models import Account, ApiKey, Delegation, LoginFailure, Tenant, WebSession


def tenant_by_path(session: Session, path: str) -> Tenant | None:
    """Return a tenant by its path."""
    return session.scalar(select(Tenant).where(Tenant.path == path))


def tenants_within(session: Session, path: str | None) -> list[Tenant]:
    """Return the tenants at or below a path (every tenant when the path is None), by path."""
    stmt = select(Tenant)
    if path is not None:
        stmt = stmt.where(or_(Tenant.path == path, Tenant.path.startswith(path + "/", autoescape=True)))
    return list(session.scalars(stmt.order_by(Tenant.path)))


def account_by_id(session: Session, account_id: int) -> Account | None:
    """Return an account by id."""
    return session.get(Account, account_id)


def account_by_username(session: Session, username: str) -> Account | None:
    """Return an account by its username."""
    return session.scalar(select(Account).where(Account.username == username))


def accounts_within(session: Session, tenant: str | None) -> list[Account]:
    """Return the accounts whose tenant lies at or below a path (every account when None), by username."""
    stmt = select(Account)
    if tenant is not None:
        stmt = stmt.where(or_(Account.tenant == tenant, Account.tenant.startswith(tenant + "/", autoescape=True)))
    return list(session.scalars(stmt.order_by(Account.username)))


def active_admin_exists(session: Session, role: str, tenant: str) -> Account | None:
    """Return an active account of a role at a tenant, if any."""
    stmt = select(Account).where(Account.role == role, Account.tenant == tenant, Account.active.is_(True))
    return session.scalars(stmt.order_by(Account.id)).first()


def session_by_hash(session: Session, token_hash: str) -> WebSession | None:
    """Return a web session by the digest of its token."""
    return session.scalar(select(WebSession).where(WebSession.token_hash == token_hash))


def api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    """Return an API key by its digest."""
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


def api_key_by_id(session: Session, key_id: int) -> ApiKey | None:
    """Return an API key by id."""
    return session.get(ApiKey, key_id)


def api_keys_of(session: Session, account_ids: Iterable[int] | None) -> list[tuple[ApiKey, Account]]:
    """Return API keys with their accounts (of some accounts, or all when None), oldest first."""
    stmt = select(ApiKey, Account).join(Account, Account.id == ApiKey.account_id)
    if account_ids is not None:
        stmt = stmt.where(ApiKey.account_id.in_(sorted(set(account_ids))))
    return [(key, account) for key, account in session.execute(stmt.order_by(ApiKey.id))]


def delegation_by_id(session: Session, delegation_id: int) -> Delegation | None:
    """Return a delegation by id."""
    return session.get(Delegation, delegation_id)


def delegations_of(session: Session, codes: Iterable[str] | None) -> list[Delegation]:
    """Return the delegations where one of the codes is grantor or agent (all when None), oldest first."""
    stmt = select(Delegation)
    if codes is not None:
        wanted = sorted(set(codes))
        stmt = stmt.where(or_(Delegation.grantor_code.in_(wanted), Delegation.agent_code.in_(wanted)))
    return list(session.scalars(stmt.order_by(Delegation.id)))


def valid_delegations_to(session: Session, agent_codes: Iterable[str], at: datetime) -> list[Delegation]:
    """Return the delegations to an agent that are in force at a time (not revoked, within validity)."""
    stmt = select(Delegation).where(
        Delegation.agent_code.in_(sorted(set(agent_codes))),
        Delegation.revoked_at.is_(None),
        Delegation.valid_from <= at,
        Delegation.valid_to > at,
    )
    return list(session.scalars(stmt.order_by(Delegation.id)))


def next_delegation_change(session: Session, agent_codes: Iterable[str], at: datetime) -> datetime | None:
    """Return when the delegations in force to an agent next change by time alone (one ends or one starts)."""
    codes = sorted(set(agent_codes))
    live = (Delegation.agent_code.in_(codes), Delegation.revoked_at.is_(None), Delegation.valid_to > at)
    ends = session.scalar(select(func.min(Delegation.valid_to)).where(*live, Delegation.valid_from <= at))
    starts = session.scalar(select(func.min(Delegation.valid_from)).where(*live, Delegation.valid_from > at))
    found = [moment for moment in (ends, starts) if moment is not None]
    return min(found) if found else None


def failures_since(
    session: Session, *, username: str, client: str, since: datetime
) -> tuple[int, int, datetime | None]:
    """Return the failed sign-ins since a time for a username and for a client, and the oldest of them."""
    user_count, user_oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            LoginFailure.username == username, LoginFailure.at >= since
        )
    ).one()
    client_count, client_oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.client == client, LoginFailure.at >= since)
    ).one()
    oldest = [t for t in (user_oldest, client_oldest) if t is not None]
    return int(user_count), int(client_count), min(oldest) if oldest else None


def forget_failures(session: Session, *, username: str | None = None, before: datetime | None = None) -> None:
    """Delete the failed sign-ins of a username, or those older than a time."""
    stmt = delete(LoginFailure)
    if username is not None:
        stmt = stmt.where(LoginFailure.username == username)
    if before is not None:
        stmt = stmt.where(LoginFailure.at < before)
    session.execute(stmt)
