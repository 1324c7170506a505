"""All SQL of enterprise filing (企业备案); never commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, or_, select, union
from sqlalchemy.orm import Session, joinedload

from cbec.common.scope import Scope
from cbec.enterprises.models import Enterprise, EnterpriseRoleGrant


def in_tenant(tenant: str) -> ColumnElement[bool]:
    """Return the condition: filed at the tenant or at a tenant below it."""
    return or_(Enterprise.zone == tenant, Enterprise.zone.startswith(tenant + "/", autoescape=True))


def codes_in_tenant(tenant: str) -> CompoundSelect[tuple[str]]:
    """Return a query of the customs and credit codes of the enterprises filed at a tenant or below it."""
    return union(
        select(Enterprise.customs_code).where(in_tenant(tenant)), select(Enterprise.uscc).where(in_tenant(tenant))
    )


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Return the conditions that keep enterprises to a scope."""
    conditions: list[ColumnElement[bool]] = []
    if scope.tenant is not None:
        conditions.append(in_tenant(scope.tenant))
    if scope.parties is not None:
        conditions.append(or_(Enterprise.customs_code.in_(scope.parties), Enterprise.uscc.in_(scope.parties)))
    return conditions


def get(session: Session, enterprise_id: int) -> Enterprise | None:
    """Return an enterprise by id."""
    return session.get(Enterprise, enterprise_id)


def by_code(session: Session, code: str, *, status: str | None = None) -> Enterprise | None:
    """Return the enterprise whose customs code or credit code is the given code, its roles read in the same query."""
    stmt = (
        select(Enterprise)
        .where(or_(Enterprise.customs_code == code, Enterprise.uscc == code))
        .options(joinedload(Enterprise.roles))
    )
    if status is not None:
        stmt = stmt.where(Enterprise.status == status)
    return session.scalars(stmt.order_by(Enterprise.id)).unique().first()


def by_usccs(session: Session, codes: Iterable[str]) -> dict[str, Enterprise]:
    """Return the enterprises with the given credit codes, by credit code."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {e.uscc: e for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(wanted)))}


def by_customs_codes(session: Session, codes: Iterable[str]) -> dict[str, Enterprise]:
    """Return the enterprises with the given customs codes, by customs code."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    stmt = select(Enterprise).where(Enterprise.customs_code.in_(wanted))
    return {e.customs_code: e for e in session.scalars(stmt)}


def add(session: Session, enterprise: Enterprise) -> Enterprise:
    """Add a new enterprise and give it an id."""
    session.add(enterprise)
    session.flush()
    return enterprise


def set_roles(enterprise: Enterprise, roles: Iterable[str]) -> None:
    """Replace the roles of an enterprise."""
    wanted = sorted(set(roles))
    current = {grant.role: grant for grant in enterprise.roles}
    for role, grant in current.items():
        if role not in wanted:
            enterprise.roles.remove(grant)
    for role in wanted:
        if role not in current:
            enterprise.roles.append(EnterpriseRoleGrant(role=role))


def page(
    session: Session,
    *,
    status: str | None,
    role: str | None,
    zone: str | None,
    limit: int,
    offset: int,
    scope: Scope | None = None,
) -> tuple[int, list[Enterprise]]:
    """Return (total, one page) of enterprises matching the filters and the scope, oldest first."""
    stmt: Select[Any] = select(Enterprise)
    if scope is not None:
        stmt = stmt.where(*in_scope(scope))
    if status is not None:
        stmt = stmt.where(Enterprise.status == status)
    if zone is not None:
        stmt = stmt.where(Enterprise.zone == zone)
    if role is not None:
        granted = select(EnterpriseRoleGrant.enterprise_id).where(EnterpriseRoleGrant.role == role)
        stmt = stmt.where(Enterprise.id.in_(granted))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Enterprise.id).limit(limit).offset(offset))
    return total, list(rows)
