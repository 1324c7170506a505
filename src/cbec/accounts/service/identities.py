"""Who a credential belongs to (身份解析): the identity of an account, its tenant, enterprise and mandates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.accounts import repository as repo
from cbec.accounts.errors import CredentialsRefused
from cbec.accounts.identity import Identity, Mandate
from cbec.accounts.models import Account
from cbec.accounts.rules import ENTERPRISE_ROLES, ROOT_TENANT, Agency, Role, is_within
from cbec.enterprises.lookups import find_by_code


def identity_of(
    session: Session,
    account: Account,
    *,
    now: datetime,
    name: str,
    via: str,
    key_scopes: frozenset[str] | None = None,
    csrf_token: str | None = None,
) -> Identity:
    """Return the identity of an account: role, tenant, enterprise codes and the mandates in force now."""
    role = Role(account.role)
    tenant, enterprise_code = account.tenant, None
    own: frozenset[str] = frozenset()
    mandates: list[Mandate] = []
    if role in ENTERPRISE_ROLES:
        enterprise = find_by_code(session, account.enterprise_code or "")
        if enterprise is None:
            raise CredentialsRefused("the account's enterprise is no longer filed")
        tenant, enterprise_code = enterprise.zone, enterprise.customs_code
        own = frozenset({enterprise.customs_code, enterprise.uscc})
        if role is Role.DECLARING_AGENT:
            for delegation in repo.valid_delegations_to(session, own, now):
                grantor = find_by_code(session, delegation.grantor_code)
                if grantor is not None:
                    mandates.append(
                        Mandate(
                            grantor_code=grantor.customs_code,
                            grantor_codes=frozenset({grantor.customs_code, grantor.uscc}),
                            permissions=frozenset(delegation.scopes),
                        )
                    )
    if role in ENTERPRISE_ROLES:
        visible = frozenset({tenant})
    elif role is Role.CONSUMER:
        visible = frozenset()
    else:
        below = repo.tenants_within(session, None if tenant == ROOT_TENANT else tenant)
        visible = frozenset({tenant} | {row.path for row in below if is_within(row.path, tenant)})
    return Identity(
        account_id=account.id,
        username=account.username,
        name=name,
        role=role,
        agency=Agency(account.agency) if account.agency else None,
        enterprise_code=enterprise_code,
        own_codes=own,
        tenant=tenant,
        tenants_visible=visible,
        mandates=tuple(mandates),
        key_scopes=key_scopes,
        via=via,
        csrf_token=csrf_token,
    )
