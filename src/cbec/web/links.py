"""Which links a caller sees (导航可见性): a link is shown when the page it points to would open for the caller.

The answer is read from the guard of the GET route at the link's path (``cbec.web.access.guard`` records the roles
and permission it admits), and decided by ``cbec.web.roles.opens``, the function the guard itself applies: there
is no second table of who may open what. A route without a guard is public.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.routing import iter_route_contexts

from cbec.web.roles import SECTIONS, opens, roles_of

Link = TypeVar("Link", bound=Sequence[Any])
Rule = tuple[frozenset[str], frozenset[str]] | None  # (roles, permissions) of a guarded page; None: public


def _guards(app: Any) -> dict[str, Rule]:
    """Return the guard of every GET page of the app by path (computed once per app)."""
    cached: dict[str, Rule] | None = getattr(app.state, "page_guards", None)
    if cached is not None:
        return cached
    table: dict[str, Rule] = {}
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None or "GET" not in (route.methods or ()):
            continue
        rule: Rule = None
        for sub in dependant.dependencies:
            roles = roles_of(sub.call)
            if roles is not None:
                rule = (roles, frozenset(getattr(sub.call, "permissions", frozenset())))
        table[str(route.path)] = rule
    app.state.page_guards = table
    return table


def may_open(request: Request, principal: Any, href: str) -> bool:
    """Tell whether the page at href (a path, its query ignored) opens for the principal."""
    path = href.split("?", 1)[0]
    guards = _guards(request.app)
    if path not in guards:
        return False
    rule = guards[path]
    return rule is None or opens(principal, rule[0], rule[1])


def visible(request: Request, principal: Any, links: Iterable[Link]) -> list[Link]:
    """Keep the links (tuples whose first item is the href) whose pages open for the principal."""
    return [link for link in links if may_open(request, principal, str(link[0]))]


def navigation(request: Request, principal: Any) -> list[tuple[str, str, bool]]:
    """Return (href, label key, active) of the sections the principal may open, the public ones included."""
    path = request.url.path
    items = [("/", "nav.home", path == "/")]
    labels: set[str] = set()
    if principal is not None:
        for href, label in SECTIONS:
            if label not in labels and may_open(request, principal, href):
                labels.add(label)
                items.append((href, label, path.startswith(href.rsplit("/", 1)[0] or href)))
    items.append(("/quota", "nav.quota", path.startswith("/quota")))
    return items
