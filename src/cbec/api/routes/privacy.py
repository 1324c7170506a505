"""REST route of the audited unmasked read (个人信息查阅): POST /api/v1/clearance/inventories/{number}/reveal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.privacy import reveal_inventory_buyer
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/clearance", tags=["privacy"])
REVEAL = Permission.PERSONAL_REVEAL


class RevealIn(BaseModel):
    """Why the buyer's identity is read in clear; the audit chain records it with the signed-in officer."""

    reason: str = Field(min_length=1)


@router.post("/inventories/{number}/reveal")
def reveal(
    number: str,
    body: RevealIn,
    principal: Principal = Depends(require(REVEAL)),
    scope: Scope = Depends(scoped(REVEAL)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Return the buyer of an inventory in the caller's scope unmasked; the read is recorded with who and why."""
    revealed = reveal_inventory_buyer(ctx, number, actor=principal.name, reason=body.reason, scope=scope)
    data = asdict(revealed)
    data["revealed_at"] = revealed.revealed_at.isoformat()
    return data
