"""Errors of the risk system (风险防控); every problem carries a stable ``RSK-…`` rule id."""

from __future__ import annotations

from cbec.common.errors import InvalidInput, Problem


class RiskInvalid(InvalidInput):
    """A ruleset, a filter or an input breaks one or more rules (every problem listed)."""


def problem(rule_id: str, field: str, zh: str, en: str, hint: str) -> Problem:
    """Return a problem with a bilingual message."""
    return Problem(rule_id, field, f"{zh} / {en}", hint)


def invalid(rule_id: str, field: str, zh: str, en: str, hint: str) -> RiskInvalid:
    """Return a ``RiskInvalid`` carrying one problem."""
    return RiskInvalid(en, problems=[problem(rule_id, field, zh, en, hint)])
