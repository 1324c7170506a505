"""Authentication and authorization of every route (认证与授权).

The contract the routers and web pages code against:

* ``Principal`` — who is calling (frozen): user id, name, role, agency, enterprise code, the enterprises it acts
  for, its tenant and the tenants it may see.
* ``current_principal(request)`` — the caller of an API: ``Authorization: Bearer <key>``, ``X-API-Key: <key>``
  or the web session cookie; 401 when there is none or it is not valid. A request authenticated by the session
  cookie that changes something (POST, PUT, PATCH, DELETE) must also carry the session's CSRF token in the
  ``X-CSRF-Token`` header, else 403.
* ``require(*permissions)`` — a dependency factory: the principal when it holds every permission, else 403.
* ``scoped(permission)`` — a dependency factory: the ``Scope`` of data the principal reaches with a permission,
  handed to the domains' queries, which filter by it.
* ``web_principal(request)`` — the same caller for web pages, or None when nobody is signed in (redirect to
  /login). Web forms carry ``principal.csrf_token`` (or ``csrf_token(request)``) in a hidden ``csrf_token``
  field; their handlers call ``check_csrf(request, token)``.
* ``Principal.may(permission)`` and ``Principal.scope_for(permission)`` answer the same questions as
  ``require`` and ``scoped`` inside a page.

The permission matrix lives in ``cbec.accounts.rules`` and is explained in docs/access-control.md.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from cbec.accounts import (
    ENTERPRISE_ROLES,
    ROOT_TENANT,
    CredentialsRefused,
    Identity,
    Permission,
    Role,
    permissions_for,
)
from cbec.accounts.service import identify_api_key, identify_session
from cbec.common.errors import DomainError, ErrorCode, Problem
from cbec.common.scope import Scope
from cbec.config import Settings

SESSION_COOKIE = "cbec_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_IDENTITY = "cbec_identity"  # request.state attribute caching the authentication of one request
_KNOWN = frozenset(p.value for p in Permission)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: int | None
    name: str
    role: Role
    agency: str | None
    enterprise_code: str | None
    acting_for: frozenset[str]
    tenant: str
    tenants_visible: frozenset[str]

    def may(self, permission: str) -> bool:
        """Tell whether the principal holds a permission (an API key's scopes included)."""
        identity = _identity_of(self)
        if identity is not None:
            return identity.may(permission)
        return permission in {p.value for p in permissions_for(self.role, self.agency)}

    def scope_for(self, permission: str) -> Scope:
        """Return the scope of data the principal reaches with a permission."""
        identity = _identity_of(self)
        if identity is not None:
            return identity.scope_for(permission)
        if self.role in ENTERPRISE_ROLES:
            return Scope(parties=frozenset({self.enterprise_code or ""}) | self.acting_for)
        if self.role is Role.CONSUMER:
            return Scope(parties=frozenset())
        return Scope(tenant=None if self.tenant == ROOT_TENANT else self.tenant)

    @property
    def csrf_token(self) -> str | None:
        """Return the CSRF token of the principal's web session (None for API keys)."""
        identity = _identity_of(self)
        return identity.csrf_token if identity is not None else None


def _identity_of(principal: Principal) -> Identity | None:
    # The identity rides along outside the dataclass fields, so the principal's fields stay the contract's.
    found = principal.__dict__.get(_IDENTITY)
    return found if isinstance(found, Identity) else None


class Unauthenticated(Exception):
    """No valid credentials came with the request (401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    """The principal lacks a permission or the CSRF token is missing (403)."""

    code = ErrorCode.FORBIDDEN


def principal_of(identity: Identity) -> Principal:
    """Return the principal of an authenticated identity."""
    principal = Principal(
        user_id=identity.account_id,
        name=identity.name,
        role=identity.role,
        agency=identity.agency.value if identity.agency else None,
        enterprise_code=identity.enterprise_code,
        acting_for=identity.acting_for,
        tenant=identity.tenant,
        tenants_visible=identity.tenants_visible,
    )
    object.__setattr__(principal, _IDENTITY, identity)
    return principal


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("use Authorization: Bearer <API key>")
        return "api_key", value.strip()
    key = request.headers.get("x-api-key")
    if key:
        return "api_key", key.strip()
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return "session", token
    return None


def authenticate(request: Request) -> Identity:
    """Return the identity of the request's credentials (cached per request); raise Unauthenticated."""
    cached = getattr(request.state, _IDENTITY, None)
    if isinstance(cached, Identity):
        return cached
    if isinstance(cached, Unauthenticated):
        raise cached
    try:
        credentials = _credentials(request)
        if credentials is None:
            raise Unauthenticated("需要登录或接口密钥 / sign in or send an API key")
        kind, secret = credentials
        ctx = request.app.state.ctx
        try:
            identity = identify_api_key(ctx, secret) if kind == "api_key" else identify_session(ctx, secret)
        except CredentialsRefused as exc:
            raise Unauthenticated(exc.message) from exc
    except Unauthenticated as exc:
        setattr(request.state, _IDENTITY, exc)
        raise
    setattr(request.state, _IDENTITY, identity)
    return identity


def current_principal(request: Request) -> Principal:
    """Return the caller of an API request; 401 without valid credentials, 403 without the CSRF header."""
    identity = authenticate(request)
    if identity.via == "session" and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return principal_of(identity)


def web_principal(request: Request) -> Principal | None:
    """Return the caller of a web page, or None when nobody is signed in."""
    try:
        return principal_of(authenticate(request))
    except Unauthenticated:
        return None


def check_known(permissions: tuple[str, ...]) -> None:
    """Refuse (ValueError) permissions the matrix does not know, when a guard is declared."""
    unknown = sorted(set(permissions) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown permissions {unknown}; add them to cbec.accounts.rules.Permission")


@cache
def _require(permissions: tuple[str, ...]) -> Callable[..., Awaitable[Principal]]:
    check_known(permissions)

    # Async without awaiting: the permission check reads the identity current_principal has cached on the request,
    # so it runs on the event loop instead of taking a trip through the thread pool (one per request is enough).
    async def dependency(request: Request, principal: Principal = Depends(current_principal)) -> Principal:
        identity = authenticate(request)
        missing = [p for p in permissions if not identity.may(p)]
        if missing:
            raise PermissionDenied(
                f"需要权限 / permission needed: {', '.join(missing)}",
                problems=[
                    Problem(
                        "AUTH-PERMISSION",
                        "permission",
                        f"{principal.name} ({principal.role}) 无权执行此操作 / lacks {p}",
                        "Ask a zone administrator for an account or API key with this permission.",
                    )
                    for p in missing
                ],
            )
        return principal

    dependency.permissions = frozenset(permissions)  # type: ignore[attr-defined]
    return dependency


def require(*permissions: str) -> Callable[..., Awaitable[Principal]]:
    """Return a dependency that yields the principal when it holds every permission, else answers 403."""
    return _require(tuple(sorted(set(permissions))))


@cache
def scoped(permission: str) -> Callable[..., Awaitable[Scope]]:
    """Return a dependency that yields the scope of data the principal reaches with a permission (403 without)."""
    guard = require(permission)

    async def dependency(request: Request, _principal: Principal = Depends(guard)) -> Scope:
        return authenticate(request).scope_for(permission)  # cached by current_principal: no I/O

    dependency.permissions = frozenset({permission})  # type: ignore[attr-defined]
    return dependency


def csrf_token(request: Request) -> str:
    """Return the CSRF token of the request's web session, for a form's hidden csrf_token field."""
    identity = authenticate(request)
    if identity.csrf_token is None:
        raise PermissionDenied("no web session", problems=[_csrf_problem()])
    return identity.csrf_token


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse (403) a form post or cookie-authenticated API call whose CSRF token is not the session's."""
    identity = authenticate(request)
    if identity.via != "session":
        return  # API keys are sent deliberately by their holder; a browser never adds them on its own
    expected = identity.csrf_token or ""
    if not token or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise PermissionDenied("CSRF token missing or wrong", problems=[_csrf_problem()])


def _csrf_problem() -> Problem:
    return Problem(
        "AUTH-CSRF",
        CSRF_FIELD,
        "表单已过期，请刷新页面后重试 / the form's security token is missing or stale",
        f"Reload the page and submit again; API clients using the session cookie send {CSRF_HEADER}.",
    )


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Put the session token in an HttpOnly, SameSite=Lax cookie that lasts as long as a session."""
    # A relative lifetime: the platform clock may be fixed (CBEC_NOW) while browsers use their own.
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies)


def client_of(request: Request) -> str:
    """Return the client address counted by sign-in throttling."""
    return request.client.host if request.client else "unknown"


def install_security(app: FastAPI) -> None:
    """Answer requests without valid credentials with 401 and the error shape of api/errors.py."""

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(_request: Request, exc: Unauthenticated) -> JSONResponse:
        return JSONResponse(
            status_code=401,
            content={"error": "unauthenticated", "message": exc.message, "problems": []},
            headers={"WWW-Authenticate": 'Bearer realm="cbec"'},
        )


def permissions_of(dependency: Any) -> frozenset[str] | None:
    """Return the permissions a dependency made by require() or scoped() checks, else None."""
    value = getattr(dependency, "permissions", None)
    return value if isinstance(value, frozenset) else None
