"""Export business documents carried by CEB messages, with English names (出口单证).

Retail export (9610/1210), B2B direct export (9710) and overseas-warehouse export (9810) share these
documents (ceb-messages.md §3, §6.6); the codec maps CEB element names to these attributes and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from cbec.messages.documents import Declaration


class ExportMessageType(StrEnum):
    """CEB message types of the export side (出口)."""

    ORDER = "CEB303Message"
    ORDER_RECEIPT = "CEB304Message"
    PAYMENT_RECEIPT_NOTE = "CEB403Message"  # 收款单
    PAYMENT_RECEIPT_NOTE_RECEIPT = "CEB404Message"
    WAYBILL = "CEB505Message"
    WAYBILL_RECEIPT = "CEB506Message"
    ARRIVAL = "CEB507Message"
    ARRIVAL_RECEIPT = "CEB508Message"
    DEPARTURE = "CEB509Message"
    DEPARTURE_RECEIPT = "CEB510Message"
    INVENTORY = "CEB603Message"
    INVENTORY_RECEIPT = "CEB604Message"
    CANCEL = "CEB605Message"
    CANCEL_RECEIPT = "CEB606Message"
    MASTER_BILL = "CEB607Message"
    MASTER_BILL_RECEIPT = "CEB608Message"
    RETURN = "CEB213Message"
    RETURN_RECEIPT = "CEB214Message"
    RETURN_TALLY = "CEB215Message"
    RETURN_TALLY_RECEIPT = "CEB216Message"
    SUMMARY_APPLICATION = "CEB701Message"
    SUMMARY_APPLICATION_RECEIPT = "CEB702Message"
    SUMMARY_RESULT = "CEB792Message"


class ExportOrderType(StrEnum):
    """Kind of export order (订单类型)."""

    RETAIL = "E"  # 一般出口 (9610/1210)
    B2B = "B"  # 跨境电商B2B直接出口 (9710)
    OVERSEAS_WAREHOUSE = "W"  # 海外仓订仓单 (9810)


class StatisticsFlag(StrEnum):
    """How an export inventory is counted (统计方式)."""

    SIMPLIFIED = "A"  # 简化申报: no licence, no export duty, no VAT refund; HS by 4 digits
    SUMMARY = "B"  # 汇总申报


# --- CEB303 export order (电子订单 / 订仓单) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportOrderLine:
    """Export order line (订单表体)."""

    line_no: int
    item_no: str
    item_name: str
    unit: str
    currency: str
    quantity: Decimal
    unit_price: Decimal
    total_price: Decimal
    item_description: str | None = None
    bar_code: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExportOrder:
    """Export order, B2B order or overseas-warehouse booking (出口电子订单, CEB303)."""

    declaration: Declaration
    order_type: str
    order_no: str
    platform_code: str  # may be "无" for a foreign platform (B2B)
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    goods_value: Decimal  # FOB, excluding freight
    freight: Decimal
    currency: str
    lines: tuple[ExportOrderLine, ...]
    note: str | None = None


# --- CEB403 receipt of payment (收款单) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentReceiptNote:
    """Receipt of payment for an export order (收款单, CEB403)."""

    declaration: Declaration
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    order_no: str
    payment_name: str
    amount: Decimal  # charge
    currency: str
    accounted_at: datetime  # accountingDate
    payment_code: str | None = None
    payment_no: str | None = None
    note: str | None = None


# --- CEB505 export waybill ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportWaybill:
    """Export waybill (出口物流运单, CEB505)."""

    declaration: Declaration
    logistics_code: str
    logistics_name: str
    logistics_no: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    gross_weight: Decimal
    pack_count: int
    goods_info: str
    ecommerce_code: str | None = None
    ecommerce_name: str | None = None
    ecommerce_phone: str | None = None
    note: str | None = None


# --- CEB507 arrival at the supervised site / CEB509 departure -----------------------------------------


@dataclass(frozen=True, slots=True)
class ParcelLine:
    """One parcel in an arrival or departure list (运抵/离境表体)."""

    line_no: int
    logistics_no: str
    total_package_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExportArrival:
    """Goods arrived at the export supervised site (运抵单, CEB507)."""

    declaration: Declaration
    customs_code: str
    enterprise_ref_no: str  # copNo
    operator_code: str
    operator_name: str
    direction: str
    transport_mode: str
    domestic_transport_no: str
    logistics_code: str
    logistics_name: str
    message_count: int
    message_seq_no: int
    lines: tuple[ParcelLine, ...]
    eport_no: str | None = None
    location_no: str | None = None
    bill_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    """Goods left the country (离境单, CEB509)."""

    declaration: Declaration
    customs_code: str
    enterprise_ref_no: str
    logistics_code: str
    logistics_name: str
    transport_mode: str
    left_at: datetime  # leaveTime
    message_count: int
    message_seq_no: int
    lines: tuple[ParcelLine, ...]
    eport_no: str | None = None
    transport_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    note: str | None = None


# --- CEB603 export inventory (申报清单) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportInventoryLine:
    """Export inventory line (清单表体)."""

    line_no: int
    item_no: str
    hs_code: str
    goods_name: str
    specification: str
    bar_code: str
    destination_country: str  # country: 最终目的国
    currency: str
    quantity: Decimal
    legal_quantity: Decimal
    unit: str
    legal_unit: str
    unit_price: Decimal
    total_price: Decimal
    item_record_no: str | None = None
    item_name: str | None = None
    second_quantity: Decimal | None = None
    second_unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExportInventory:
    """Export inventory, the customs declaration list (出口申报清单, CEB603)."""

    declaration: Declaration
    customs_code: str
    platform_code: str
    platform_name: str
    order_no: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    enterprise_ref_no: str  # copNo
    direction: str
    port_code: str
    export_date: date  # ieDate
    statistics_flag: str
    agent_code: str
    agent_name: str
    ecommerce_code: str
    ecommerce_name: str
    owner_code: str  # 生产销售单位
    owner_name: str
    trade_mode: str
    transport_mode: str
    destination_country: str  # country: 运抵国
    discharge_port: str  # POD: 指运港
    freight: Decimal
    freight_currency: str
    freight_mark: str  # fFlag, fixed 3 (总价)
    insured_fee: Decimal
    insurance_currency: str
    insurance_mark: str  # iFlag, fixed 3
    wrap_type: str
    pack_count: int
    gross_weight: Decimal
    net_weight: Decimal
    lines: tuple[ExportInventoryLine, ...]
    eport_no: str | None = None
    inventory_no: str | None = None
    special_area_code: str | None = None  # iacCode, 区内企业
    special_area_name: str | None = None
    account_book_no: str | None = None
    transport_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    total_package_no: str | None = None
    location_no: str | None = None
    license_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExportCancel:
    """Request to cancel an export inventory (撤销申请单, CEB605)."""

    declaration: Declaration
    customs_code: str
    enterprise_ref_no: str
    inventory_no: str
    reason: str
    agent_code: str
    agent_name: str
    ecommerce_code: str
    ecommerce_name: str
    eport_no: str | None = None
    note: str | None = None


# --- CEB607 master/house bill (清单总分单) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MasterBillLine:
    """A parcel under a master bill (总分单表体)."""

    line_no: int
    logistics_no: str
    total_package_no: str | None = None
    inventory_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class MasterBill:
    """Master bill tying parcels to a carrier, voyage and bill of lading (清单总分单, CEB607)."""

    declaration: Declaration
    customs_code: str
    enterprise_ref_no: str
    agent_code: str
    agent_name: str
    transport_mode: str
    transport_name: str
    voyage_no: str
    bill_no: str
    gross_weight: Decimal
    logistics_code: str
    logistics_name: str
    message_count: int
    message_seq_no: int
    lines: tuple[MasterBillLine, ...]
    eport_no: str | None = None
    location_no: str | None = None
    domestic_transport_no: str | None = None
    note: str | None = None


# --- CEB213 export return / CEB215 return tally ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportReturnLine:
    """Returned export line (退货表体): refers to the original inventory line."""

    line_no: int
    hs_code: str
    goods_name: str
    specification: str
    quantity: Decimal
    legal_quantity: Decimal
    unit: str
    legal_unit: str
    second_quantity: Decimal | None = None
    second_unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ExportReturn:
    """Return of exported goods (出口退货申请单, CEB213)."""

    declaration: Declaration
    customs_code: str
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    enterprise_ref_no: str  # coElNo
    inventory_no: str
    agent_code: str
    agent_name: str
    bill_no: str
    direction: str
    transport_mode: str
    transport_name: str
    port_code: str
    reason: str
    country: str  # must not be China
    voyage_no: str
    lines: tuple[ExportReturnLine, ...]
    location_no: str | None = None
    eport_no: str | None = None
    trade_mode: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnTally:
    """Tally of returned parcels at the supervised site (理货明细单, CEB215)."""

    declaration: Declaration
    customs_code: str
    operator_code: str
    operator_name: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    enterprise_ref_no: str  # coElNo
    bill_no: str
    direction: str
    transport_mode: str
    transport_name: str
    voyage_no: str
    inventory_no: str | None = None
    eport_no: str | None = None
    location: str | None = None
    note: str | None = None


# --- CEB701 summary application / CEB792 summary result (汇总申报) -----------------------------------


@dataclass(frozen=True, slots=True)
class SummaryApplication:
    """Application to summarise released export inventories into declarations (汇总申请单, CEB701)."""

    declaration: Declaration
    customs_code: str
    enterprise_ref_no: str
    agent_code: str
    agent_name: str
    ecommerce_code: str
    ecommerce_name: str
    declaring_agent_code: str  # declAgentCode, 报关单申报单位
    declaring_agent_name: str
    summary_flag: str  # 1 by consignor, 2 by consignor and producer
    item_name_flag: str  # 1 by enterprise item name, empty by HS category name
    message_count: int
    message_seq_no: int
    inventory_nos: tuple[str, ...] = ()
    eport_no: str | None = None
    summary_no: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    location_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SummaryResultLine:
    """An inventory line placed in a generated declaration (汇总结果表体)."""

    inventory_no: str
    logistics_no: str
    goods_seq_no: int | None  # gseqno: line of the customs declaration; None in the 2018 edition, which lacks it
    line_no: int  # gnum: line of the inventory
    hs_code: str


@dataclass(frozen=True, slots=True)
class SummaryResult:
    """One customs declaration generated from a summary (汇总结果单, CEB792)."""

    guid: str
    customs_code: str
    summary_no: str
    operated_at: datetime  # opDate
    declaration_seq_no: str  # declSeqNo, 统一编号
    declaration_state: str
    agent_code: str
    agent_name: str
    ecommerce_code: str
    ecommerce_name: str
    declaring_agent_code: str
    declaring_agent_name: str
    gross_weight: Decimal
    net_weight: Decimal
    message_count: int
    message_seq_no: int
    lines: tuple[SummaryResultLine, ...]
    declaration_temp_no: str | None = None
    declaration_pre_no: str | None = None
    entry_id: str | None = None  # 报关单号
    note: str | None = None


ExportDocument = (
    ExportOrder
    | PaymentReceiptNote
    | ExportWaybill
    | ExportArrival
    | Departure
    | ExportInventory
    | ExportCancel
    | MasterBill
    | ExportReturn
    | ReturnTally
    | SummaryApplication
)
