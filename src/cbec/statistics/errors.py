"""Errors of statistics monitoring (统计监测)."""

from __future__ import annotations

from cbec.common.errors import Conflict, InvalidInput, NotFound


class TargetInvalid(InvalidInput):
    """A yearly target breaks a rule (unknown indicator, not a positive amount, year out of range)."""


class ReportInvalid(InvalidInput):
    """A consumer report cannot be accepted (expired or altered lookup, inventory not on the statement)."""


class ReportNotFound(NotFound):
    """No consumer report has this reference number."""


class ReportStatusConflict(Conflict):
    """The consumer report was already reviewed."""
