"""Tables of statistics monitoring (统计监测): the zone's yearly targets and consumers' misuse reports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import ENCRYPTED, Amount, Base, BigId, UtcDateTime


class ZoneTarget(Base):
    """A yearly target the zone office sets for one indicator (年度目标), e.g. 交易额 5 000 000 000 元 in 2026."""

    __tablename__ = "zone_target"
    __table_args__ = (UniqueConstraint("year", "indicator"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))  # Indicator
    target: Mapped[Decimal] = mapped_column(Amount)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class ConsumerReport(Base):
    """A consumer's report of an inventory counted on their quota that they did not buy (额度盗用举报)."""

    __tablename__ = "consumer_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference_no: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    buyer_key: Mapped[str] = mapped_column(String(64), index=True)
    inventory_ref: Mapped[str] = mapped_column(String(18), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text, nullable=True, info=ENCRYPTED)  # encrypted: the consumer's own words
    status: Mapped[str] = mapped_column(String(20), index=True)  # ReportStatus
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
