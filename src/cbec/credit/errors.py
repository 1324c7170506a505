"""Errors of the credit system (信用体系); every problem carries a stable ``CRD-…`` rule id."""

from __future__ import annotations

from cbec.common.errors import Conflict, DomainError, ErrorCode, InvalidInput, NotFound, Problem


class CreditInvalid(InvalidInput):
    """A fact, an import file, an override or a configuration breaks one or more rules (every problem listed)."""


class CreditNotFound(NotFound):
    """No credit subject (or fact) answers to the code given, or it lies outside the caller's scope."""


class CreditConflict(Conflict):
    """The request conflicts with what is recorded (a configuration version with other content, a duplicate)."""


class CreditForbidden(DomainError):
    """The caller may not record facts of that source (an agency records only its own)."""

    code = ErrorCode.FORBIDDEN


class CreditConfigMissing(DomainError):
    """No credit configuration (schemes, windows, ruleset) is in force on the date asked: load it first."""

    code = ErrorCode.CONFLICT


def problem(rule_id: str, field: str, zh: str, en: str, hint: str) -> Problem:
    """Return a problem with a bilingual message."""
    return Problem(rule_id, field, f"{zh} / {en}", hint)
