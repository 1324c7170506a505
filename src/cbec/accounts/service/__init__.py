"""Use cases of accounts, sign-in, API keys, delegations and tenants (账号、登录、接口密钥、委托、租户).

Every public function is one transaction; every state change writes one audit record. Secrets (passwords,
session tokens, API keys) are never stored or audited in clear.
"""

from cbec.accounts.service.delegations import grant_delegation, list_delegations, revoke_delegation
from cbec.accounts.service.keys import create_api_key, identify_api_key, list_api_keys, revoke_api_key
from cbec.accounts.service.sessions import SignedIn, identify_session, sign_in, sign_out
from cbec.accounts.service.tenants import create_tenant, list_tenants
from cbec.accounts.service.users import create_account, ensure_admin, list_accounts, set_active, set_password

__all__ = [
    "SignedIn",
    "create_account",
    "create_api_key",
    "create_tenant",
    "ensure_admin",
    "grant_delegation",
    "identify_api_key",
    "identify_session",
    "list_accounts",
    "list_api_keys",
    "list_delegations",
    "list_tenants",
    "revoke_api_key",
    "revoke_delegation",
    "set_active",
    "set_password",
    "sign_in",
    "sign_out",
]
