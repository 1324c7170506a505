"""Pure rules of enterprise filing (企业备案): roles, lifecycle, and checks of one filing.

Code checks come from ``cbec.common.ids`` (GB 32100 credit codes including letter-initial ones, ruling 8;
10-character customs codes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.common.ids import validate_customs_code, validate_uscc


class EnterpriseRole(StrEnum):
    """The parts an enterprise may play in a declaration."""

    ECOMMERCE_PLATFORM = "ecommerce_platform"  # 电商平台
    ECOMMERCE_ENTERPRISE = "ecommerce_enterprise"  # 电商企业
    PAYMENT_COMPANY = "payment_company"  # 支付企业
    LOGISTICS_COMPANY = "logistics_company"  # 物流企业
    DECLARING_AGENT = "declaring_agent"  # 申报企业
    TAX_GUARANTOR = "tax_guarantor"  # 担保企业
    BONDED_WAREHOUSE_OPERATOR = "bonded_warehouse_operator"  # 区内仓储企业
    SUPERVISED_SITE_OPERATOR = "supervised_site_operator"  # 监管场所经营人
    FOREIGN_TRADE_SERVICE = "foreign_trade_service"  # 外贸综合服务企业


ROLE_NAMES_ZH: dict[EnterpriseRole, str] = {
    EnterpriseRole.ECOMMERCE_PLATFORM: "电商平台",
    EnterpriseRole.ECOMMERCE_ENTERPRISE: "电商企业",
    EnterpriseRole.PAYMENT_COMPANY: "支付企业",
    EnterpriseRole.LOGISTICS_COMPANY: "物流企业",
    EnterpriseRole.DECLARING_AGENT: "申报企业",
    EnterpriseRole.TAX_GUARANTOR: "担保企业",
    EnterpriseRole.BONDED_WAREHOUSE_OPERATOR: "区内仓储企业",
    EnterpriseRole.SUPERVISED_SITE_OPERATOR: "监管场所经营人",
    EnterpriseRole.FOREIGN_TRADE_SERVICE: "外贸综合服务企业",
}


class EnterpriseStatus(StrEnum):
    """Where a filing is in its lifecycle."""

    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    REVOKED = "revoked"  # terminal


class Transition(StrEnum):
    """A change of filing status an officer can make."""

    APPROVE = "approve"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


# transition -> (statuses it may start from, status it leads to, audit action)
TRANSITIONS: dict[Transition, tuple[frozenset[EnterpriseStatus], EnterpriseStatus, str]] = {
    Transition.APPROVE: (
        frozenset({EnterpriseStatus.PENDING}),
        EnterpriseStatus.APPROVED,
        "enterprises.enterprise.approved",
    ),
    Transition.SUSPEND: (
        frozenset({EnterpriseStatus.APPROVED}),
        EnterpriseStatus.SUSPENDED,
        "enterprises.enterprise.suspended",
    ),
    Transition.REINSTATE: (
        frozenset({EnterpriseStatus.SUSPENDED}),
        EnterpriseStatus.APPROVED,
        "enterprises.enterprise.reinstated",
    ),
    Transition.REVOKE: (
        frozenset({EnterpriseStatus.PENDING, EnterpriseStatus.APPROVED, EnterpriseStatus.SUSPENDED}),
        EnterpriseStatus.REVOKED,
        "enterprises.enterprise.revoked",
    ),
}

NAME_MAX = 100  # CEB ebcName C..100
NAME_EN_MAX = 200
DXP_ID_PATTERN = re.compile(r"^[A-Z0-9]{1,30}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 \-]{4,24}$")
ZONE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}(/[a-z0-9][a-z0-9_-]{0,29}){0,2}$")  # tenant path


@dataclass(frozen=True, slots=True)
class EnterpriseDraft:
    """The filed facts of an enterprise, normalised (codes upper-case, blanks trimmed, roles sorted)."""

    uscc: str
    customs_code: str
    name: str
    name_en: str | None = None
    dxp_id: str | None = None
    roles: tuple[str, ...] = ()
    contact_name: str | None = None
    contact_phone: str | None = None
    zone: str = "hub"


@dataclass(frozen=True, slots=True)
class EnterpriseRef:
    """What clearance needs to know about an approved enterprise."""

    id: int
    customs_code: str
    uscc: str
    name: str
    dxp_id: str | None
    roles: frozenset[EnterpriseRole]
    status: EnterpriseStatus
    zone: str = "hub"  # tenant path of the sub-platform or window the enterprise filed at
    contact_phone_key: str | None = None  # the filed contact phone's subject key (never the phone)


def has_role(ref: EnterpriseRef, role: EnterpriseRole | str) -> bool:
    """Tell whether an enterprise is filed for a role."""
    return EnterpriseRole(role) in ref.roles


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def split_roles(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Return roles from a semicolon-separated text or a list, trimmed, lower-case, unique and sorted."""
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else list(value)
    return tuple(sorted({item.strip().lower() for item in items if item and item.strip()}))


def make_draft(
    *,
    uscc: str,
    customs_code: str,
    name: str,
    name_en: str | None = None,
    dxp_id: str | None = None,
    roles: str | Iterable[str] | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    zone: str | None = None,
) -> EnterpriseDraft:
    """Normalise raw filing input into a draft (no checking)."""
    return EnterpriseDraft(
        uscc=uscc.strip().upper(),
        customs_code=customs_code.strip().upper(),
        name=name.strip(),
        name_en=_blank_to_none(name_en),
        dxp_id=(_blank_to_none(dxp_id) or "").upper() or None,
        roles=split_roles(roles),
        contact_name=_blank_to_none(contact_name),
        contact_phone=_blank_to_none(contact_phone),
        zone=(_blank_to_none(zone) or "hub").lower(),
    )


def check_draft(draft: EnterpriseDraft, prefix: str = "") -> list[Problem]:
    """Check one filing; return every problem (warnings included, marked severity="warning")."""
    problems: list[Problem] = []
    problems.extend(validate_uscc(draft.uscc, field=f"{prefix}uscc"))
    problems.extend(validate_customs_code(draft.customs_code, field=f"{prefix}customs_code"))
    if not draft.name:
        problems.append(
            Problem("ENT-NAME", f"{prefix}name", "企业名称必填 / the name is required", "Give the registered name.")
        )
    elif len(draft.name) > NAME_MAX:
        problems.append(
            Problem(
                "ENT-NAME",
                f"{prefix}name",
                f"企业名称超过{NAME_MAX}字 / the name is longer than {NAME_MAX} characters",
                "CEB messages carry at most 100 characters of the name; use the registered short form.",
            )
        )
    if draft.name_en is not None and len(draft.name_en) > NAME_EN_MAX:
        problems.append(
            Problem(
                "ENT-NAME-EN",
                f"{prefix}name_en",
                f"the English name is longer than {NAME_EN_MAX} characters",
                "Shorten it.",
            )
        )
    if draft.dxp_id is not None and not DXP_ID_PATTERN.match(draft.dxp_id):
        problems.append(
            Problem(
                "ENT-DXP-ID",
                f"{prefix}dxp_id",
                f"DXP编号格式错误 / the DXP id {draft.dxp_id!r} is not 1-30 letters or digits",
                "Copy the id issued by the data exchange platform, e.g. DXPENT0000458763.",
            )
        )
    problems.extend(role_problems(draft.roles, f"{prefix}roles"))
    if draft.contact_phone is not None and not PHONE_PATTERN.match(draft.contact_phone):
        problems.append(
            Problem(
                "ENT-PHONE",
                f"{prefix}contact_phone",
                "联系电话格式错误 / the contact phone is not a phone number",
                "Use digits, spaces or dashes, optionally starting with +, e.g. 13800138000 or 0898-66666666.",
            )
        )
    if draft.contact_name is not None and len(draft.contact_name) > 50:
        problems.append(
            Problem("ENT-CONTACT", f"{prefix}contact_name", "the contact name is too long", "Use at most 50 letters.")
        )
    if not ZONE_PATTERN.match(draft.zone):
        problems.append(
            Problem(
                "ENT-ZONE",
                f"{prefix}zone",
                f"the zone {draft.zone!r} is not a tenant path",
                "Use hub, hub/<city> or hub/<city>/<window>: lower-case letters, digits, - or _, e.g. hub/zhengzhou.",
            )
        )
    return problems


def role_problems(roles: Iterable[str], field: str) -> list[Problem]:
    """Check that at least one role is given and every role is known."""
    roles = list(roles)
    known = {role.value for role in EnterpriseRole}
    if not roles:
        return [
            Problem(
                "ENT-ROLES",
                field,
                "至少需要一个企业角色 / at least one role is required",
                f"Give roles separated by semicolons from: {'; '.join(sorted(known))}.",
            )
        ]
    return [
        Problem(
            "ENT-ROLE",
            field,
            f"未知企业角色 / unknown role {role!r}",
            f"Use one of: {'; '.join(sorted(known))}.",
        )
        for role in roles
        if role not in known
    ]


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    """Return the problems that refuse an input (not the warnings)."""
    return [p for p in problems if p.severity == "error"]


def check_transition(current: EnterpriseStatus, transition: Transition, reason: str, actor: str) -> list[Problem]:
    """Check that a status change is allowed and carries a reason and an actor."""
    allowed_from = TRANSITIONS[transition][0]
    problems: list[Problem] = []
    if current not in allowed_from:
        starts = ", ".join(sorted(allowed_from))
        problems.append(
            Problem(
                "ENT-TRANSITION",
                "status",
                f"不能从 {current} 执行 {transition} / cannot {transition} a filing that is {current}",
                f"{transition} applies only to filings that are {starts}; a revoked filing is final.",
            )
        )
    if not reason.strip():
        problems.append(Problem("ENT-REASON", "reason", "a reason is required", "Say why the status changes."))
    if not actor.strip():
        problems.append(Problem("ENT-ACTOR", "actor", "an actor is required", "Name who makes the change."))
    return problems


def draft_differences(before: EnterpriseDraft, after: EnterpriseDraft) -> list[str]:
    """Return the names of the fields that differ between two drafts."""
    return [f.name for f in fields(EnterpriseDraft) if getattr(before, f.name) != getattr(after, f.name)]
