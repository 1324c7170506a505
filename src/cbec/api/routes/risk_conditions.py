"""REST routes of entity conditions (实体条件) under /api/v1/risk/conditions: list, place, lift.

A block (可撤销拦截), a non-overridable block (不可撤销拦截) or an override (豁免) on a buyer key, an enterprise or
one inventory, with expiry; each change rewrites the subject's supervision hold measures, which intake reads
synchronously (docs/risk.md, "Entity conditions"). Conditions are zone-wide: reading takes ``risk.read``, placing
and lifting ``risk.manage``, both with the whole zone's scope (a city's officers are refused with 403
``AUTH-SCOPE``). The actor is the signed-in principal; the service needs no second officer (a case's confirmed
block-list entry, which does, places its hard block through the case).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope, require_whole
from cbec.risk.conditions import ConditionCreate, ConditionRead, lift_condition, list_conditions, place_condition
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/risk/conditions", tags=["risk"])
WHAT = ("风险实体条件", "the risk system's entity conditions")


class ConditionIn(BaseModel):
    """A condition to place from now on."""

    subject_kind: str = Field(description="buyer, enterprise or inventory.")
    subject_key: str = Field(max_length=200, description="The buyer's keyed hash, the enterprise code or E-port no.")
    kind: str = Field(description="block, hard_block or override.")
    reason: str = Field(max_length=500, description="Why (shown on the dossier of a held inventory).")
    valid_until: datetime | None = Field(None, description="End (open when absent).")


class LiftIn(BaseModel):
    """Why a condition is lifted now."""

    reason: str = Field(max_length=500)


@router.get("", response_model=list[ConditionRead])
def conditions(
    subject: str | None = Query(None, max_length=200, description="Only this subject key."),
    in_force: bool = Query(False, description="Only those in force now."),
    scope: Scope = Depends(scoped(Permission.RISK_READ)),
    ctx: Context = Depends(get_ctx),
) -> list[ConditionRead]:
    """Return the conditions, newest first."""
    require_whole(scope, *WHAT)
    return list_conditions(ctx, subject_key=subject, in_force=in_force)


@router.post("", response_model=ConditionRead, status_code=201)
def place(
    body: ConditionIn,
    principal: Principal = Depends(require(Permission.RISK_MANAGE)),
    scope: Scope = Depends(scoped(Permission.RISK_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ConditionRead:
    """Place a condition from now on; its supervision holds take effect at once."""
    require_whole(scope, *WHAT)
    data = ConditionCreate(**body.model_dump())
    return place_condition(ctx, data, actor=principal.name)


@router.post("/{condition_id}/lift", response_model=ConditionRead)
def lift(
    condition_id: int,
    body: LiftIn,
    principal: Principal = Depends(require(Permission.RISK_MANAGE)),
    scope: Scope = Depends(scoped(Permission.RISK_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ConditionRead:
    """End a condition now (a non-overridable block only this way, after review)."""
    require_whole(scope, *WHAT)
    return lift_condition(ctx, condition_id, reason=body.reason, actor=principal.name)
