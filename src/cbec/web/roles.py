"""Which roles each part of the portal serves (门户分区), and the navigation a role sees."""

from __future__ import annotations

from typing import Any

WORKSPACE_ROLES = frozenset({"enterprise_user", "declaring_agent"})
CONSOLE_ROLES = frozenset({"agency_officer", "zone_admin"})
DASHBOARD_ROLES = frozenset({"zone_admin", "agency_officer", "auditor"})

SECTIONS = (
    ("/workspace", "nav.workspace", WORKSPACE_ROLES),
    ("/console", "nav.console", CONSOLE_ROLES),
    ("/dashboard", "nav.dashboard", DASHBOARD_ROLES),
)


def navigation(principal: Any, path: str) -> list[tuple[str, str, bool]]:
    """Return (href, label key, active) of the sections a principal may open, the public ones included."""
    role = None if principal is None else str(principal.role)
    items = [("/", "nav.home", path == "/")]
    for href, label, roles in SECTIONS:
        if role in roles:
            items.append((href, label, path.startswith(href)))
    items.append(("/quota", "nav.quota", path.startswith("/quota")))
    return items
