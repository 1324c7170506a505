"""Writes and reads audit records; never commits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from cbec.audit.journal import Head, append, register_journal
from cbec.audit.keys import key_for
from cbec.audit.models import AuditRecord, JournalHead
from cbec.audit.rules import CHAIN_TRANSACTION, normalised, transaction_seal
from cbec.storage.bulk import Values

JOURNAL = "audit"


def chained_fields(row: AuditRecord | Values) -> dict[str, Any]:
    """Return the fields of a record that its hash covers (and the rule it was hashed by)."""
    return {
        "seq": row.seq,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_key": row.entity_key,
        "before": row.before,
        "after": row.after,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
        "chain_version": row.chain_version,
    }


def _seal(session: Session, rows: list[Values], head: Head) -> None:
    """Seal the records of a committing transaction after the head as one transaction (chain version 3).

    The records take the next positions in the order they were recorded; one HMAC under the audit key of the
    session's engine covers them all and the previous seal (no query). The last record holds the seal
    (``prev_hash``, ``hash``); the others hold neither.
    """
    position = head.last_seq
    for row in rows:
        position += 1
        row.seq = position
        row.chain_version = CHAIN_TRANSACTION
        row.prev_hash = row.hash = None
    last = rows[-1]
    last.prev_hash = head.last_hash
    last.hash = transaction_seal(head.last_hash, [vars(row) for row in rows], key_for(session))
    head.last_seq, head.last_hash = position, last.hash


register_journal(JOURNAL, None, AuditRecord, session_seal=_seal)


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
) -> Values:
    """Add an audit record to the current transaction (action is a past-tense dotted name); chained at commit."""
    row = Values(
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        before=normalised(before),
        after=normalised(after),
        reason=reason,
    )
    append(session, JOURNAL, row)
    return row


def list_audit(session: Session, *, entity_type: str, entity_key: str) -> list[AuditRecord]:
    """Return the audit records of one entity, oldest first."""
    stmt = (
        select(AuditRecord)
        .where(AuditRecord.entity_type == entity_type, AuditRecord.entity_key == entity_key)
        .order_by(AuditRecord.id)
    )
    return list(session.scalars(stmt))


def search_audit(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_key: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    offset: int = 0,
    within: ColumnElement[bool] | None = None,
) -> tuple[list[AuditRecord], int]:
    """Return a page of audit records matching the filters, newest first, and the total count.

    ``within`` keeps the records to a caller's scope (cbec.privacy.trail builds it; None: every record).
    """
    stmt = select(AuditRecord) if within is None else select(AuditRecord).where(within)
    for column, value in (
        (AuditRecord.entity_type, entity_type),
        (AuditRecord.entity_key, entity_key),
        (AuditRecord.action, action),
        (AuditRecord.actor, actor),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def chain_in_order(session: Session, *, upto: int | None = None, batch: int = 1000) -> Iterator[AuditRecord]:
    """Yield the audit records up to a position (all if None) in chain order, then unsealed records, in batches."""
    last = 0
    while True:
        stmt = select(AuditRecord).where(AuditRecord.seq > last)
        if upto is not None:
            stmt = stmt.where(AuditRecord.seq <= upto)
        rows = list(session.scalars(stmt.order_by(AuditRecord.seq).limit(batch)))
        if not rows:
            break
        yield from rows
        last = rows[-1].seq or last
        session.expunge_all()
    yield from session.scalars(select(AuditRecord).where(AuditRecord.seq.is_(None)).order_by(AuditRecord.id))


def head_and_end(session: Session, name: str = JOURNAL) -> tuple[int | None, int | None]:
    """Return the head's position and the highest record position, read in one statement (one snapshot)."""
    head = select(JournalHead.last_seq).where(JournalHead.name == name).scalar_subquery()
    end = select(func.max(AuditRecord.seq)).scalar_subquery()
    row = session.execute(select(head, end)).one()
    return row[0], row[1]


def journal_head(session: Session, name: str = JOURNAL) -> JournalHead | None:
    """Return a journal's head row without locking it."""
    return session.get(JournalHead, name)
