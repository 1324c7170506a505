"""Schemas of entity conditions (实体条件)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ConditionCreate(BaseModel):
    """A condition to place: subject, kind, reason and validity (from now when no start is given)."""

    subject_kind: str  # buyer | enterprise | inventory
    subject_key: str
    kind: str  # block | hard_block | override
    reason: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class ConditionRead(BaseModel):
    """A stored condition."""

    id: int
    subject_kind: str
    subject_key: str
    kind: str
    reason: str
    origin: str
    valid_from: datetime
    valid_until: datetime | None
    created_by: str
    created_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    in_force: bool
