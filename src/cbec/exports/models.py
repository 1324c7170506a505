"""Export store tables (出口数据): retail, B2B and overseas-warehouse export documents, summaries, registry, tax.

Export documents carry no personal data (no consumer names or ID numbers), so ``payload`` holds the
document's JSON twin in clear. Receipts go to the shared ``issued_receipt`` table and messages to
``ceb_message`` (clearance), so resubmission and replay work the same for imports and exports.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId, UtcDateTime
from cbec.storage.revisions import watch


class _ExportDocument:
    """Columns every stored export declaration has."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    guid: Mapped[str] = mapped_column(String(36), index=True)
    app_status: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(20))  # DocumentState
    message_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str] = mapped_column(Text)  # JSON twin


class ExportOrderRecord(_ExportDocument, Base):
    """Export order, B2B order or overseas-warehouse booking as stored (出口订单 / 订仓单)."""

    __tablename__ = "export_order"
    __table_args__ = (UniqueConstraint("platform_code", "ecommerce_code", "order_no"),)

    order_type: Mapped[str] = mapped_column(String(1))
    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    goods_value: Mapped[Decimal] = mapped_column(Amount)
    freight: Mapped[Decimal] = mapped_column(Amount)
    warehouse_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)


class PaymentReceiptNoteRecord(_ExportDocument, Base):
    """Receipt of payment as stored (收款单)."""

    __tablename__ = "export_payment_receipt"
    __table_args__ = (UniqueConstraint("platform_code", "ecommerce_code", "order_no"),)

    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    payment_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    payment_no: Mapped[str | None] = mapped_column(String(60), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    accounted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExportWaybillRecord(_ExportDocument, Base):
    """Export waybill as stored (出口物流运单)."""

    __tablename__ = "export_waybill"
    __table_args__ = (UniqueConstraint("logistics_code", "logistics_no"),)

    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(32))
    freight: Mapped[Decimal] = mapped_column(Amount)
    insured_fee: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))


class ExportInventoryRecord(_ExportDocument, Base):
    """Export inventory as stored, with its clearance status (出口申报清单)."""

    __tablename__ = "export_inventory"
    __table_args__ = (
        Index("ix_export_inventory_order", "platform_code", "ecommerce_code", "order_no"),
        Index("ix_export_inventory_waybill", "logistics_code", "logistics_no"),
    )

    platform_code: Mapped[str] = mapped_column(String(18))
    ecommerce_code: Mapped[str] = mapped_column(String(18), index=True)
    order_no: Mapped[str] = mapped_column(String(60))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(32))
    agent_code: Mapped[str] = mapped_column(String(18))
    owner_code: Mapped[str] = mapped_column(String(18))
    customs_code: Mapped[str] = mapped_column(String(4))
    port_code: Mapped[str] = mapped_column(String(4))
    trade_mode: Mapped[str] = mapped_column(String(4), index=True)
    statistics_flag: Mapped[str] = mapped_column(String(1))
    transport_mode: Mapped[str] = mapped_column(String(1))
    destination_country: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    goods_value: Mapped[Decimal] = mapped_column(Amount)  # Σ line totalPrice, in currency
    gross_weight: Mapped[Decimal] = mapped_column(Amount)
    net_weight: Mapped[Decimal] = mapped_column(Amount)
    export_date: Mapped[date] = mapped_column(Date)  # ieDate
    enterprise_ref_no: Mapped[str] = mapped_column(String(30))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    inventory_no: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    voyage_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    transport_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    warehouse_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(6), index=True)  # official returnStatus
    status_info: Mapped[str] = mapped_column(Text, default="")
    waiting_for: Mapped[str | None] = mapped_column(String(100), nullable=True)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    departed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    declaration_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)  # summary 报关单


class ExportInventoryLine(Base):
    """One line of a stored export inventory (清单表体), the unit the summaries and tax ledgers trace to."""

    __tablename__ = "export_inventory_line"
    __table_args__ = (UniqueConstraint("inventory_id", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    inventory_id: Mapped[int] = mapped_column(BigId, index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item_no: Mapped[str] = mapped_column(String(30))
    item_name: Mapped[str | None] = mapped_column(String(250), nullable=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    goods_name: Mapped[str] = mapped_column(String(250))
    destination_country: Mapped[str] = mapped_column(String(3))  # 最终目的国
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(Amount)
    legal_quantity: Mapped[Decimal] = mapped_column(Amount)
    unit: Mapped[str] = mapped_column(String(3))
    legal_unit: Mapped[str] = mapped_column(String(3))
    unit_price: Mapped[Decimal] = mapped_column(Amount)
    total_price: Mapped[Decimal] = mapped_column(Amount)
    returned_quantity: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))


class ExportArrivalRecord(_ExportDocument, Base):
    """Goods arrived at the export supervised site as stored (运抵单)."""

    __tablename__ = "export_arrival"

    operator_code: Mapped[str] = mapped_column(String(18))
    logistics_code: Mapped[str] = mapped_column(String(18))
    enterprise_ref_no: Mapped[str] = mapped_column(String(30))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)


class ExportParcel(Base):
    """A parcel named by an arrival, a master bill or a departure (运抵/总分单/离境表体)."""

    __tablename__ = "export_parcel"
    __table_args__ = (UniqueConstraint("kind", "logistics_code", "logistics_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # arrival | bill | departure
    document_id: Mapped[int] = mapped_column(BigId, index=True)
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(32))
    inventory_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    voyage_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    transport_name: Mapped[str | None] = mapped_column(String(100), nullable=True)


class MasterBillRecord(_ExportDocument, Base):
    """Master/house bill as stored (清单总分单)."""

    __tablename__ = "export_master_bill"

    agent_code: Mapped[str] = mapped_column(String(18))
    logistics_code: Mapped[str] = mapped_column(String(18))
    enterprise_ref_no: Mapped[str] = mapped_column(String(30))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    bill_no: Mapped[str] = mapped_column(String(37), index=True)
    voyage_no: Mapped[str] = mapped_column(String(32))


class DepartureRecord(_ExportDocument, Base):
    """Goods left the country as stored (离境单)."""

    __tablename__ = "export_departure"

    logistics_code: Mapped[str] = mapped_column(String(18))
    enterprise_ref_no: Mapped[str] = mapped_column(String(30))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    bill_no: Mapped[str | None] = mapped_column(String(37), nullable=True)
    left_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExportCancelRecord(_ExportDocument, Base):
    """Cancel request of an export inventory as stored (撤销申请单)."""

    __tablename__ = "export_cancel"

    inventory_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    inventory_no: Mapped[str] = mapped_column(String(20), index=True)


class ExportReturnRecord(_ExportDocument, Base):
    """Return of exported goods as stored (出口退货申请单), completed by the site's tally (理货)."""

    __tablename__ = "export_return"

    inventory_id: Mapped[int] = mapped_column(BigId, index=True)
    inventory_no: Mapped[str] = mapped_column(String(20), index=True)
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(80))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    applied_on: Mapped[date] = mapped_column(Date)
    returned_lines: Mapped[dict[str, str]] = mapped_column(JSON)  # line_no -> quantity
    tallied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class ReturnTallyRecord(_ExportDocument, Base):
    """Tally of returned parcels as stored (理货明细单)."""

    __tablename__ = "export_return_tally"

    operator_code: Mapped[str] = mapped_column(String(18))
    logistics_code: Mapped[str] = mapped_column(String(18))
    logistics_no: Mapped[str] = mapped_column(String(80))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    return_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)


class SummaryApplicationRecord(_ExportDocument, Base):
    """Summary application as stored (汇总申请单, CEB701) with the declarations it produced."""

    __tablename__ = "export_summary"

    customs_code: Mapped[str] = mapped_column(String(4))
    agent_code: Mapped[str] = mapped_column(String(18))
    agent_name: Mapped[str] = mapped_column(String(100))
    ecommerce_code: Mapped[str] = mapped_column(String(18), index=True)
    ecommerce_name: Mapped[str] = mapped_column(String(100))
    declaring_agent_code: Mapped[str] = mapped_column(String(18))
    declaring_agent_name: Mapped[str] = mapped_column(String(100))
    summary_flag: Mapped[str] = mapped_column(String(1))
    item_name_flag: Mapped[str] = mapped_column(String(1))
    enterprise_ref_no: Mapped[str] = mapped_column(String(30))
    eport_no: Mapped[str] = mapped_column(String(18), unique=True)
    summary_no: Mapped[str] = mapped_column(String(18), unique=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM of the closed inventories
    inventory_nos: Mapped[list[str]] = mapped_column(JSON)
    summarised_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SummaryOverdue(Base):
    """An enterprise's export month found not summarised after its due day (汇总申报逾期), recorded once."""

    __tablename__ = "export_summary_overdue"
    __table_args__ = (UniqueConstraint("ecommerce_code", "month", name="uq_export_summary_overdue_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ecommerce_code: Mapped[str] = mapped_column(String(18))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of the closed inventories owed
    due_on: Mapped[date] = mapped_column(Date)
    inventories: Mapped[int] = mapped_column(Integer)  # not summarised when found
    found_on: Mapped[date] = mapped_column(Date)  # business day (Asia/Shanghai) the job found it
    found_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SummaryDeclaration(Base):
    """One customs declaration generated by a summary (汇总报关单, CEB792)."""

    __tablename__ = "export_declaration"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    summary_id: Mapped[int] = mapped_column(BigId, index=True)
    guid: Mapped[str] = mapped_column(String(36))
    declaration_seq_no: Mapped[str] = mapped_column(String(18), unique=True)  # 统一编号
    entry_id: Mapped[str] = mapped_column(String(18), unique=True)  # 报关单号
    group_key: Mapped[dict[str, str]] = mapped_column(JSON)
    gross_weight: Mapped[Decimal] = mapped_column(Amount)
    net_weight: Mapped[Decimal] = mapped_column(Amount)
    operated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SummaryDeclarationLine(Base):
    """An inventory line placed in a generated declaration (汇总结果表体)."""

    __tablename__ = "export_declaration_line"
    __table_args__ = (UniqueConstraint("inventory_line_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(BigId, index=True)
    inventory_line_id: Mapped[int] = mapped_column(BigId)
    inventory_no: Mapped[str] = mapped_column(String(20))
    logistics_no: Mapped[str] = mapped_column(String(32))
    goods_seq_no: Mapped[int] = mapped_column(Integer)
    line_no: Mapped[int] = mapped_column(Integer)
    hs_code: Mapped[str] = mapped_column(String(10))
    item_key: Mapped[dict[str, str]] = mapped_column(JSON)


class OverseasWarehouse(Base):
    """An overseas warehouse in the zone registry (海外仓登记); not a customs precondition since 2024-12-15."""

    __tablename__ = "overseas_warehouse"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    operator_code: Mapped[str] = mapped_column(String(18), index=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    address: Mapped[str] = mapped_column(String(300))
    area_m2: Mapped[Decimal] = mapped_column(Amount)
    services: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PurchaseInvoiceLink(Base):
    """A purchase VAT invoice backing an exported inventory line (进货凭证), for the rebate ledger."""

    __tablename__ = "export_purchase_invoice"
    __table_args__ = (UniqueConstraint("invoice_no", "inventory_no", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ecommerce_code: Mapped[str] = mapped_column(String(18), index=True)
    invoice_no: Mapped[str] = mapped_column(String(40))
    invoice_date: Mapped[date] = mapped_column(Date)
    inventory_no: Mapped[str] = mapped_column(String(20), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Amount)  # excluding VAT
    vat_rate: Mapped[Decimal] = mapped_column(Amount)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExportTaxProfile(Base):
    """What the export tax ledgers need to know about an enterprise (出口税务信息)."""

    __tablename__ = "export_tax_profile"

    ecommerce_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    refund_qualified: Mapped[bool] = mapped_column(default=False)  # 一般纳税人 + 出口退(免)税备案
    tax_registered: Mapped[bool] = mapped_column(default=True)
    employees: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total_assets: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    restricted_industry: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExportRate(Base):
    """Effective-dated export reference values: rebate rates per HS and named export parameters (出口参数)."""

    __tablename__ = "export_rate"
    __table_args__ = (UniqueConstraint("kind", "key", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # rebate | parameter | exchange
    key: Mapped[str] = mapped_column(String(50))  # HS prefix, parameter name or currency code
    value: Mapped[Decimal] = mapped_column(Amount)
    extra: Mapped[str | None] = mapped_column(String(50), nullable=True)  # rebate: VAT rate; exchange: unit
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


watch(ExportRate, "export_rate")  # the customs-rate cache steps aside in a transaction that writes rates
