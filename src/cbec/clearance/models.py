"""Clearance store tables (通关数据): the documents that meet in 三单对碰 and tax bills (receipts: cbec.intake).

Personal data inside a document (buyer ID, names, phones, addresses) is kept only in ``payload``,
which is the document's JSON twin encrypted with the personal-data key; ``buyer_key`` is the keyed
hash used to find a buyer's documents.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import ENCRYPTED, PERSONAL_TWIN, Amount, Base, BigId, UtcDateTime


class _Document:
    """Columns every stored declaration has."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    guid: Mapped[str] = mapped_column(String(36), index=True)
    app_status: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(20))  # DocumentState
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text, info=PERSONAL_TWIN)  # encrypted JSON twin, with the buyer's data


class OrderRecord(_Document, Base):
    """Import order as stored (电子订单)."""

    __tablename__ = "import_order"
    __table_args__ = (UniqueConstraint("platform_code", "order_no"),)

    platform_code: Mapped[str] = mapped_column(String(18))
    order_no: Mapped[str] = mapped_column(String(60))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    payment_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    payment_transaction_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    buyer_key: Mapped[str] = mapped_column(String(64), index=True)
    actual_paid: Mapped[Decimal] = mapped_column(Amount)


class PaymentRecord(_Document, Base):
    """Payment voucher as stored (支付凭证)."""

    __tablename__ = "import_payment"
    __table_args__ = (
        UniqueConstraint("payment_code", "payment_transaction_id"),
        Index("ix_import_payment_order", "platform_code", "order_no"),
    )

    payment_code: Mapped[str] = mapped_column(String(18))
    payment_transaction_id: Mapped[str] = mapped_column(String(60))
    platform_code: Mapped[str] = mapped_column(String(18))
    order_no: Mapped[str] = mapped_column(String(60))
    amount_paid: Mapped[Decimal] = mapped_column(Amount)


class WaybillRecord(_Document, Base):
    """Waybill as stored (物流运单)."""

    __tablename__ = "import_waybill"
    __table_args__ = (UniqueConstraint("logistics_code", "logistics_no"),)

    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(60))
    order_no: Mapped[str] = mapped_column(String(60), index=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class InventoryRecord(_Document, Base):
    """Import inventory as stored, with its clearance status (进口清单)."""

    __tablename__ = "import_inventory"
    __table_args__ = (
        Index("ix_import_inventory_order", "platform_code", "order_no"),
        Index("ix_import_inventory_waybill", "logistics_code", "logistics_no"),
    )

    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    order_no: Mapped[str] = mapped_column(String(60))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(60))
    agent_code: Mapped[str] = mapped_column(String(18), index=True)
    customs_code: Mapped[str] = mapped_column(String(4))
    trade_mode: Mapped[str] = mapped_column(String(4))
    enterprise_ref_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    inventory_no: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    buyer_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(6), index=True)  # official returnStatus
    status_info: Mapped[str] = mapped_column(Text, default="")
    waiting_for: Mapped[str | None] = mapped_column(String(100), nullable=True)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    tax_path: Mapped[str | None] = mapped_column(String(30), nullable=True)
    dutiable_value: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    customs_duty: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    vat: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    consumption_tax: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    tax_lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    quota_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Set by the release decision from the supervision measures (facilitation, 分类监管): first in the officers'
    # queue, and the guarantee asked (exempt | full; None: the ordinary one). Why: in status_info / the audit.
    priority: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    guarantee: Mapped[str | None] = mapped_column(String(8), nullable=True)


class ArrivalRecordRow(_Document, Base):
    """Arrival in the supervised site as stored (入库明细单)."""

    __tablename__ = "import_arrival"

    payload: Mapped[str] = mapped_column(Text, info=ENCRYPTED)  # encrypted JSON twin: no buyer in an arrival

    operator_code: Mapped[str] = mapped_column(String(18))
    customs_code: Mapped[str] = mapped_column(String(4))
    bill_no: Mapped[str] = mapped_column(String(37), index=True)
    entry_no: Mapped[str] = mapped_column(String(18), unique=True)


class ArrivalParcel(Base):
    """One parcel listed in an arrival record (入库明细)."""

    __tablename__ = "import_arrival_parcel"
    __table_args__ = (UniqueConstraint("logistics_code", "logistics_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    arrival_id: Mapped[int] = mapped_column(BigId, index=True)
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(60))
    bill_no: Mapped[str] = mapped_column(String(37))


class CancelRecord(_Document, Base):
    """Cancel request as stored (撤销申请单)."""

    __tablename__ = "import_cancel"

    inventory_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    inventory_no: Mapped[str] = mapped_column(String(18), index=True)


class ReturnRecord(_Document, Base):
    """Return request as stored (退货申请单), with its 30/45-day windows."""

    __tablename__ = "import_return"

    inventory_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    inventory_no: Mapped[str] = mapped_column(String(18), index=True)
    applied_on: Mapped[date] = mapped_column(Date)
    arrive_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    returned_lines: Mapped[dict[str, str]] = mapped_column(JSON)  # line_no -> quantity
    restored_value: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)


class TaxBillRecord(Base):
    """Electronic tax bill issued for a released inventory (电子税单)."""

    __tablename__ = "tax_bill"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(BigId, index=True)
    tax_no: Mapped[str] = mapped_column(String(50), unique=True)
    guid: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(1))
    customs_duty: Mapped[Decimal] = mapped_column(Amount)
    vat: Mapped[Decimal] = mapped_column(Amount)
    consumption_tax: Mapped[Decimal] = mapped_column(Amount)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime)
