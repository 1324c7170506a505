"""Accounts (账号): create, set the password, enable or disable, list, and the first zone administrator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.accounts import repository as repo
from cbec.accounts.errors import AccountExists, AccountInvalid, AccountNotFound, NotAllowed
from cbec.accounts.models import Account, WebSession
from cbec.accounts.passwords import hash_password, new_password
from cbec.accounts.rules import ROOT_TENANT, Role, account_problems, make_account_draft, password_problems
from cbec.accounts.schemas import AccountCreate, AccountRead
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.enterprises import EnterpriseRole, EnterpriseStatus
from cbec.enterprises.lookups import find_by_code
from cbec.storage.context import Context


def create_account(ctx: Context, data: AccountCreate, *, actor: str, scope: Scope | None = None) -> AccountRead:
    """Create an account after checking its role, agency, enterprise, tenant and password."""
    draft = make_account_draft(
        username=data.username,
        role=data.role,
        display_name=data.display_name,
        agency=data.agency,
        enterprise_code=data.enterprise_code,
        tenant=data.tenant,
    )
    problems = account_problems(draft)
    if data.password is not None:
        problems.extend(password_problems(data.password, draft.username))
    if problems:
        raise AccountInvalid("the account breaks one or more rules", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        tenant = draft.tenant
        enterprise_code = None
        if draft.enterprise_code is not None:
            enterprise = find_by_code(session, draft.enterprise_code)
            problem = _enterprise_problem(draft.enterprise_code, draft.role, enterprise)
            if problem is not None:
                raise AccountInvalid("the account's enterprise cannot be used", problems=[problem])
            assert enterprise is not None
            tenant, enterprise_code = enterprise.zone, enterprise.customs_code
        elif tenant != ROOT_TENANT and repo.tenant_by_path(session, tenant) is None:
            raise AccountInvalid(
                f"no tenant {tenant}",
                problems=[Problem("ACC-TENANT", "tenant", f"租户不存在 / no tenant {tenant}", "Add the tenant first.")],
            )
        if scope is not None and not scope.admits_tenant(tenant):
            raise NotAllowed(f"you cannot create accounts at {tenant}", tenant=tenant)
        if repo.account_by_username(session, draft.username) is not None:
            raise AccountExists(f"username {draft.username} is taken", username=draft.username)
        account = Account(
            username=draft.username,
            display_name=draft.display_name,
            role=draft.role,
            agency=draft.agency,
            enterprise_code=enterprise_code,
            tenant=tenant,
            password_hash=hash_password(data.password) if data.password is not None else None,
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(account)
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.account.created",
            entity_type="account",
            entity_key=account.username,
            after=_account_snapshot(account),
        )
        commit_or_clash(uow, f"username {draft.username} was taken at the same time")
        return account_read(account)


def set_password(ctx: Context, username: str, password: str, *, actor: str) -> AccountRead:
    """Set an account's password and end its web sessions."""
    with ctx.uow() as uow:
        account = find_account(uow.session, username)
        problems = password_problems(password, account.username)
        if problems:
            raise AccountInvalid("the password breaks a rule", problems=problems)
        now = ctx.clock.now()
        account.password_hash = hash_password(password)
        account.updated_at = now
        end_sessions(uow.session, account.id, now)
        record_audit(
            uow.session,
            at=now,
            actor=actor,
            action="accounts.password.changed",
            entity_type="account",
            entity_key=account.username,
        )
        uow.commit()
        return account_read(account)


def set_active(ctx: Context, username: str, active: bool, *, actor: str, scope: Scope | None = None) -> AccountRead:
    """Enable or disable an account; disabling ends its sessions and stops its API keys working."""
    with ctx.uow() as uow:
        account = find_account(uow.session, username, scope)
        now = ctx.clock.now()
        before = account.active
        account.active = active
        account.updated_at = now
        if not active:
            end_sessions(uow.session, account.id, now)
        record_audit(
            uow.session,
            at=now,
            actor=actor,
            action="accounts.account.enabled" if active else "accounts.account.disabled",
            entity_type="account",
            entity_key=account.username,
            before={"active": before},
            after={"active": active},
        )
        uow.commit()
        return account_read(account)


def list_accounts(ctx: Context, *, scope: Scope | None = None) -> list[AccountRead]:
    """Return the accounts whose tenant lies in the scope, by username."""
    with ctx.uow() as uow:
        tenant = scope.tenant if scope is not None else None
        return [account_read(row) for row in repo.accounts_within(uow.session, tenant)]


def ensure_admin(
    ctx: Context, *, username: str = "admin", password: str | None = None
) -> tuple[AccountRead, str | None]:
    """Make sure the hub has an active zone administrator; return it and its password if one was generated."""
    with ctx.uow() as uow:
        existing = repo.active_admin_exists(uow.session, Role.ZONE_ADMIN.value, ROOT_TENANT)
        if existing is not None:
            return account_read(existing), None
    chosen = password or ctx.settings.admin_password
    generated = None if chosen else new_password()
    account = create_account(
        ctx,
        AccountCreate(
            username=username, role=Role.ZONE_ADMIN.value, display_name="综试办管理员", password=chosen or generated
        ),
        actor="cbec accounts ensure-admin",
    )
    return account, generated


def commit_or_clash(uow: Any, clash: str) -> None:
    """Commit, turning a unique-key clash with a concurrent writer into AccountExists."""
    try:
        uow.commit()
    except IntegrityError as exc:
        raise AccountExists(clash) from exc


def find_account(session: Session, username: str, scope: Scope | None = None) -> Account:
    """Return an account by username within a scope, or raise AccountNotFound."""
    account = repo.account_by_username(session, username.strip().lower())
    if account is None or (scope is not None and not scope.admits_tenant(account.tenant)):
        raise AccountNotFound(f"no account {username}", username=username)
    return account


def end_sessions(session: Session, account_id: int, now: datetime) -> None:
    """End every open web session of an account."""
    session.execute(
        update(WebSession)
        .where(WebSession.account_id == account_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def _enterprise_problem(code: str, role: str, enterprise: Any) -> Problem | None:
    if enterprise is None:
        return Problem(
            "ACC-ENTERPRISE",
            "enterprise_code",
            f"企业未备案 / no enterprise {code} is filed",
            "File the enterprise first, then create its users.",
        )
    if enterprise.status == EnterpriseStatus.REVOKED:
        return Problem(
            "ACC-ENTERPRISE", "enterprise_code", f"{code} 备案已注销 / the filing is revoked", "Check the code."
        )
    if role == Role.DECLARING_AGENT and EnterpriseRole.DECLARING_AGENT not in enterprise.roles:
        return Problem(
            "ACC-ENTERPRISE",
            "enterprise_code",
            f"{code} 未备案为申报企业 / is not filed as a declaring agent",
            "Create an enterprise_user instead, or file the enterprise as declaring_agent.",
        )
    return None


def _account_snapshot(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "role": account.role,
        "agency": account.agency,
        "enterprise_code": account.enterprise_code,
        "tenant": account.tenant,
        "has_password": account.password_hash is not None,
    }


def account_read(account: Account) -> AccountRead:
    """Return an account as shown to administrators."""
    return AccountRead(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        agency=account.agency,
        enterprise_code=account.enterprise_code,
        tenant=account.tenant,
        active=account.active,
        has_password=account.password_hash is not None,
        created_at=account.created_at.astimezone(UTC),
        last_login_at=account.last_login_at.astimezone(UTC) if account.last_login_at else None,
    )
