"""Audit trail tables (审计记录): hash-chained records and the heads of append-only journals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class AuditRecord(Base):
    """One state change or one unmasked personal-data read, chained to the record before it.

    ``seq``, ``prev_hash``, ``hash`` and ``chain_version`` are set when the transaction commits (see
    ``cbec.audit.journal``); ``seq`` is empty only inside the transaction that wrote the record. ``chain_version``
    is the rule of the seal (``cbec.audit.rules``): 1 unkeyed SHA-256 per record (records from before migration
    trust02, the column's default), 2 HMAC-SHA256 per record under the audit key, 3 one HMAC per transaction (every
    record since issue 20): only the transaction's last record holds ``prev_hash`` and ``hash``, its others hold
    neither. Rows are never updated or deleted: triggers refuse it.
    """

    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100), index=True)
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_key: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chain_version: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))


class JournalHead(Base):
    """The last position (and hash) of an append-only journal; locked by every commit that appends.

    The audit journal's head may only move forward: triggers refuse to delete it or to lower its ``last_seq``.
    """

    __tablename__ = "journal_head"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_row_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
