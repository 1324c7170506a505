"""REST route of the per-order three-flow view (三流合一) under /api/v1/orders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import scoped
from cbec.common.scope import Scope
from cbec.privacy import order_flows
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/orders", tags=["flows"])


@router.get("/{platform_code}/{order_no}/flows")
def flows(
    platform_code: str,
    order_no: str,
    scope: Scope = Depends(scoped(Permission.FLOWS_READ)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Return an order's information, money and goods flows with a dated timeline (personal data masked).

    An order none of whose enterprises lies in the caller's scope is not found (404).
    """
    return order_flows(ctx, platform_code, order_no, scope=scope).as_dict()
