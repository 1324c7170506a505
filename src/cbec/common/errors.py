"""Typed errors and problems (问题) reported to users."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Stable machine codes of domain errors; api/errors.py maps them to HTTP."""

    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    INVALID = "invalid"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    LIMIT_EXCEEDED = "limit_exceeded"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: stable rule id, the field, a message and how to fix it.

    ``code`` is the official customs receipt code where one is known (e.g. "-621005" or "1313").
    """

    rule_id: str
    field: str
    message: str
    hint: str
    code: str | None = None
    severity: str = "error"  # "error" refuses; "warning" is reported only

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "rule_id": self.rule_id,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
            "code": self.code,
            "severity": self.severity,
        }


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    code: ErrorCode = ErrorCode.INVALID
    retryable: bool = False

    def __init__(self, message: str, *, problems: list[Problem] | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        self.data: dict[str, Any] = data


class NotFound(DomainError):
    """The thing asked for does not exist."""

    code = ErrorCode.NOT_FOUND


class AlreadyExists(DomainError):
    """A thing with the same business key exists."""

    code = ErrorCode.ALREADY_EXISTS


class InvalidInput(DomainError):
    """The input breaks one or more rules; ``problems`` lists every one."""

    code = ErrorCode.INVALID


class Conflict(DomainError):
    """The request conflicts with the current state."""

    code = ErrorCode.CONFLICT


@dataclass(slots=True)
class ProblemList:
    """Collects problems so a check can report every one at once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, rule_id: str, field_name: str, message: str, hint: str, code: str | None = None) -> None:
        """Add one problem."""
        self.items.append(Problem(rule_id, field_name, message, hint, code))

    def extend(self, problems: list[Problem]) -> None:
        """Add several problems."""
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)
