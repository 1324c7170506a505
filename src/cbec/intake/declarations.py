"""Rules every declaration follows, import or export (申报规则): the CEB problem, M12 parties, R11/R12, AUTH-ORIGINAL.

Pure functions of intake's receipt vocabulary shared by both document families (``cbec.clearance`` and
``cbec.exports``): a problem carries a ``CEB-`` rule id and a bilingual message; every named party is a filed,
approved enterprise in its role (M12); a document is new, or changes or deletes a live one that a party the sender
may act for declared (R11/R12, AUTH-ORIGINAL, ``cbec.messages.authority``). No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cbec.common.errors import Problem
from cbec.enterprises import EnterpriseRef, EnterpriseRole, has_role
from cbec.intake.codes import DocumentState
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import AppType


def problem(rule: str, field: str, zh: str, en: str, hint: str, code: str | None = None) -> Problem:
    """Build a Problem with a bilingual message."""
    return Problem(rule_id=f"CEB-{rule}", field=field, message=f"{zh} / {en}", hint=hint, code=code)


def party_problems(
    lookup: Callable[[str], EnterpriseRef | None],
    parties: Sequence[tuple[str, str, str | None]],
    sender_code: str | None,
    *,
    exempt: Callable[[str, str], bool] = lambda _field, _code: False,
) -> list[Problem]:
    """M12: every named party (field, code, role) is an approved enterprise with the right role, and so is the sender.

    ``lookup`` returns the approved enterprise of a code (or None); ``exempt(field, code)`` skips a party that
    needs no filing (a foreign export platform named "无").
    """
    found: list[Problem] = []
    for field_name, code, role in parties:
        if exempt(field_name, code):
            continue
        ref = lookup(code)
        if ref is None:
            found.append(
                problem(
                    "M12",
                    field_name,
                    f"企业 {code} 未备案或未获批准",
                    f"enterprise {code} is not filed with the zone or not approved",
                    "File the enterprise (企业备案) and wait for approval before declaring.",
                    "-10102",
                )
            )
        elif role is not None and not has_role(ref, EnterpriseRole(role)):
            found.append(
                problem(
                    "M12",
                    field_name,
                    f"企业 {code} 未备案为该角色（{role}）",
                    f"enterprise {code} is not filed in the role {role}",
                    "Add the role to the enterprise filing, or name the right enterprise.",
                    "-10101",
                )
            )
    if sender_code is not None and lookup(sender_code) is None:
        found.append(
            problem(
                "M12",
                "transfer.sender_code",
                f"传输企业 {sender_code} 未备案",
                f"the sending enterprise {sender_code} is not filed",
                "Send through the DXP account of a filed enterprise (BaseTransfer copCode).",
                "-621015",
            )
        )
    return found


def original_problems(
    authority: PartyAuthority | None, document: object | None, existing: Any, *, what: str = "change"
) -> list[Problem]:
    """AUTH-ORIGINAL: the document acts on a stored one that a party the sender may act for declared.

    Nothing is checked without an authority (a processor made outside intake) or without a stored original.
    """
    if authority is None or document is None or existing is None:
        return []
    return authority.original_problems(document, existing, what=what)


def change_problems(
    kind: str,
    existing: Any,
    app_type: AppType,
    dup_code: str,
    type_code: str,
    *,
    foreign: Callable[[Any], list[Problem]],
) -> list[Problem]:
    """R11/R12: new documents must be new; changes and deletions must name a live document (AUTH-ORIGINAL:
    one the sender may act for)."""
    if app_type != AppType.NEW and existing is not None and existing.state != DocumentState.DELETED:
        refused = foreign(existing)
        if refused:
            return refused
    if app_type == AppType.NEW and existing is not None and existing.state != DocumentState.DELETED:
        return [
            problem(
                "R11",
                f"{kind}.app_type",
                "已存在相同编号的单证",
                f"a {kind} with this number exists",
                "Send appType 2 to change it, or use a new number.",
                dup_code,
            )
        ]
    if app_type != AppType.NEW and (existing is None or existing.state == DocumentState.DELETED):
        return [
            problem(
                "R12",
                f"{kind}.app_type",
                "变更或删除的单证不存在",
                f"no {kind} to change or delete",
                "Send appType 1 first; changes and deletions need an existing document.",
                type_code,
            )
        ]
    return []
