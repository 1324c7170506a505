"""The trade fact table (贸易事实表): one non-personal row per goods line of every import and export inventory.

A plain table on purpose (no foreign keys, no server defaults, no ORM events): an import message's new fact rows
go out with its other new rows in one COPY on PostgreSQL (``cbec.storage.bulk.copy_new_rows``). The link to the
document is its E-port number (and customs inventory number once given), never a foreign key.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId, UtcDateTime


class TradeFact(Base):
    """One goods line of an import or export inventory in clear typed columns (贸易事实), with no personal data.

    The subject keys are keyed pseudonyms (the platform's blind index), never the data they stand for.
    """

    __tablename__ = "trade_fact"
    __table_args__ = (
        UniqueConstraint("direction", "eport_no", "line_no"),
        # the dashboard's reads: released goods of a period per direction (origins, destinations, values)
        Index("ix_trade_fact_released", "direction", "released_at"),
        # the statistics rollups recount whole business days (cbec.statistics.rollup)
        Index("ix_trade_fact_declared_on", "declared_on"),
        Index("ix_trade_fact_released_on", "released_on"),
        # risk joins a waybill's signing (CEB513) to its inventory's facts (R2.4)
        Index("ix_trade_fact_waybill", "logistics_code", "logistics_no"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    direction: Mapped[str] = mapped_column(String(1))  # I import, E export
    mode: Mapped[str] = mapped_column(String(4))  # 9610 | 1210 | 9710 | 9810 (the inventory's trade mode)
    document_id: Mapped[int] = mapped_column(BigId)  # the inventory's id in its own table (no foreign key)
    eport_no: Mapped[str] = mapped_column(String(18))
    inventory_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    order_no: Mapped[str] = mapped_column(String(60))
    line_no: Mapped[int] = mapped_column(Integer)
    item_no: Mapped[str | None] = mapped_column(String(50), nullable=True)  # the line's goods number (企业商品货号)
    hs_code: Mapped[str] = mapped_column(String(10))
    goods_name: Mapped[str] = mapped_column(String(250))
    origin_country: Mapped[str] = mapped_column(String(3))
    destination_country: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(Amount)
    unit: Mapped[str] = mapped_column(String(3))
    legal_quantity: Mapped[Decimal] = mapped_column(Amount)
    legal_unit: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    value: Mapped[Decimal] = mapped_column(Amount)  # the line's total in the declared currency
    value_cny: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # at the customs rate; None: no rate
    value_usd: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # at the customs rate; None: no rate
    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str | None] = mapped_column(String(60), nullable=True)  # the waybill number (运单号)
    payment_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    agent_code: Mapped[str] = mapped_column(String(18))
    warehouse_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    owner_code: Mapped[str | None] = mapped_column(String(18), nullable=True)  # export producer or seller
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True)  # the e-commerce enterprise's tenant
    customs_code: Mapped[str] = mapped_column(String(4))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    declared_on: Mapped[date] = mapped_column(Date)  # business date, Asia/Shanghai
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # FactStatus
    buyer_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payer_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the inventory's declared gross weight in kg (毛重), the same on each of its lines
    gross_weight: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    # the consignee's prefecture (GB/T 2260, e.g. 440300), from the matched order; never the address itself
    consignee_region: Mapped[str | None] = mapped_column(String(6), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
