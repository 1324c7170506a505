"""Errors of enterprise filing (企业备案)."""

from __future__ import annotations

from cbec.common.errors import AlreadyExists, Conflict, InvalidInput, NotFound


class EnterpriseNotFound(NotFound):
    """No enterprise has the id or code asked for."""


class EnterpriseExists(AlreadyExists):
    """An enterprise with the same credit code or customs code is already filed."""


class EnterpriseInvalid(InvalidInput):
    """A filing breaks one or more rules; ``problems`` lists every one."""


class EnterpriseImportInvalid(InvalidInput):
    """An import file has bad rows; ``problems`` lists every one and nothing was written."""


class EnterpriseStatusConflict(Conflict):
    """The status change is not allowed from the filing's current status."""
