"""The risk alert queue (风险预警队列) of the officer console: alerts by score, each with its reasons in words.

The same alerts as ``GET /api/v1/risk/alerts`` (``risk.read``, in the caller's tenant): every typology of every
assessed inventory at review band or above, highest score first, with the rules that gave points and why, in the
page's language. Subjects stay pseudonymous keys; the inventory links to its dossier for officers who may read it,
and each alert to the disposal case it was filed into (a snoozed alert is in none; one not yet filed shows a dash).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from cbec.api.deps import get_ctx
from cbec.risk.cases import cases_of_alerts
from cbec.risk.service import list_alerts
from cbec.storage.context import Context
from cbec.web.access import CONSOLE_ROLES, Entry, guard
from cbec.web.console import _tabs
from cbec.web.render import page

router = APIRouter(prefix="/console", include_in_schema=False)
READ = Depends(guard(CONSOLE_ROLES, "risk.read"))
PAGE = 50
CAP = 5_000
TYPOLOGIES = (
    "order_splitting",
    "fake_order",
    "id_misuse",
    "undervaluation",
    "laundering",
    "ip_infringement",
    "quality",
)


@router.get("/risk", response_class=HTMLResponse)
def alert_queue(
    request: Request, offset: int = 0, typology: str | None = None, entry: Entry = READ, ctx: Context = Depends(get_ctx)
) -> Response:
    """List the risk alerts in the caller's scope, highest score first, PAGE a page, with their reasons."""
    if entry.refused:
        return entry.refused
    wanted = typology if typology in TYPOLOGIES else None
    alerts = list_alerts(ctx, typology=wanted, scope=entry.scope, limit=CAP)
    alerts.sort(key=lambda a: (-a.score, -a.decision_id, a.typology))
    start = min(max(0, offset), max(0, len(alerts) - 1))
    shown = alerts[start : start + PAGE]
    return page(
        request,
        "portal/console/risk.html",
        {
            "tabs": _tabs("/console/risk"),
            "alerts": shown,
            "cases": cases_of_alerts(ctx, (a.decision_id for a in shown)),
            "total": len(alerts),
            "offset": start,
            "limit": PAGE,
            "typology": wanted,
            "typologies": TYPOLOGIES,
        },
        principal=entry.principal,
    )


TYPOLOGIES = (
    "order_splitting",
    "fake_order",
    "id_misuse",
    "undervaluation",
    "laundering",
    "ip_infringement",
    "quality",
)
