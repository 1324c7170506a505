"""Business documents carried by CEB messages, with English names (跨境电商单证).

The codec maps CEB element names (orderNo, invtNo, ...) to these attributes and back; no other
package sees a CEB element name. docs/glossary.md lists every pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Edition(StrEnum):
    """Edition of the CEB message specification (报文规范版本)."""

    E2018 = "2018"
    E202205 = "202205"


class MessageType(StrEnum):
    """CEB message types handled by the import side (进口)."""

    ORDER = "CEB311Message"
    ORDER_RECEIPT = "CEB312Message"
    PAYMENT = "CEB411Message"
    PAYMENT_RECEIPT = "CEB412Message"
    WAYBILL = "CEB511Message"
    WAYBILL_RECEIPT = "CEB512Message"
    WAYBILL_STATUS = "CEB513Message"
    WAYBILL_STATUS_RECEIPT = "CEB514Message"
    INVENTORY = "CEB621Message"
    INVENTORY_RECEIPT = "CEB622Message"
    CANCEL = "CEB623Message"
    CANCEL_RECEIPT = "CEB624Message"
    RETURN = "CEB625Message"
    RETURN_RECEIPT = "CEB626Message"
    ARRIVAL = "CEB711Message"
    ARRIVAL_RECEIPT = "CEB712Message"
    TAX_BILL = "CEB816Message"
    FORMAT_RECEIPT = "CEB900Message"


class AppType(StrEnum):
    """Declaration action (申报类型)."""

    NEW = "1"
    CHANGE = "2"
    DELETE = "3"


class AppStatus(StrEnum):
    """Declaration status chosen by the sender (业务状态)."""

    DRAFT = "1"  # 暂存
    DECLARED = "2"  # 申报


@dataclass(frozen=True, slots=True)
class Transfer:
    """Transmission details of a message (BaseTransfer, 传输企业)."""

    sender_code: str
    sender_name: str
    exchange_mode: str
    exchange_id: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Subscription:
    """A third party subscribed to a message's data or receipts (BaseSubscribe, 订阅)."""

    status: str
    exchange_mode: str
    exchange_address: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Declaration:
    """Fields every declared document carries (guid, appType, appTime, appStatus)."""

    guid: str
    app_type: AppType
    app_time: datetime
    app_status: AppStatus


# --- CEB311 import order (电子订单) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderLine:
    """Order line (订单表体)."""

    line_no: int
    item_name: str
    specification: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    total_price: Decimal
    currency: str
    origin_country: str
    item_no: str | None = None
    item_description: str | None = None
    bar_code: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ImportOrder:
    """Import e-commerce order (进口电子订单, CEB311)."""

    declaration: Declaration
    order_type: str
    order_no: str
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actual_paid: Decimal
    currency: str
    buyer_reg_no: str
    buyer_name: str
    buyer_phone: str
    buyer_id_type: str
    buyer_id_number: str
    consignee: str
    consignee_phone: str
    consignee_address: str
    lines: tuple[OrderLine, ...]
    payment_code: str | None = None
    payment_name: str | None = None
    payment_transaction_id: str | None = None
    batch_numbers: str | None = None
    consignee_district: str | None = None
    note: str | None = None


# --- CEB411 import payment (支付凭证) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payment:
    """Payment voucher (支付凭证, CEB411)."""

    declaration: Declaration
    payment_code: str
    payment_name: str
    payment_transaction_id: str
    order_no: str
    platform_code: str
    platform_name: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    amount_paid: Decimal
    currency: str
    paid_at: datetime
    payer_phone: str | None = None
    note: str | None = None


# --- CEB511 / CEB513 import waybill (物流运单) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waybill:
    """Import waybill (物流运单, CEB511)."""

    declaration: Declaration
    logistics_code: str
    logistics_name: str
    logistics_no: str
    order_no: str
    currency: str
    weight: Decimal
    pack_count: int
    consignee: str
    consignee_address: str
    consignee_phone: str
    bill_no: str | None = None
    freight: Decimal | None = None
    insured_fee: Decimal | None = None
    goods_info: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class WaybillStatus:
    """Waybill status report, e.g. signed for (物流运单状态, CEB513)."""

    declaration: Declaration
    logistics_code: str
    logistics_name: str
    logistics_no: str
    logistics_status: str
    status_time: datetime
    note: str | None = None


# --- CEB621 import inventory (进口清单) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InventoryLine:
    """Inventory line (清单表体)."""

    line_no: int
    hs_code: str
    goods_name: str
    specification: str
    origin_country: str
    currency: str
    quantity: Decimal
    unit: str
    legal_quantity: Decimal
    legal_unit: str
    unit_price: Decimal
    total_price: Decimal
    item_record_no: str | None = None
    item_no: str | None = None
    item_name: str | None = None
    bar_code: str | None = None
    trade_country: str | None = None
    second_quantity: Decimal | None = None
    second_unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Import inventory, the customs declaration list (进口清单, CEB621)."""

    declaration: Declaration
    order_no: str
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    guarantor_code: str
    direction: str
    declared_on: date
    customs_code: str
    port_code: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_phone: str
    consignee_address: str
    agent_code: str
    agent_name: str
    trade_mode: str
    transport_mode: str
    departure_country: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    pack_count: int
    gross_weight: Decimal
    net_weight: Decimal
    lines: tuple[InventoryLine, ...]
    enterprise_ref_no: str | None = None  # copNo, 企业内部编号
    eport_no: str | None = None  # preNo, 电子口岸标识编号
    inventory_no: str | None = None  # invtNo, 海关清单编号
    account_book_no: str | None = None  # emsNo, 账册编号 (bonded)
    import_date: date | None = None
    warehouse_code: str | None = None  # areaCode, 区内企业代码 (bonded)
    warehouse_name: str | None = None
    transport_no: str | None = None  # trafNo
    voyage_no: str | None = None
    bill_no: str | None = None
    location_no: str | None = None  # loctNo, 监管场所代码
    license_no: str | None = None
    wrap_type: str | None = None
    note: str | None = None


# --- CEB623 cancel / CEB625 return ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """Request to cancel a declared inventory (撤销申请单, CEB623)."""

    declaration: Declaration
    customs_code: str
    order_no: str
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    inventory_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_phone: str
    agent_code: str
    agent_name: str
    reason: str
    enterprise_ref_no: str | None = None
    eport_no: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """Returned line (退货表体): refers to the inventory line by line_no."""

    line_no: int
    hs_code: str
    goods_name: str
    quantity: Decimal
    unit: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """Return of released goods (退货申请单, CEB625)."""

    declaration: Declaration
    customs_code: str
    order_no: str
    platform_code: str
    platform_name: str
    ecommerce_code: str
    ecommerce_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    inventory_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_phone: str
    agent_code: str
    agent_name: str
    reason: str
    lines: tuple[ReturnLine, ...]
    enterprise_ref_no: str | None = None
    eport_no: str | None = None
    note: str | None = None


# --- CEB711 arrival in the supervised site (入库明细单) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ArrivalLine:
    """One parcel listed as arrived (入库明细表体)."""

    line_no: int
    logistics_no: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ArrivalRecord:
    """Parcels arrived at the customs-supervised site, direct purchase (入库明细单, CEB711)."""

    declaration: Declaration
    customs_code: str
    operator_code: str
    operator_name: str
    direction: str
    transport_mode: str
    transport_no: str
    voyage_no: str
    bill_no: str
    logistics_code: str
    logistics_name: str
    lines: tuple[ArrivalLine, ...]
    enterprise_ref_no: str | None = None
    eport_no: str | None = None
    entry_no: str | None = None  # rkdNo, 入库单编号
    unload_location: str | None = None
    note: str | None = None


ImportDocument = (
    ImportOrder | Payment | Waybill | WaybillStatus | Inventory | CancelRequest | ReturnRequest | ArrivalRecord
)


# --- receipts issued by the platform ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt (回执) for one document: CEB312/412/512/514/622/624/626/712 and the export ones.

    Export receipts: CEB304/404/506/508/510/604/606/608/214/216/702. Only the key fields of the receipt's
    message type are rendered; the others stay None.
    """

    message_type: MessageType | ExportMessageType
    guid: str
    status: str  # returnStatus: "2", "120", "300", "399", "500", "800", "899", "100" or negative
    info: str  # returnInfo
    returned_at: datetime
    platform_code: str | None = None
    ecommerce_code: str | None = None
    order_no: str | None = None
    payment_code: str | None = None
    payment_transaction_id: str | None = None
    logistics_code: str | None = None
    logistics_no: str | None = None
    logistics_status: str | None = None
    customs_code: str | None = None
    agent_code: str | None = None
    operator_code: str | None = None
    enterprise_ref_no: str | None = None
    eport_no: str | None = None
    inventory_no: str | None = None
    entry_no: str | None = None
    # Keys only export receipts carry (CEB404/508/510/604/608/702).
    payment_no: str | None = None
    bill_no: str | None = None
    message_seq_no: int | None = None
    statistics_flag: str | None = None
    summary_no: str | None = None


@dataclass(frozen=True, slots=True)
class TaxBillLine:
    """Tax per inventory line (电子税单表体)."""

    line_no: int
    hs_code: str
    dutiable_value: Decimal  # taxPrice, 完税总价格
    customs_duty: Decimal
    vat: Decimal
    consumption_tax: Decimal


@dataclass(frozen=True, slots=True)
class TaxBill:
    """Electronic tax bill (电子税单, CEB816)."""

    guid: str
    returned_at: datetime
    inventory_no: str
    tax_no: str
    customs_duty: Decimal
    vat: Decimal
    consumption_tax: Decimal
    status: str  # 1 generated, 2 summarised, 3 void
    lines: tuple[TaxBillLine, ...]
    payment_doc_no: str | None = None  # entDutyNo, 缴款书编号
    note: str | None = None
    guarantor_code: str | None = None
    ecommerce_code: str | None = None
    logistics_code: str | None = None
    agent_code: str | None = None
    customs_code: str | None = None


@dataclass(frozen=True, slots=True)
class FormatReceipt:
    """Format-check receipt for a message that could not be read (报文格式校验回执, CEB900)."""

    guid: str
    status: str  # negative
    info: str
    returned_at: datetime
    original_message_id: str  # oriCopMsgId
    original_message_type: str  # CEB311Message or Unknown
    original_message: str


@dataclass(frozen=True, slots=True)
class Message:
    """A parsed declaration message: up to 100 documents of one type plus its transfer data."""

    message_type: MessageType | ExportMessageType
    edition: Edition
    guid: str
    version: str
    documents: tuple[Document, ...]
    transfer: Transfer
    subscriptions: tuple[Subscription, ...] = ()
    signed: bool = False
    raw: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Terminal-node transport envelope (DxpMsg, 传输报文)."""

    message_id: str  # CopMsgId
    sender_id: str
    receiver_ids: tuple[str, ...]
    created_at: datetime
    message_type: str
    payload: bytes
    file_name: str | None = None


# Export documents build on Declaration above and export_documents imports this module, so they come last.
from cbec.messages.export_documents import ExportDocument, ExportMessageType  # noqa: E402

Document = ImportDocument | ExportDocument
