"""Who may open which page (页面访问): the sign-in redirect, role and permission checks and form tokens.

Authentication is the accounts domain's (``cbec.api.security``); this module only maps principals to pages.
Each page declares its guard once, as a dependency: ``entry: Entry = Depends(guard(CONSOLE_ROLES,
"clearance.read"))`` — the roles that may open it and the permission it needs, whose ``Scope`` the handler
hands to every query (``entry.scope``). The handler returns ``entry.refused`` when there is one (the sign-in
redirect, 303; or the 403 page). tests/api/test_authorization.py reads the guard of every route and fails for a
page that has none and is not declared public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from cbec.accounts import Role
from cbec.api.security import PermissionDenied, Principal, check_csrf, check_known, web_principal
from cbec.common.scope import Scope
from cbec.web.render import page
from cbec.web.roles import CONSOLE_ROLES, DASHBOARD_ROLES, WORKSPACE_ROLES, opens, roles_of

__all__ = [
    "CONSOLE_ROLES",
    "DASHBOARD_ROLES",
    "WORKSPACE_ROLES",
    "Entry",
    "actor",
    "admit",
    "csrf_ok",
    "forbidden",
    "guard",
    "may",
    "not_found",
    "roles_of",
    "scope",
]


def admit(request: Request, roles: frozenset[str]) -> Principal | Response:
    """Return the signed-in principal if its role may open the page; else the sign-in redirect or a 403 page."""
    principal = web_principal(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if str(principal.role) not in roles:
        return page(request, "portal/forbidden.html", principal=principal, status_code=403)
    return principal


_NOBODY = Principal(None, "", Role.CONSUMER, None, None, frozenset(), "", frozenset())  # of refused entries


@dataclass(frozen=True)
class Entry:
    """What a page's guard lets through: the principal and its scope for the page's permission, or a refusal."""

    principal: Principal
    scope: Scope
    refused: Response | None = None


@cache
def guard(roles: frozenset[str], permission: str | None) -> Callable[[Request], Entry]:
    """Return the dependency that admits a page's callers: signed in (else 303 to sign-in), of one of the roles
    and holding the permission (else the 403 page); it yields the principal's ``Scope`` for that permission.

    ``permission=None`` declares a page for the roles alone: it shows figures of the caller's tenant, no document.
    """
    if permission is not None:
        check_known((permission,))
    permissions = frozenset({permission} if permission else ())

    def dependency(request: Request) -> Entry:
        admitted = admit(request, roles)
        if isinstance(admitted, Response):
            return Entry(_NOBODY, Scope(parties=frozenset()), admitted)
        if not opens(admitted, roles, permissions):  # the decision the portal's links are shown by (web/links.py)
            forbidden = page(request, "portal/forbidden.html", principal=admitted, status_code=403)
            return Entry(admitted, Scope(parties=frozenset()), forbidden)
        return Entry(admitted, admitted.scope_for(permission or ""))

    dependency.permissions = permissions  # type: ignore[attr-defined]
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency


def forbidden(request: Request, principal: Principal) -> Response:
    """Return the 403 page (a form without its token, an action beyond the caller's scope)."""
    return page(request, "portal/forbidden.html", principal=principal, status_code=403)


def not_found(request: Request, principal: Principal, what: str, back: str) -> Response:
    """Return the 404 page: the record does not exist or lies outside the caller's scope (the same answer)."""
    return page(request, "portal/not_found.html", {"what": what, "back": back}, principal=principal, status_code=404)


def may(principal: Principal, permission: str) -> bool:
    """Tell whether the principal holds a permission (e.g. clearance.decide)."""
    return principal.may(permission)


def scope(principal: Principal, permission: str) -> Scope:
    """Return the data the principal may reach with a permission."""
    return principal.scope_for(permission)


def actor(principal: Principal) -> str:
    """Return the name recorded as the actor of the principal's actions."""
    return principal.name


def csrf_ok(request: Request, token: str | None) -> bool:
    """Tell whether a form (or the upload's X-CSRF-Token header) carries the session's anti-forgery token."""
    try:
        check_csrf(request, token)
    except PermissionDenied:
        return False
    return True
