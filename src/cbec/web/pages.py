"""Front page of the portal (门户首页), each role's landing page: the tiles of the pages the caller may open (read
from those pages' guards, web/links.py), and the clearance figures when the caller may read them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import web_principal
from cbec.clearance.queries import search_inventories, status_counts
from cbec.storage.context import Context
from cbec.web.links import visible
from cbec.web.render import page

router = APIRouter(include_in_schema=False)

STATUSES = ("2", "120", "300", "500", "800", "899", "100", "cancelled")
TILES = (
    ("/workspace", "home.tile.workspace", "home.tile.workspace.body"),
    ("/workspace/upload", "home.tile.upload", "home.tile.upload.body"),
    ("/workspace/exports", "home.tile.exports", "home.tile.exports.body"),
    ("/console", "home.tile.console", "home.tile.console.body"),
    ("/console/exports", "home.tile.held_exports", "home.tile.held_exports.body"),
    ("/console/export-tax", "home.tile.export_tax", "home.tile.export_tax.body"),
    ("/dashboard", "home.tile.dashboard", "home.tile.dashboard.body"),
    ("/workspace/warehouses", "home.tile.warehouses", "home.tile.warehouses.body"),
    ("/console/warehouses", "home.tile.warehouses", "home.tile.warehouses.body"),
    ("/quota", "home.tile.quota", "home.tile.quota.body"),
    ("/quota/report-status", "home.tile.report_status", "home.tile.report_status.body"),
)
ANONYMOUS_TILES = ("/workspace", "/console", "/dashboard", "/quota", "/quota/report-status")


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
            "tiles": _tiles(request, principal),
            "counts": [(code, counts.get(code, 0)) for code in STATUSES],
            "latest": latest,
            "total": total,
        },
        principal=principal,
    )


def _tiles(request: Request, principal: object) -> list[tuple[str, str, str]]:
    """Return the tiles of the pages the caller may open; before sign-in, the portal's sections (they sign in)."""
    if principal is None:
        return [tile for tile in TILES if tile[0] in ANONYMOUS_TILES]
    return visible(request, principal, TILES)
