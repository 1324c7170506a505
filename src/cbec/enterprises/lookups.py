"""Enterprise look-ups for clearance (企业备案查询), inside the caller's transaction.

Filings are read by every message and change a few times a day: the answers are kept in memory under the
``filing`` revision token (cbec.storage.revisions), which the database changes with every write to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, CompoundSelect, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from cbec.common.scope import Scope
from cbec.enterprises import repository as repo
from cbec.enterprises.models import FILING, Enterprise
from cbec.enterprises.rules import EnterpriseRef, EnterpriseRole, EnterpriseStatus
from cbec.storage.revisions import RevisionCache

_refs: RevisionCache[EnterpriseRef | None] = RevisionCache(FILING)


def find_active_by_code(session: Session, code: str) -> EnterpriseRef | None:
    """Return the approved enterprise whose customs code or credit code is the given code, else None."""
    value = code.strip().upper()
    if not value:
        return None
    return _refs.get(session, ("approved", value), lambda: _ref_of(session, value, EnterpriseStatus.APPROVED.value))


def find_by_code(session: Session, code: str) -> EnterpriseRef | None:
    """Return the enterprise, whatever its status, whose customs code or credit code is the given code."""
    value = code.strip().upper()
    if not value:
        return None
    return _refs.get(session, ("any", value), lambda: _ref_of(session, value, None))


def _ref_of(session: Session, code: str, status: str | None) -> EnterpriseRef | None:
    enterprise = repo.by_code(session, code, status=status)
    return None if enterprise is None else _ref(enterprise)


def codes_in_tenant(tenant: str) -> CompoundSelect[tuple[str]]:
    """Return a query of the customs and credit codes of the enterprises filed at a tenant or below it."""
    return repo.codes_in_tenant(tenant)


def party_scope(scope: Scope | None, parties: Sequence[InstrumentedAttribute[str]]) -> list[ColumnElement[bool]]:
    """Return the conditions that keep documents to a scope: one of the party columns names a party of it.

    A document belongs to the tenants of the enterprises named on it, so a city sees every document one of its
    enterprises is party to. No scope, no condition.
    """
    if scope is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if scope.parties is not None:
        conditions.append(or_(*(column.in_(scope.parties) for column in parties)))
    if scope.tenant is not None:
        codes = codes_in_tenant(scope.tenant)
        conditions.append(or_(*(column.in_(codes) for column in parties)))
    return conditions


def enterprises_in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Return the conditions on the enterprise table that keep rows to a scope."""
    return repo.in_scope(scope)


def _ref(enterprise: Enterprise) -> EnterpriseRef:
    return EnterpriseRef(
        id=enterprise.id,
        customs_code=enterprise.customs_code,
        uscc=enterprise.uscc,
        name=enterprise.name,
        dxp_id=enterprise.dxp_id,
        roles=frozenset(EnterpriseRole(grant.role) for grant in enterprise.roles),
        status=EnterpriseStatus(enterprise.status),
        zone=enterprise.zone,
        contact_phone_key=enterprise.contact_phone_key,
    )
