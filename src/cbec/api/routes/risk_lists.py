"""REST routes of the risk system's external lists (外部名单) under /api/v1/risk/lists: read and load.

IPR recordations, recalls, prohibited goods and agency watch-lists are zone-wide data, the same for every
``risk.read`` caller (docs/risk.md, "External lists"). Loading one replaces its kind's entries, all or nothing
(JSON, or CSV with its provenance beside it; every problem listed with its ``RSK-LIST-*`` rule id, 422); it needs
``risk.manage`` and the whole zone's scope (a city's officers are refused with 403 ``AUTH-SCOPE``); who loaded it is
the signed-in principal.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope, require_whole
from cbec.risk.lists import ListEntryRead, ListLoadRead, list_entries, load_list
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/risk/lists", tags=["risk"])


class ListIn(BaseModel):
    """A list document (the format of cbec/risk/data/lists/*.sample.json), or a CSV file with its provenance."""

    document: dict[str, Any] | None = Field(None, description="kind, provenance, entries.")
    csv: str | None = Field(
        None, max_length=4_000_000, description="Instead of document: a header row, one entry a row."
    )
    provenance: str = Field("", max_length=2000, description="With csv: where the list comes from.")
    source: str = Field("api", max_length=200, description="Where the list came from (a file name, an agency feed).")


@router.get("", response_model=list[ListEntryRead])
def entries(
    kind: str | None = Query(None, description="ipr, recall, prohibited or watch; every kind when absent."),
    _scope: Scope = Depends(scoped(Permission.RISK_READ)),
    ctx: Context = Depends(get_ctx),
) -> list[ListEntryRead]:
    """Return the loaded entries with their validity (every kind, or one)."""
    return list_entries(ctx, kind)


@router.post("/{kind}", response_model=ListLoadRead, status_code=201)
def load(
    kind: str,
    body: ListIn,
    principal: Principal = Depends(require(Permission.RISK_MANAGE)),
    scope: Scope = Depends(scoped(Permission.RISK_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ListLoadRead:
    """Check a list document and replace its kind's entries with it, all or nothing."""
    require_whole(scope, "风险外部名单", "the risk system's external lists")
    if body.csv is not None:
        return load_list(
            ctx, kind, body.csv, source=body.source, actor=principal.name, fmt="csv", provenance=body.provenance
        )
    text = json.dumps(body.document if body.document is not None else {}, ensure_ascii=False)
    return load_list(ctx, kind, text, source=body.source, actor=principal.name)
