"""Errors of the audit trail (审计): a missing or unusable audit key, an unreadable checkpoint file."""

from __future__ import annotations

from cbec.common.errors import InvalidInput


class AuditKeyError(InvalidInput):
    """The audit key is not configured usably (not base64, not 32 bytes, both settings given, unreadable)."""


class CheckpointFileError(InvalidInput):
    """A checkpoint file cannot be read or written (a usage error, not a verification failure)."""
