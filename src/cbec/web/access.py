"""Who may open which page (页面访问): the sign-in redirect, role checks and form tokens of the portal.

Authentication is the accounts domain's (``cbec.api.security``); this module only maps principals to pages.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from cbec.api.security import PermissionDenied, Principal, check_csrf, web_principal
from cbec.common.scope import Scope
from cbec.web.render import page
from cbec.web.roles import CONSOLE_ROLES, DASHBOARD_ROLES, WORKSPACE_ROLES

__all__ = [
    "CONSOLE_ROLES",
    "DASHBOARD_ROLES",
    "WORKSPACE_ROLES",
    "actor",
    "admit",
    "csrf_ok",
    "may",
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
