"""REST routes of the audit trail (审计日志) under /api/v1/audit: chain verification and search."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import require
from cbec.audit.service import search_audit, verify_audit_chain
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(require(Permission.AUDIT_TRAIL))])


@router.get("/verify")
def verify(ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Walk the hash chain; ``ok`` is false and ``first_broken_id`` names the first altered or missing record."""
    return verify_audit_chain(ctx).as_dict()


@router.get("/records")
def records(
    entity_type: str | None = None,
    entity_key: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Search audit records, newest first (snapshots hold masked personal data only)."""
    items, total = search_audit(
        ctx, entity_type=entity_type, entity_key=entity_key, action=action, actor=actor, limit=limit, offset=offset
    )
    rows = []
    for item in items:
        row = asdict(item)
        row["at"] = item.at.isoformat()
        rows.append(row)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}
