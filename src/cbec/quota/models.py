"""Personal annual quota ledger tables (个人年度交易限值台账).

Buyers are keyed by the blind index of their normalised ID number; the number itself is never stored here.
Money is integer fen. Entries are append-only; an account row holds the running total that is locked
(SELECT … FOR UPDATE) for every change, so concurrent declarations for one buyer queue on it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId, UtcDateTime

CONSUME = "consume"
RESTORE = "restore"
# operation_ref of consume entries: one consumption per inventory (per hs8 for quantities).
CONSUME_OPERATION = "consume"


class QuotaAccount(Base):
    """One buyer's money total for one calendar year (Asia/Shanghai)."""

    __tablename__ = "quota_account"
    __table_args__ = (UniqueConstraint("buyer_key", "year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    buyer_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    used_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class QuotaEntry(Base):
    """One consumption or restoration of a buyer's annual money quota.

    ``operation_ref`` is "consume" for a consumption and the caller's return reference for a restoration, so
    (inventory_ref, kind, operation_ref) makes every retry idempotent.
    """

    __tablename__ = "quota_entry"
    __table_args__ = (
        UniqueConstraint("inventory_ref", "kind", "operation_ref"),
        Index("ix_quota_entry_buyer_year", "buyer_key", "year"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    buyer_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    used_before_fen: Mapped[int] = mapped_column(BigInteger)
    used_after_fen: Mapped[int] = mapped_column(BigInteger)
    limit_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    inventory_ref: Mapped[str] = mapped_column(String(80))
    operation_ref: Mapped[str] = mapped_column(String(80))
    order_no: Mapped[str] = mapped_column(String(60), default="")
    platform_name: Mapped[str] = mapped_column(String(200), default="")
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    buyer_name_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QuantityAccount(Base):
    """One buyer's quantity total of one tariff line (hs8) for one year, in the legal unit (e.g. sugar in kg)."""

    __tablename__ = "quantity_account"
    __table_args__ = (UniqueConstraint("buyer_key", "year", "hs8"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    buyer_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    hs8: Mapped[str] = mapped_column(String(8))
    used_qty: Mapped[Decimal] = mapped_column(Amount)


class QuantityEntry(Base):
    """One consumption or restoration of a per-person annual quantity cap."""

    __tablename__ = "quantity_entry"
    __table_args__ = (
        UniqueConstraint("inventory_ref", "hs8", "kind", "operation_ref"),
        Index("ix_quantity_entry_buyer_year", "buyer_key", "year", "hs8"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    buyer_key: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    hs8: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[Decimal] = mapped_column(Amount)
    used_before: Mapped[Decimal] = mapped_column(Amount)
    used_after: Mapped[Decimal] = mapped_column(Amount)
    cap: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    unit: Mapped[str] = mapped_column(String(10), default="")
    inventory_ref: Mapped[str] = mapped_column(String(80))
    operation_ref: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
