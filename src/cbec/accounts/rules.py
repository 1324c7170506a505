"""Pure rules of accounts and roles (账号与角色): the permission matrix, tenant paths, credentials.

The matrix is the single source of what each role may do; docs/access-control.md explains it and
tests/api/test_authorization.py checks every route against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cbec.common.errors import Problem

ROOT_TENANT = "hub"  # the hub zone (综试区总平台) of the 1+M+N structure; every tenant path starts here


class Role(StrEnum):
    """What kind of user an account is."""

    ZONE_ADMIN = "zone_admin"  # 综试办管理员
    AGENCY_OFFICER = "agency_officer"  # 监管部门工作人员
    ENTERPRISE_USER = "enterprise_user"  # 企业用户
    DECLARING_AGENT = "declaring_agent"  # 申报代理企业用户 (acts for enterprises that delegate to it)
    AUDITOR = "auditor"  # 审计员
    CONSUMER = "consumer"  # 消费者


class Agency(StrEnum):
    """The agency an officer works for."""

    CUSTOMS = "customs"  # 海关
    TAX = "tax"  # 税务
    FX = "fx"  # 外汇
    MARKET = "market"  # 市场监管
    POST = "post"  # 邮政
    COMMERCE = "commerce"  # 商务


class TenantKind(StrEnum):
    """The level of a tenant in the 1+M+N structure."""

    HUB = "hub"  # 1: the zone's hub platform
    SUB_PLATFORM = "sub_platform"  # M: a city sub-platform (分平台)
    WINDOW = "window"  # N: a front window or service point (服务窗口)


class Permission(StrEnum):
    """One thing a principal may do; routes require permissions, roles grant them."""

    REFERENCE_READ = "reference.read"
    ENTERPRISES_READ = "enterprises.read"
    ENTERPRISES_FILE = "enterprises.file"
    ENTERPRISES_DECIDE = "enterprises.decide"
    PRODUCTS_READ = "products.read"
    PRODUCTS_FILE = "products.file"
    PRODUCTS_DECIDE = "products.decide"
    AUDIT_READ = "audit.read"  # the audit trail of a filing one may see
    AUDIT_TRAIL = "audit.trail"  # the whole hash-chained audit trail
    QUOTA_QUERY = "quota.query"
    CLEARANCE_READ = "clearance.read"
    CLEARANCE_DECIDE = "clearance.decide"
    CLEARANCE_ARRIVAL = "clearance.arrival"
    CLEARANCE_JOBS = "clearance.jobs"
    TAXBILLS_READ = "taxbills.read"
    EXPORT_READ = "export.read"
    EXPORT_DECIDE = "export.decide"
    EXPORT_MANAGE = "export.manage"
    FLOWS_READ = "flows.read"
    PERSONAL_REVEAL = "personal.reveal"
    FEEDS_READ = "feeds.read"
    FEEDS_CONSUME = "feeds.consume"
    FEEDS_MANAGE = "feeds.manage"
    CERTIFICATES_MANAGE = "certificates.manage"
    CEB_SUBMIT = "ceb.submit"
    APIKEYS_OWN = "apikeys.own"
    DELEGATIONS_READ = "delegations.read"
    DELEGATIONS_MANAGE = "delegations.manage"
    ACCOUNTS_READ = "accounts.read"
    ACCOUNTS_MANAGE = "accounts.manage"
    CREDIT_READ = "credit.read"  # a subject's credit level and why (an enterprise: its own)
    CREDIT_MANAGE = "credit.manage"  # enter credit facts (an agency: of its own source only)
    CREDIT_RATE = "credit.rate"  # rate every subject, dry or published (the hub's zone office)
    RISK_READ = "risk.read"  # risk alerts with their traces (pseudonymous keys only), in the caller's tenant
    RISK_MANAGE = "risk.manage"  # act on risk: cases (dispose, snooze, confirm), ruleset versions (draft … publish)
    STATISTICS_READ = "statistics.read"  # indicator figures of the caller's tenant (aggregates, no documents)
    STATISTICS_MANAGE = "statistics.manage"  # targets of the caller's tenant and the tenants below it


P = Permission
_ENTERPRISE = frozenset(
    {
        P.REFERENCE_READ,
        P.ENTERPRISES_READ,
        P.PRODUCTS_READ,
        P.PRODUCTS_FILE,
        P.AUDIT_READ,
        P.CLEARANCE_READ,
        P.TAXBILLS_READ,
        P.EXPORT_READ,  # its own export inventories, summaries and ledgers: the export queries filter by party
        P.CEB_SUBMIT,
        P.APIKEYS_OWN,
        P.DELEGATIONS_READ,
        P.DELEGATIONS_MANAGE,
        P.CREDIT_READ,
    }
)
_OFFICER_BASE = frozenset(
    {P.REFERENCE_READ, P.ENTERPRISES_READ, P.APIKEYS_OWN, P.FEEDS_READ, P.FEEDS_CONSUME, P.STATISTICS_READ}
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ZONE_ADMIN: frozenset(
        {
            P.REFERENCE_READ,
            P.ENTERPRISES_READ,
            P.ENTERPRISES_FILE,
            P.ENTERPRISES_DECIDE,
            P.PRODUCTS_READ,
            P.PRODUCTS_FILE,
            P.PRODUCTS_DECIDE,
            P.AUDIT_READ,
            P.QUOTA_QUERY,
            P.CLEARANCE_READ,
            P.CLEARANCE_JOBS,
            P.TAXBILLS_READ,
            P.EXPORT_READ,
            P.EXPORT_MANAGE,
            P.FLOWS_READ,
            P.AUDIT_TRAIL,
            P.FEEDS_READ,
            P.FEEDS_CONSUME,
            P.FEEDS_MANAGE,
            P.CERTIFICATES_MANAGE,
            P.APIKEYS_OWN,
            P.DELEGATIONS_READ,
            P.DELEGATIONS_MANAGE,
            P.ACCOUNTS_READ,
            P.ACCOUNTS_MANAGE,
            P.CREDIT_READ,
            P.CREDIT_MANAGE,
            P.CREDIT_RATE,
            P.RISK_READ,
            P.STATISTICS_READ,
            P.STATISTICS_MANAGE,
        }
    ),
    Role.ENTERPRISE_USER: _ENTERPRISE,
    Role.DECLARING_AGENT: _ENTERPRISE,
    Role.AUDITOR: frozenset(
        {
            P.REFERENCE_READ,
            P.ENTERPRISES_READ,
            P.PRODUCTS_READ,
            P.AUDIT_READ,
            P.CLEARANCE_READ,
            P.TAXBILLS_READ,
            P.EXPORT_READ,
            P.FLOWS_READ,
            P.AUDIT_TRAIL,
            P.FEEDS_READ,
            P.APIKEYS_OWN,
            P.DELEGATIONS_READ,
            P.ACCOUNTS_READ,
            P.CREDIT_READ,
            P.RISK_READ,
            P.STATISTICS_READ,
        }
    ),
    Role.CONSUMER: frozenset({P.QUOTA_QUERY}),
    Role.AGENCY_OFFICER: frozenset(),  # by agency, below
}

AGENCY_PERMISSIONS: dict[Agency, frozenset[Permission]] = {
    Agency.CUSTOMS: _OFFICER_BASE
    | {
        P.PRODUCTS_READ,
        P.AUDIT_READ,
        P.QUOTA_QUERY,
        P.CLEARANCE_READ,
        P.CLEARANCE_DECIDE,
        P.CLEARANCE_ARRIVAL,
        P.TAXBILLS_READ,
        P.EXPORT_READ,
        P.EXPORT_DECIDE,
        P.FLOWS_READ,
        P.PERSONAL_REVEAL,
        P.DELEGATIONS_READ,
        P.CREDIT_READ,
        P.CREDIT_MANAGE,
        P.RISK_READ,
        P.RISK_MANAGE,
    },
    Agency.TAX: _OFFICER_BASE | {P.TAXBILLS_READ, P.EXPORT_READ, P.CREDIT_READ, P.CREDIT_MANAGE},
    Agency.FX: _OFFICER_BASE | {P.EXPORT_READ},
    Agency.MARKET: _OFFICER_BASE | {P.PRODUCTS_READ, P.CREDIT_READ, P.CREDIT_MANAGE},
    Agency.POST: _OFFICER_BASE,
    Agency.COMMERCE: _OFFICER_BASE | {P.PRODUCTS_READ, P.EXPORT_READ},
}

# What an enterprise may let a declaring agent do in its name (委托范围).
DELEGABLE: frozenset[Permission] = frozenset(
    {P.CEB_SUBMIT, P.CLEARANCE_READ, P.TAXBILLS_READ, P.PRODUCTS_READ, P.PRODUCTS_FILE}
)

# Roles whose data is that of their own enterprise (and, for agents, of the enterprises delegating to them).
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_USER, Role.DECLARING_AGENT})


def permissions_for(role: Role | str, agency: Agency | str | None = None) -> frozenset[Permission]:
    """Return the permissions a role (and, for officers, its agency) grants."""
    role = Role(role)
    if role is Role.AGENCY_OFFICER:
        return AGENCY_PERMISSIONS[Agency(agency)] if agency else frozenset()
    return ROLE_PERMISSIONS[role]


# --- tenants --------------------------------------------------------------------------------------------

SEGMENT = r"[a-z0-9][a-z0-9_-]{0,29}"
TENANT_PATH = re.compile(rf"^{SEGMENT}(/{SEGMENT}){{0,2}}$")
TENANT_PATH_MAX = 120


def parent_path(path: str) -> str | None:
    """Return the parent of a tenant path (None for the hub)."""
    head, sep, _ = path.rpartition("/")
    return head if sep else None


def kind_of_path(path: str) -> TenantKind:
    """Return the level a tenant path stands at: hub, sub-platform or window."""
    depth = path.count("/")
    return TenantKind.HUB if depth == 0 else TenantKind.SUB_PLATFORM if depth == 1 else TenantKind.WINDOW


def is_within(path: str, ancestor: str) -> bool:
    """Tell whether a tenant path is the ancestor or lies below it."""
    return path == ancestor or path.startswith(ancestor + "/")


def tenant_path_problems(path: str, field: str = "path") -> list[Problem]:
    """Check a new tenant path: hub/<city>[/<window>], lower-case segments."""
    hint = "Use hub/<city> or hub/<city>/<window>, lower-case letters, digits, - or _, e.g. hub/zhengzhou/window-3."
    if len(path) > TENANT_PATH_MAX or not TENANT_PATH.match(path):
        return [Problem("ACC-TENANT-PATH", field, f"租户路径格式错误 / {path!r} is not a tenant path", hint)]
    if not is_within(path, ROOT_TENANT) or path == ROOT_TENANT:
        return [
            Problem("ACC-TENANT-PATH", field, f"租户须位于 {ROOT_TENANT} 之下 / {path!r} is not below the hub", hint)
        ]
    return []


# --- credentials ----------------------------------------------------------------------------------------

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")
PASSWORD_MIN = 10
API_KEY_PREFIX = "cbec_"


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """The facts of a new account, normalised."""

    username: str
    display_name: str
    role: str
    agency: str | None
    enterprise_code: str | None
    tenant: str


def make_account_draft(
    *,
    username: str,
    role: str,
    display_name: str | None = None,
    agency: str | None = None,
    enterprise_code: str | None = None,
    tenant: str | None = None,
) -> AccountDraft:
    """Normalise raw account input (no checking)."""
    name = username.strip().lower()
    return AccountDraft(
        username=name,
        display_name=(display_name or "").strip() or name,
        role=role.strip().lower(),
        agency=(agency or "").strip().lower() or None,
        enterprise_code=(enterprise_code or "").strip().upper() or None,
        tenant=(tenant or "").strip().lower() or ROOT_TENANT,
    )


def account_problems(draft: AccountDraft) -> list[Problem]:
    """Check a new account: username, role, agency and enterprise binding that fit the role."""
    problems: list[Problem] = []
    if not USERNAME.match(draft.username):
        problems.append(
            Problem(
                "ACC-USERNAME",
                "username",
                f"用户名格式错误 / {draft.username!r} is not a username",
                "Use 3-64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit.",
            )
        )
    roles = {r.value for r in Role}
    if draft.role not in roles:
        problems.append(
            Problem("ACC-ROLE", "role", f"未知角色 / unknown role {draft.role!r}", f"Use one of: {', '.join(roles)}.")
        )
        return problems
    role = Role(draft.role)
    if role is Role.AGENCY_OFFICER:
        agencies = ", ".join(a.value for a in Agency)
        if draft.agency not in {a.value for a in Agency}:
            problems.append(
                Problem(
                    "ACC-AGENCY",
                    "agency",
                    f"监管部门账号须指明部门 / an officer needs an agency, not {draft.agency!r}",
                    f"Use one of: {agencies}.",
                )
            )
    elif draft.agency is not None:
        problems.append(Problem("ACC-AGENCY", "agency", "only agency officers have an agency", "Leave the agency out."))
    if role in ENTERPRISE_ROLES and draft.enterprise_code is None:
        problems.append(
            Problem(
                "ACC-ENTERPRISE",
                "enterprise_code",
                "企业用户须绑定一家企业 / an enterprise user is bound to one enterprise",
                "Give the customs code of the filed enterprise.",
            )
        )
    elif role not in ENTERPRISE_ROLES and draft.enterprise_code is not None:
        problems.append(
            Problem(
                "ACC-ENTERPRISE",
                "enterprise_code",
                "only enterprise users and declaring agents are bound to an enterprise",
                "Leave the enterprise code out.",
            )
        )
    if draft.tenant != ROOT_TENANT:
        problems.extend(tenant_path_problems(draft.tenant, "tenant"))
    return problems


def password_problems(password: str, username: str = "") -> list[Problem]:
    """Check a new password: long enough and not the username."""
    hint = f"Use at least {PASSWORD_MIN} characters; a passphrase of several words is easiest."
    if len(password) < PASSWORD_MIN:
        return [Problem("ACC-PASSWORD", "password", f"密码至少{PASSWORD_MIN}位 / the password is too short", hint)]
    if username and password.strip().lower() == username.lower():
        return [Problem("ACC-PASSWORD", "password", "密码不能与用户名相同 / the password is the username", hint)]
    return []


def scope_problems(scopes: Iterable[str], allowed: Iterable[str], field: str = "scopes") -> list[Problem]:
    """Check requested permissions against the ones that may be given."""
    allowed_set = set(allowed)
    return [
        Problem(
            "ACC-SCOPE",
            field,
            f"不可授予的权限 / {scope!r} cannot be given here",
            f"Choose from: {', '.join(sorted(allowed_set))}.",
        )
        for scope in scopes
        if scope not in allowed_set
    ]
