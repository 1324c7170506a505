"""REST routes of the audit trail (审计日志) under /api/v1/audit: chain verification and search.

The hub's auditors and zone office read the whole trail and verify the chain; a city's read the records of
their tenant's enterprises, products and inventories (cbec.privacy.trail) and may not verify the whole chain.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import scoped
from cbec.audit.service import verify_audit_chain
from cbec.common.scope import Scope, require_whole
from cbec.privacy.trail import search_trail
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
TRAIL = Permission.AUDIT_TRAIL


@router.get("/verify")
def verify(scope: Scope = Depends(scoped(TRAIL)), ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Walk the hash chain; ``ok`` is false and ``first_broken_id`` names the first altered or missing record.

    The chain is also held to the zone's checkpoint file (``CBEC_AUDIT_CHECKPOINT_FILE``) when one is configured:
    a truncated or re-chained tail then fails here too.
    """
    require_whole(scope, "整个审计链的校验", "verifying the whole audit chain")
    checkpoints = ctx.settings.audit_checkpoint_file
    anchored = checkpoints if checkpoints is not None and checkpoints.exists() else None
    return verify_audit_chain(ctx, anchored).as_dict()


@router.get("/records")
def records(
    entity_type: str | None = None,
    entity_key: str | None = None,
    action: str | None = None,
    actor: str | None = Query(None, description="Filter: records made by this actor (not who is recorded)."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(TRAIL)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Search the audit records in the caller's scope, newest first (snapshots hold masked personal data only)."""
    items, total = search_trail(
        ctx,
        scope=scope,
        entity_type=entity_type,
        entity_key=entity_key,
        action=action,
        actor=actor,
        limit=limit,
        offset=offset,
    )
    rows = []
    for item in items:
        row = asdict(item)
        row["at"] = item.at.isoformat()
        rows.append(row)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}
