"""Enterprise look-ups for clearance (企业备案查询), inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cbec.enterprises import repository as repo
from cbec.enterprises.rules import EnterpriseRef, EnterpriseRole, EnterpriseStatus


def find_active_by_code(session: Session, code: str) -> EnterpriseRef | None:
    """Return the approved enterprise whose customs code or credit code is the given code, else None."""
    value = code.strip().upper()
    if not value:
        return None
    enterprise = repo.by_code(session, value, status=EnterpriseStatus.APPROVED.value)
    if enterprise is None:
        return None
    return EnterpriseRef(
        id=enterprise.id,
        customs_code=enterprise.customs_code,
        uscc=enterprise.uscc,
        name=enterprise.name,
        dxp_id=enterprise.dxp_id,
        roles=frozenset(EnterpriseRole(grant.role) for grant in enterprise.roles),
        status=EnterpriseStatus(enterprise.status),
    )
