"""Personal-data governance tables (个人信息保护): which documents had their personal data purged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class PurgedDocument(Base):
    """A stored document whose personal data was removed after the retention period (个人信息删除)."""

    __tablename__ = "privacy_purged_document"
    __table_args__ = (UniqueConstraint("table_name", "row_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[int] = mapped_column(BigId)
    purged_at: Mapped[datetime] = mapped_column(UtcDateTime)
