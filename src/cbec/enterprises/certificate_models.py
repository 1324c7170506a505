"""Signing certificates registered by enterprises (企业签名证书备案)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.enterprises.models import FILING
from cbec.storage.base import Base, BigId, UtcDateTime
from cbec.storage.revisions import watch


class EnterpriseCertificate(Base):
    """An X.509 certificate an enterprise signs its CEB messages with; only active ones are trusted."""

    __tablename__ = "enterprise_certificate"
    __table_args__ = (UniqueConstraint("enterprise_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the DER, hex
    serial_hex: Mapped[str] = mapped_column(String(64), index=True)
    algorithm: Mapped[str] = mapped_column(String(10))  # RSA | SM2
    subject: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_to: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), index=True)  # active | revoked
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


watch(EnterpriseCertificate, FILING)
