"""The event catalogue over REST (事件目录): JSON Schema of every outbox event, for agencies and integrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from cbec.accounts import Permission
from cbec.api.security import require
from cbec.sharing.catalogue import event_schemas

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.get("/schema", dependencies=[Depends(require(Permission.REFERENCE_READ))])
def schema() -> dict[str, Any]:
    """Return the versioned JSON Schema of every event kind (a union discriminated by ``kind``)."""
    return event_schemas()
