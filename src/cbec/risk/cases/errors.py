"""Errors of risk disposal; every problem carries a stable ``RSK-CASE-…`` rule id (see cbec.risk.cases.rules)."""

from __future__ import annotations

from cbec.common.errors import Conflict, DomainError, ErrorCode, NotFound, Problem
from cbec.risk.errors import RiskInvalid, problem


class CaseNotFound(NotFound):
    """No case (or action) answers to the number given within the caller's scope."""


class CaseConflict(Conflict):
    """The case or action is not in a state that takes this step (closed, already decided)."""


class CaseForbidden(DomainError):
    """Maker-checker: the officer who proposed an action may not decide it."""

    code = ErrorCode.FORBIDDEN


CONFLICTS = frozenset({"RSK-CASE-CLOSED", "RSK-CASE-NOT-PENDING", "RSK-CASE-PENDING"})
FORBIDDEN = frozenset({"RSK-CASE-SELF-APPROVAL"})


def refuse(message: str, problems: list[Problem]) -> DomainError:
    """Return the error a list of problems calls for: 403 self-approval, 409 state, else 422."""
    ids = {p.rule_id for p in problems}
    if ids & FORBIDDEN:
        return CaseForbidden(message, problems=problems)
    if ids & CONFLICTS:
        return CaseConflict(message, problems=problems)
    return RiskInvalid(message, problems=problems)


def not_found(what: str, number: int) -> CaseNotFound:
    """Return the error of a case or action outside the caller's scope or unknown."""
    return CaseNotFound(
        f"no {what} {number}",
        problems=[
            problem(
                "RSK-CASE-NOT-FOUND",
                what,
                f"没有编号为 {number} 的{'案件' if what == 'case' else '措施'}",
                f"no {what} {number} in your scope",
                "Check the number (cases of other tenants are not shown).",
            )
        ],
    )
