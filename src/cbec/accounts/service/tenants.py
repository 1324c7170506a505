"""Tenants of the 1+M+N structure (多级平台租户): sub-platforms and windows below the hub."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.accounts import repository as repo
from cbec.accounts.errors import AccountExists, AccountInvalid, NotAllowed
from cbec.accounts.models import Tenant
from cbec.accounts.rules import ROOT_TENANT, TenantKind, kind_of_path, parent_path, tenant_path_problems
from cbec.accounts.schemas import TenantCreate, TenantRead
from cbec.accounts.service.users import commit_or_clash
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.storage.context import Context


def create_tenant(ctx: Context, data: TenantCreate, *, actor: str, scope: Scope | None = None) -> TenantRead:
    """Add a sub-platform or a window below an existing tenant (and within the caller's scope)."""
    path = data.path.strip().lower()
    problems = tenant_path_problems(path)
    if problems:
        raise AccountInvalid("the tenant path is not valid", problems=problems)
    if scope is not None and not (scope.parties is None and path != scope.tenant and scope.admits_tenant(path)):
        raise NotAllowed(f"you cannot add tenants at {path}", path=path)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        parent = parent_path(path)
        assert parent is not None
        parent_row = _ensure_root(session, now) if parent == ROOT_TENANT else repo.tenant_by_path(session, parent)
        if parent_row is None:
            raise AccountInvalid(
                f"the parent tenant {parent} does not exist",
                problems=[
                    Problem("ACC-TENANT-PARENT", "path", f"上级租户不存在 / no tenant {parent}", "Add it first.")
                ],
            )
        if repo.tenant_by_path(session, path) is not None:
            raise AccountExists(f"tenant {path} exists", path=path)
        row = Tenant(path=path, name=data.name.strip(), kind=kind_of_path(path).value, parent_id=parent_row.id)
        row.created_at = now
        session.add(row)
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.tenant.created",
            entity_type="tenant",
            entity_key=path,
            after={"path": path, "name": row.name, "kind": row.kind},
        )
        commit_or_clash(uow, f"tenant {path} was added at the same time")
        return _tenant_read(row)


def list_tenants(ctx: Context, *, scope: Scope | None = None) -> list[TenantRead]:
    """Return the tenants in the scope, by path."""
    with ctx.uow() as uow:
        tenant = scope.tenant if scope is not None else None
        rows = repo.tenants_within(uow.session, tenant)
        if tenant is None and not any(row.path == ROOT_TENANT for row in rows):
            return [TenantRead(path=ROOT_TENANT, name="综试区总平台", kind=TenantKind.HUB.value, parent=None)] + [
                _tenant_read(row) for row in rows
            ]
        return [_tenant_read(row) for row in rows]


def _ensure_root(session: Session, now: datetime) -> Tenant:
    root = repo.tenant_by_path(session, ROOT_TENANT)
    if root is None:
        root = Tenant(path=ROOT_TENANT, name="综试区总平台", kind=TenantKind.HUB.value, parent_id=None, created_at=now)
        session.add(root)
        session.flush()
    return root


def _tenant_read(row: Tenant) -> TenantRead:
    return TenantRead(path=row.path, name=row.name, kind=row.kind, parent=parent_path(row.path))
