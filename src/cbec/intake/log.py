"""The message log and the receipts of a message, as stored (报文日志查询)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.intake.models import IssuedReceipt, MessageRecord


def message_by_hash(session: Session, sha256: str) -> MessageRecord | None:
    """Return the message already received with these exact bytes."""
    return session.scalar(select(MessageRecord).where(MessageRecord.sha256 == sha256))


def receipts_of_message(session: Session, message_id: int) -> list[IssuedReceipt]:
    """Return the receipts issued while a message was processed, in the order they were issued."""
    return list(
        session.scalars(select(IssuedReceipt).where(IssuedReceipt.message_id == message_id).order_by(IssuedReceipt.id))
    )


def receipts_for(session: Session, kind: str, document_id: int) -> list[IssuedReceipt]:
    """Return the receipts issued for one stored document, oldest first."""
    return list(
        session.scalars(
            select(IssuedReceipt)
            .where(IssuedReceipt.document_kind == kind, IssuedReceipt.document_id == document_id)
            .order_by(IssuedReceipt.id)
        )
    )
