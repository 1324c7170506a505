"""Shapes of the external lists' use cases (外部名单)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class ListLoadRead(BaseModel):
    """An accepted load: what it replaced and what it holds."""

    id: int
    kind: str
    source: str
    provenance: str
    sha256: str
    entries: int
    replaced: int
    loaded_by: str
    loaded_at: datetime


class ListEntryRead(BaseModel):
    """One entry of a list in force or not; ``case_id``: the case whose confirmed proposal added it (None: a load's)."""

    id: int
    case_id: int | None = None
    kind: str
    key: str
    valid_from: date
    valid_to: date | None
    data: dict[str, Any]
