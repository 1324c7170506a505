"""Rules every stored declaration follows, import or export (申报类型规则): R11/R12 and acting on an original.

Pure functions shared by the import processor (clearance.service.processor) and the export one
(exports.service.base): a document is new, or changes or deletes a live one that a party the sender may act for
declared (AUTH-ORIGINAL, cbec.messages.authority).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cbec.clearance.codes import DocumentState
from cbec.clearance.rules import problem
from cbec.common.errors import Problem
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import AppType


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
