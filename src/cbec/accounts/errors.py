"""Errors of accounts and roles (账号与角色)."""

from __future__ import annotations

from cbec.common.errors import AlreadyExists, DomainError, ErrorCode, InvalidInput, NotFound
from cbec.common.scope import OutOfScope


class AccountNotFound(NotFound):
    """No account, key, delegation or tenant has the id or name asked for."""


class AccountExists(AlreadyExists):
    """An account or tenant with the same name exists."""


class AccountInvalid(InvalidInput):
    """The input breaks one or more rules; ``problems`` lists every one."""


class NotAllowed(OutOfScope):
    """The principal may not do this to that account, enterprise or tenant."""


class CredentialsRefused(DomainError):
    """The username, password, session or API key is wrong, expired or revoked (the transport answers 401)."""

    code = ErrorCode.FORBIDDEN


class LoginThrottled(DomainError):
    """Too many failed sign-ins for this user or client; ``retry_after`` says how many seconds to wait (429)."""

    code = ErrorCode.LIMIT_EXCEEDED
    retryable = True
