"""Errors of B2B-export identification; every problem carries a stable ``B2B-…`` rule id."""

from __future__ import annotations

from cbec.common.errors import InvalidInput, NotFound


class B2bInvalid(InvalidInput):
    """A file that cannot be read at all, or a method document that breaks a rule (every problem listed)."""


class B2bRunNotFound(NotFound):
    """No identification run has this number within the caller's tenant."""
