"""Table of entity conditions (实体条件, EFRuP): blocks, non-overridable blocks and overrides on one subject.

``risk_condition``: one condition on a buyer (keyed hash), an enterprise (code) or one inventory (E-port number),
in force from ``valid_from`` until ``valid_until`` (open when None) or until it is lifted. Clearance never reads
this table: each change rewrites the subject's supervision hold measures (source ``risk_entity``), which it reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class RiskCondition(Base):
    """One entity condition."""

    __tablename__ = "risk_condition"
    __table_args__ = (Index("ix_risk_condition_subject", "subject_kind", "subject_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(12))  # cbec.supervision.SubjectKind
    subject_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))  # ConditionKind
    reason: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(60))  # officer | case <id> (a confirmed list entry)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
