"""Intake tables (报文接收): the message log, the receipts the platform issued, and number sequences.

Both belong to intake, below the document domains: every message, import or export, is logged here once (its
SHA-256 makes a resubmission idempotent), and every receipt of every document is born here (``cbec.intake.receipts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class MessageRecord(Base):
    """A CEB message received (报文接收记录); the SHA-256 makes a resubmitted message idempotent."""

    __tablename__ = "ceb_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    message_type: Mapped[str] = mapped_column(String(20))
    message_guid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sender_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    envelope_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    source_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    document_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IssuedReceipt(Base):
    """A receipt the platform issued (回执), kept so it can be produced again at any time."""

    __tablename__ = "issued_receipt"
    __table_args__ = (Index("ix_issued_receipt_document", "document_kind", "document_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_type: Mapped[str] = mapped_column(String(20))
    document_kind: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    guid: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(10))
    info: Mapped[str] = mapped_column(Text)
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    keys: Mapped[dict[str, Any]] = mapped_column(JSON)
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)


class NumberSequence(Base):
    """Serial numbers per name and period (清单编号、预录入编号流水)."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    period: Mapped[str] = mapped_column(String(12), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigId, default=1)
