"""Errors of statistics monitoring (统计监测)."""

from __future__ import annotations

from cbec.common.errors import AlreadyExists, Conflict, InvalidInput, NotFound


class TargetInvalid(InvalidInput):
    """A yearly target breaks a rule (unknown indicator, not a positive amount, year out of range)."""


class ReportInvalid(InvalidInput):
    """A consumer report cannot be accepted (expired or altered lookup, inventory not on the statement)."""


class ReportNotFound(NotFound):
    """No consumer report has this reference number."""


class ReportStatusConflict(Conflict):
    """The consumer report was already reviewed."""


class EditionInvalid(InvalidInput):
    """An index edition cannot be published as asked (a bad label; the inputs' problems come as IndexInputInvalid)."""


class EditionExists(AlreadyExists):
    """An index edition with this label was already published (editions are immutable: choose a new label)."""


class EditionNotFound(NotFound):
    """No index edition visible to the caller has this label."""


class SnapshotInvalid(InvalidInput):
    """A facts snapshot cannot be written or read (``STAT-SNAPSHOT-*``: exists, missing, format, digest, engine)."""
