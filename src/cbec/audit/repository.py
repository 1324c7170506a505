"""Writes and reads audit records; never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit.models import AuditRecord


def record_audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditRecord:
    """Add an audit record to the current transaction (action is a past-tense dotted name)."""
    row = AuditRecord(
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(row)
    return row


def list_audit(session: Session, *, entity_type: str, entity_key: str) -> list[AuditRecord]:
    """Return the audit records of one entity, oldest first."""
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.entity_type == entity_type, AuditRecord.entity_key == entity_key)
        .order_by(AuditRecord.id)
    )
    return list(session.scalars(stmt))
