"""Which roles each part of the portal serves (门户分区), the one decision of who may open a page, and the
sections of the navigation.

``opens`` is the decision ``cbec.web.access.guard`` applies to every page: of one of the page's roles and holding
its permission. Links (sections, tiles, tabs) are shown by reading the guard of the route they point to
(``cbec.web.links``), so a link is shown exactly when the page would open.
"""

from __future__ import annotations

from typing import Any

WORKSPACE_ROLES = frozenset({"enterprise_user", "declaring_agent"})
CONSOLE_ROLES = frozenset({"agency_officer", "zone_admin"})
DASHBOARD_ROLES = frozenset({"zone_admin", "agency_officer", "auditor"})

SECTIONS = (
    ("/workspace", "nav.workspace"),
    ("/console", "nav.console"),
    ("/console/exports", "nav.console"),  # an officer without clearance.read (tax, FX, commerce) opens this one
    ("/dashboard", "nav.dashboard"),
)


def opens(principal: Any, roles: frozenset[str], permissions: frozenset[str]) -> bool:
    """Tell whether a principal may open a page guarded by these roles and permissions."""
    if principal is None or str(principal.role) not in roles:
        return False
    return all(principal.may(permission) for permission in permissions)


def roles_of(dependency: object) -> frozenset[str] | None:
    """Return the roles a page guard (cbec.web.access.guard) admits, else None (not a guard)."""
    value = getattr(dependency, "roles", None)
    return value if isinstance(value, frozenset) else None
