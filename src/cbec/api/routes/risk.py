"""REST routes of the risk system (风险防控) under /api/v1/risk: alerts with their traces, in the caller's tenant.

Alerts carry pseudonymous subject keys, never personal data. A city's officers see the decisions of their tenant
subtree; enterprises hold no ``risk.read``.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import scoped
from cbec.common.scope import Scope
from cbec.risk.schemas import AlertRead
from cbec.risk.service import list_alerts
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])


@router.get("/alerts", response_model=list[AlertRead])
def alerts(
    since: datetime | None = Query(None, description="Decided at or after (ISO 8601)."),
    until: datetime | None = Query(None, description="Decided before (ISO 8601)."),
    typology: str | None = Query(None, description="order_splitting, fake_order, id_misuse, undervaluation …"),
    limit: int = Query(500, ge=1, le=10_000),
    scope: Scope = Depends(scoped(Permission.RISK_READ)),
    ctx: Context = Depends(get_ctx),
) -> list[AlertRead]:
    """Return the alerts (review, hold or reject) decided in the period within the caller's tenant, oldest first."""
    return list_alerts(ctx, since=since, until=until, typology=typology, scope=scope, limit=limit)
