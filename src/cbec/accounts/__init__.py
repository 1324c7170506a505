"""Accounts, roles and tenancy (账号、角色与多级平台): who may sign in, what each role may do, and where.

Transports authenticate with ``sign_in``/``identify_session`` (web sessions) or ``identify_api_key`` (systems),
get an ``Identity`` and ask it for the ``Scope`` of a permission; the permission matrix is in ``rules``.
"""

from cbec.accounts.errors import (
    AccountExists,
    AccountInvalid,
    AccountNotFound,
    CredentialsRefused,
    LoginThrottled,
    NotAllowed,
)
from cbec.accounts.identity import Identity, Mandate
from cbec.accounts.models import ACCOUNT
from cbec.accounts.rules import (
    AGENCY_PERMISSIONS,
    DELEGABLE,
    ENTERPRISE_ROLES,
    ROLE_PERMISSIONS,
    ROOT_TENANT,
    Agency,
    Permission,
    Role,
    TenantKind,
    permissions_for,
)

__all__ = [
    "ACCOUNT",
    "AGENCY_PERMISSIONS",
    "DELEGABLE",
    "ENTERPRISE_ROLES",
    "ROLE_PERMISSIONS",
    "ROOT_TENANT",
    "AccountExists",
    "AccountInvalid",
    "AccountNotFound",
    "Agency",
    "CredentialsRefused",
    "Identity",
    "LoginThrottled",
    "Mandate",
    "NotAllowed",
    "Permission",
    "Role",
    "TenantKind",
    "permissions_for",
]
