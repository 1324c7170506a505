"""Product filing table (商品备案): the SKUs an e-commerce enterprise declares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId, UtcDateTime
from cbec.storage.revisions import watch

PRODUCT = "product"  # the revision token of product filings (migration perf02)


class Product(Base):
    """One filed SKU of an e-commerce enterprise, with its HS code, units and net content."""

    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("owner_id", "item_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    item_no: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(250))
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    specification: Mapped[str] = mapped_column(String(510))
    brand: Mapped[str | None] = mapped_column(String(100), nullable=True)
    origin_country: Mapped[str] = mapped_column(String(3))
    transaction_unit: Mapped[str] = mapped_column(String(3))
    legal_unit: Mapped[str] = mapped_column(String(3))
    legal_unit_2: Mapped[str | None] = mapped_column(String(3), nullable=True)
    # Net content of one transaction unit, in net_content_unit (e.g. 50 in 096 毫升 for a 50 ml bottle);
    # the consumption-tax per-unit thresholds are tested against it.
    net_content: Mapped[Decimal] = mapped_column(Amount)
    net_content_unit: Mapped[str] = mapped_column(String(3))
    barcode: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # Gross weight of one transaction unit in kg, packed (optional, migration prdw01): risk compares an import
    # inventory's declared gross weight with Σ quantity × this (R2.3, 空包: empty parcels of fake orders).
    unit_gross_weight: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


watch(Product, PRODUCT)
