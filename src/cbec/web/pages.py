"""Front page of the portal (门户首页): where each user goes, and today's clearance figures."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.clearance.queries import search_inventories, status_counts
from cbec.storage.context import Context
from cbec.web.render import page

router = APIRouter(include_in_schema=False)

STATUSES = ("2", "120", "300", "500", "800", "899", "100", "cancelled")
TILES = (
    ("/workspace", "home.tile.workspace", "home.tile.workspace.body"),
    ("/console", "home.tile.console", "home.tile.console.body"),
    ("/dashboard", "home.tile.dashboard", "home.tile.dashboard.body"),
    ("/quota", "home.tile.quota", "home.tile.quota.body"),
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Context = Depends(get_ctx)) -> HTMLResponse:
    """Render the front page: the portal's sections, counts by status and the latest inventories."""
    principal = web_principal(request)
    if principal is not None and principal.may(Permission.CLEARANCE_READ):
        scope = principal.scope_for(Permission.CLEARANCE_READ)  # figures only of the inventories one may see
        latest, total = search_inventories(ctx, scope=scope, limit=20)
        counts = status_counts(ctx, scope=scope)
    else:
        latest, total, counts = [], 0, {}
    return page(
        request,
        "portal/home.html",
        {
            "tiles": TILES,
            "counts": [(code, counts.get(code, 0)) for code in STATUSES],
            "latest": latest,
            "total": total,
        },
        principal=principal,
    )
