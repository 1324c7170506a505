"""REST route of the audited unmasked read (个人信息查阅): POST /api/v1/clearance/inventories/{number}/reveal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import require
from cbec.privacy import reveal_inventory_buyer
from cbec.storage.context import Context

router = APIRouter(
    prefix="/api/v1/clearance", tags=["privacy"], dependencies=[Depends(require(Permission.PERSONAL_REVEAL))]
)


class RevealIn(BaseModel):
    """Who reads the buyer's identity in clear, and why (both go into the audit chain)."""

    actor: str = Field(min_length=1)
    reason: str = Field(min_length=1)


@router.post("/inventories/{number}/reveal")
def reveal(number: str, body: RevealIn, ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Return an inventory's buyer unmasked; the read is recorded with who and why."""
    revealed = reveal_inventory_buyer(ctx, number, actor=body.actor, reason=body.reason)
    data = asdict(revealed)
    data["revealed_at"] = revealed.revealed_at.isoformat()
    return data
