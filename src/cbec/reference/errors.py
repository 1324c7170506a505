"""Errors of the reference-data domain (参数/基础数据)."""

from __future__ import annotations

from cbec.common.errors import DomainError, ErrorCode, InvalidInput, NotFound


class ReferenceFileInvalid(InvalidInput):
    """A reference-data file has bad rows; ``problems`` lists every one and nothing was written."""


class UnknownReferenceTable(NotFound):
    """The named reference table does not exist."""


class GoodsNotFound(NotFound):
    """The HS code is neither on the positive list nor in the tariff."""


class ReferenceDataMissing(DomainError):
    """A value the law requires is not loaded for the date asked (a data gap, not a user error)."""

    code = ErrorCode.UNAVAILABLE
