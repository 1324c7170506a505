"""Supervision measures as data (监管措施): what credit, risk and officers ask clearance to apply to a subject.

A measure names a subject (an enterprise by customs or credit code, a buyer by keyed hash, one inventory by its
E-port number), what to do (hold for manual review, or an inspection probability by credit level), who asked
(source and reference: a credit level and ruleset, a risk decision), why, and when it is in force. Credit and
risk write these rows; clearance reads them when it decides an inventory, so neither package is imported by the
pipeline (docs/architecture.md "Feedback through data").
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId, UtcDateTime
from cbec.storage.revisions import watch


class SupervisionMeasure(Base):
    """One measure on one subject, in force from ``valid_from`` until ``valid_until`` (open-ended when None)."""

    __tablename__ = "supervision_measure"
    __table_args__ = (Index("ix_supervision_measure_subject", "subject_kind", "subject_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(12))  # SubjectKind
    subject_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # MeasureKind
    rate: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # inspection probability, 0..1
    source: Mapped[str] = mapped_column(String(12))  # credit | credit_list | risk | risk_entity | officer
    reference: Mapped[str] = mapped_column(String(120))  # e.g. "credit zone@1 level C", "risk decision 42"
    reason: Mapped[str] = mapped_column(Text)  # shown on the officer's dossier, zh / en
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


REVISION = "supervision"
watch(SupervisionMeasure, REVISION)  # a transaction that writes measures reads them from the database
