"""Server-rendered pages (网页): the platform's front page with today's clearance figures."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from cbec import __version__
from cbec.api.deps import get_ctx
from cbec.clearance.queries import search_inventories, status_counts
from cbec.storage.context import Context

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

STATUS_LABELS = {
    "2": ("申报中", "declared, waiting for partners"),
    "120": ("海关入库", "accepted"),
    "300": ("人工审核", "manual review"),
    "500": ("查验", "inspection"),
    "800": ("放行", "released"),
    "899": ("结关", "closed"),
    "100": ("退单", "refused"),
    "cancelled": ("已撤单", "cancelled"),
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Context = Depends(get_ctx)) -> HTMLResponse:
    """Render the front page: counts by status and the latest inventories."""
    latest, total = search_inventories(ctx, limit=20)
    counts = status_counts(ctx)
    rows = [(code, *labels, counts.get(code, 0)) for code, labels in STATUS_LABELS.items()]
    return templates.TemplateResponse(
        request, "home.html", {"rows": rows, "latest": latest, "total": total, "version": __version__}
    )
