"""Who is calling (身份): an authenticated account with its role, tenant, enterprise and mandates.

Authentication (a session cookie or an API key) resolves to an ``Identity``; transports turn it into their
principal and ask it for the ``Scope`` of each permission, which the domains' queries filter by.
"""

from __future__ import annotations

from dataclasses import dataclass

from cbec.accounts.rules import ENTERPRISE_ROLES, ROOT_TENANT, Agency, Permission, Role, permissions_for
from cbec.common.scope import Scope


@dataclass(frozen=True, slots=True)
class Mandate:
    """A valid delegation to the caller's agency: whose codes, which permissions (委托)."""

    grantor_code: str
    grantor_codes: frozenset[str]  # the grantor's customs code and credit code
    permissions: frozenset[str]


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated caller."""

    account_id: int | None
    username: str
    name: str  # recorded as the actor in audit records
    role: Role
    agency: Agency | None
    enterprise_code: str | None
    own_codes: frozenset[str]  # customs code and credit code of the caller's enterprise
    tenant: str
    tenants_visible: frozenset[str]
    mandates: tuple[Mandate, ...] = ()
    key_scopes: frozenset[str] | None = None  # an API key's scopes; None: every permission of the role
    via: str = "session"  # session | api_key
    csrf_token: str | None = None  # of a web session

    @property
    def permissions(self) -> frozenset[str]:
        """Return what the caller may do: the role's permissions, narrowed by an API key's scopes."""
        granted = frozenset(p.value for p in permissions_for(self.role, self.agency))
        return granted if self.key_scopes is None else granted & self.key_scopes

    @property
    def acting_for(self) -> frozenset[str]:
        """Return the customs codes of the enterprises that delegate to the caller."""
        return frozenset(m.grantor_code for m in self.mandates)

    def may(self, permission: Permission | str) -> bool:
        """Tell whether the caller holds a permission."""
        return str(permission) in self.permissions

    def scope_for(self, permission: Permission | str) -> Scope:
        """Return the data the caller may reach with a permission."""
        if self.role in ENTERPRISE_ROLES:
            parties = set(self.own_codes)
            for mandate in self.mandates:
                if str(permission) in mandate.permissions:
                    parties |= mandate.grantor_codes
            return Scope(parties=frozenset(parties))
        if self.role is Role.CONSUMER:
            return Scope(parties=frozenset())
        return Scope(tenant=None if self.tenant == ROOT_TENANT else self.tenant)
