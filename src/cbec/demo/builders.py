"""Builders of business-consistent import document sets (三单+清单) for the demo, tests and benchmarks.

One call builds an order, its payment, its waybill and its inventory that agree with each other;
keyword overrides let a caller make any one of them wrong in a realistic way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from cbec.common.clock import SHANGHAI
from cbec.common.money import to_fen
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ArrivalLine,
    ArrivalRecord,
    CancelRequest,
    Declaration,
    Edition,
    ImportDocument,
    ImportOrder,
    Inventory,
    InventoryLine,
    Message,
    MessageType,
    OrderLine,
    Payment,
    ReturnLine,
    ReturnRequest,
    Transfer,
    Waybill,
    WaybillStatus,
)

CARTON = Decimal("0.2")  # kg: a parcel's own carton and filling, on top of its goods


@dataclass(frozen=True, slots=True)
class Party:
    """A filed enterprise: customs code and name."""

    code: str
    name: str
    dxp_id: str = "DXPENT0000000001"


@dataclass(frozen=True, slots=True)
class Parties:
    """Everyone named in an import document set."""

    platform: Party
    ecommerce: Party
    payment: Party
    logistics: Party
    agent: Party
    site_operator: Party
    customs_code: str = "4601"


@dataclass(frozen=True, slots=True)
class Goods:
    """A filed product as it appears on an order line."""

    item_no: str
    name: str
    hs_code: str
    unit_price: Decimal
    unit: str = "011"
    legal_unit: str = "035"
    legal_quantity_per_unit: Decimal = Decimal("1")
    specification: str = "1件"
    origin_country: str = "116"
    item_record_no: str | None = None
    unit_gross_weight: Decimal | None = None  # kg, packed, of one unit: the filed weight (商品备案), when known


@dataclass(frozen=True, slots=True)
class Buyer:
    """A consumer (订购人)."""

    name: str
    id_number: str
    phone: str
    address: str
    district: str | None = None  # the address's county code (GB/T 2260), sent as the order's consigneeDistrict


@dataclass(frozen=True, slots=True)
class DocumentSet:
    """An order, payment, waybill and inventory that match."""

    order: ImportOrder
    payment: Payment
    waybill: Waybill
    inventory: Inventory


def declaration(
    guid: str, at: datetime, *, app_type: AppType = AppType.NEW, app_status: AppStatus = AppStatus.DECLARED
) -> Declaration:
    """Return declaration fields with a guid made upper case and 36 characters long."""
    return Declaration(
        guid=guid.upper(),
        app_type=app_type,
        app_time=at.astimezone(SHANGHAI).replace(microsecond=0),
        app_status=app_status,
    )


def guid_for(kind: str, key: str) -> str:
    """Return a deterministic 36-character guid for a document."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cbec:{kind}:{key}")).upper()


def build_set(
    parties: Parties,
    buyer: Buyer,
    items: list[tuple[Goods, Decimal]],
    *,
    order_no: str,
    logistics_no: str,
    at: datetime,
    freight: Decimal = Decimal("10"),
    insured_fee: Decimal = Decimal("0"),
    discount: Decimal = Decimal("0"),
    trade_mode: str = "9610",
    bill_no: str = "MAWB20260302001",
    payment_transaction_id: str | None = None,
    gross_weight: Decimal | None = None,
) -> DocumentSet:
    """Build a matching order, payment, waybill and inventory for one purchase.

    The parcel's gross weight is its goods' packed weight (every goods with a ``unit_gross_weight``) plus a
    0.2 kg carton, else its net weight plus the carton; ``gross_weight`` declares another (an empty parcel)."""
    lines = [
        OrderLine(
            line_no=i,
            item_no=goods.item_no,
            item_name=goods.name,
            specification=goods.specification,
            unit=goods.unit,
            quantity=qty,
            unit_price=goods.unit_price,
            total_price=goods.unit_price * qty,
            currency="142",
            origin_country=goods.origin_country,
        )
        for i, (goods, qty) in enumerate(items, start=1)
    ]
    goods_value = sum((line.total_price for line in lines), Decimal(0))
    tax_total = to_fen((goods_value + freight) * Decimal("0.091"))
    actual_paid = goods_value + freight + tax_total - discount
    txn = payment_transaction_id or f"P{order_no}"
    order = ImportOrder(
        declaration=declaration(guid_for("order", order_no), at),
        order_type="I",
        order_no=order_no,
        platform_code=parties.platform.code,
        platform_name=parties.platform.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        goods_value=goods_value,
        freight=freight,
        discount=discount,
        tax_total=tax_total,
        actual_paid=actual_paid,
        currency="142",
        buyer_reg_no=f"U{buyer.phone}",
        buyer_name=buyer.name,
        buyer_phone=buyer.phone,
        buyer_id_type="1",
        buyer_id_number=buyer.id_number,
        consignee=buyer.name,
        consignee_phone=buyer.phone,
        consignee_address=buyer.address,
        consignee_district=buyer.district,
        lines=tuple(lines),
        payment_code=parties.payment.code,
        payment_name=parties.payment.name,
        payment_transaction_id=txn,
    )
    payment = Payment(
        declaration=declaration(guid_for("payment", txn), at),
        payment_code=parties.payment.code,
        payment_name=parties.payment.name,
        payment_transaction_id=txn,
        order_no=order_no,
        platform_code=parties.platform.code,
        platform_name=parties.platform.name,
        payer_id_type="1",
        payer_id_number=buyer.id_number,
        payer_name=buyer.name,
        amount_paid=actual_paid,
        currency="142",
        paid_at=at.astimezone(SHANGHAI).replace(microsecond=0),
        payer_phone=buyer.phone,
    )
    bonded = trade_mode != "9610"
    weight = sum((goods.legal_quantity_per_unit * qty for goods, qty in items), Decimal(0))
    net_weight = max(weight, Decimal("0.1"))
    packed = [goods.unit_gross_weight * qty for goods, qty in items if goods.unit_gross_weight is not None]
    if len(packed) == len(items):  # the goods as filed, each in its own packing, in one parcel's carton
        net_weight = max(min(net_weight, sum(packed, Decimal(0))), Decimal("0.1"))
        parcel = sum(packed, Decimal(0)) + CARTON
    else:
        parcel = net_weight + CARTON
    if gross_weight is not None:
        parcel = gross_weight
        net_weight = min(net_weight, gross_weight)
    waybill = Waybill(
        declaration=declaration(guid_for("waybill", logistics_no), at),
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        logistics_no=logistics_no,
        order_no=order_no,
        currency="142",
        weight=parcel,
        pack_count=1,
        consignee=buyer.name,
        consignee_address=buyer.address,
        consignee_phone=buyer.phone,
        bill_no=None if bonded else bill_no,
        freight=freight,
        insured_fee=insured_fee,
        goods_info=items[0][0].name,
    )
    inventory_lines = [
        InventoryLine(
            line_no=i,
            hs_code=goods.hs_code,
            goods_name=goods.name,
            specification=goods.specification,
            origin_country=goods.origin_country,
            currency="142",
            quantity=qty,
            unit=goods.unit,
            legal_quantity=goods.legal_quantity_per_unit * qty,
            legal_unit=goods.legal_unit,
            unit_price=goods.unit_price,
            total_price=goods.unit_price * qty,
            item_no=goods.item_no,
            item_name=goods.name,
            item_record_no=goods.item_record_no if bonded else None,
            bar_code="无",
            trade_country=goods.origin_country,
        )
        for i, (goods, qty) in enumerate(items, start=1)
    ]
    inventory = Inventory(
        declaration=declaration(guid_for("inventory", order_no), at),
        order_no=order_no,
        platform_code=parties.platform.code,
        platform_name=parties.platform.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        logistics_no=logistics_no,
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        guarantor_code=parties.ecommerce.code,
        direction="I",
        declared_on=at.astimezone(SHANGHAI).date(),
        customs_code=parties.customs_code,
        port_code=parties.customs_code,
        buyer_id_type="1",
        buyer_id_number=buyer.id_number,
        buyer_name=buyer.name,
        buyer_phone=buyer.phone,
        consignee_address=buyer.address,
        agent_code=parties.agent.code,
        agent_name=parties.agent.name,
        trade_mode=trade_mode,
        transport_mode="5" if not bonded else "Y",
        departure_country="142" if bonded else items[0][0].origin_country,
        freight=freight,
        insured_fee=insured_fee,
        currency="142",
        pack_count=1,
        gross_weight=parcel,
        net_weight=net_weight,
        lines=tuple(inventory_lines),
        enterprise_ref_no=order_no[-20:],
        account_book_no="T4601W000001" if bonded else None,
        warehouse_code=parties.site_operator.code if bonded else None,
        warehouse_name=parties.site_operator.name if bonded else None,
        transport_no=None if bonded else "CA1234",
        voyage_no=None if bonded else "20260302",
        bill_no=None if bonded else bill_no,
    )
    return DocumentSet(order, payment, waybill, inventory)


def build_arrival(parties: Parties, logistics_nos: list[str], *, bill_no: str, at: datetime) -> ArrivalRecord:
    """Build an arrival-in-warehouse record listing parcels of one master bill (CEB711)."""
    return ArrivalRecord(
        declaration=declaration(guid_for("arrival", f"{bill_no}:{','.join(logistics_nos)}"), at),
        customs_code=parties.customs_code,
        operator_code=parties.site_operator.code,
        operator_name=parties.site_operator.name,
        direction="I",
        transport_mode="5",
        transport_no="CA1234",
        voyage_no="20260302",
        bill_no=bill_no,
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        lines=tuple(ArrivalLine(line_no=i, logistics_no=no) for i, no in enumerate(logistics_nos, start=1)),
        enterprise_ref_no=bill_no[-20:],
    )


def build_cancel(
    inventory: Inventory, inventory_no: str, *, at: datetime, reason: str = "消费者取消订单"
) -> CancelRequest:
    """Build a cancel request for a declared inventory (CEB623)."""
    return CancelRequest(
        declaration=declaration(guid_for("cancel", inventory_no), at),
        customs_code=inventory.customs_code,
        order_no=inventory.order_no,
        platform_code=inventory.platform_code,
        platform_name=inventory.platform_name,
        ecommerce_code=inventory.ecommerce_code,
        ecommerce_name=inventory.ecommerce_name,
        logistics_no=inventory.logistics_no,
        logistics_code=inventory.logistics_code,
        logistics_name=inventory.logistics_name,
        inventory_no=inventory_no,
        buyer_id_type="1",
        buyer_id_number=inventory.buyer_id_number,
        buyer_name=inventory.buyer_name,
        buyer_phone=inventory.buyer_phone,
        agent_code=inventory.agent_code,
        agent_name=inventory.agent_name,
        reason=reason,
    )


def build_waybill_status(waybill: Waybill, *, at: datetime) -> WaybillStatus:
    """Build the signed-for status of a waybill (CEB513, logisticsStatus S) at the signing time ``at``."""
    return WaybillStatus(
        declaration=declaration(guid_for("waybill-status", f"{waybill.logistics_code}/{waybill.logistics_no}"), at),
        logistics_code=waybill.logistics_code,
        logistics_name=waybill.logistics_name,
        logistics_no=waybill.logistics_no,
        logistics_status="S",
        status_time=at.astimezone(SHANGHAI).replace(microsecond=0),
    )


def build_return(
    inventory: Inventory,
    inventory_no: str,
    lines: list[tuple[int, Decimal]],
    *,
    at: datetime,
    reason: str = "商品质量问题退货",
) -> ReturnRequest:
    """Build a return request for some lines of a released inventory (CEB625)."""
    by_no = {line.line_no: line for line in inventory.lines}
    return ReturnRequest(
        declaration=declaration(guid_for("return", f"{inventory_no}:{lines}"), at),
        customs_code=inventory.customs_code,
        order_no=inventory.order_no,
        platform_code=inventory.platform_code,
        platform_name=inventory.platform_name,
        ecommerce_code=inventory.ecommerce_code,
        ecommerce_name=inventory.ecommerce_name,
        logistics_no=inventory.logistics_no,
        logistics_code=inventory.logistics_code,
        logistics_name=inventory.logistics_name,
        inventory_no=inventory_no,
        buyer_id_type="1",
        buyer_id_number=inventory.buyer_id_number,
        buyer_name=inventory.buyer_name,
        buyer_phone=inventory.buyer_phone,
        agent_code=inventory.agent_code,
        agent_name=inventory.agent_name,
        reason=reason,
        lines=tuple(
            ReturnLine(
                line_no=n, hs_code=by_no[n].hs_code, goods_name=by_no[n].goods_name, quantity=q, unit=by_no[n].unit
            )
            for n, q in lines
        ),
    )


def build_message(documents: list[ImportDocument], sender: Party, *, guid: str | None = None) -> Message:
    """Wrap documents of one type into a message sent by an enterprise."""
    kinds = {
        ImportOrder: MessageType.ORDER,
        Payment: MessageType.PAYMENT,
        Waybill: MessageType.WAYBILL,
        WaybillStatus: MessageType.WAYBILL_STATUS,
        Inventory: MessageType.INVENTORY,
        CancelRequest: MessageType.CANCEL,
        ReturnRequest: MessageType.RETURN,
        ArrivalRecord: MessageType.ARRIVAL,
    }
    message_type = kinds[type(documents[0])]
    return Message(
        message_type=message_type,
        edition=Edition.E202205,
        guid=guid or guid_for("message", ",".join(d.declaration.guid for d in documents)),
        version="1.0",
        documents=tuple(documents),
        transfer=Transfer(
            sender_code=sender.code, sender_name=sender.name, exchange_mode="DXP", exchange_id=sender.dxp_id
        ),
    )


def with_changes(document: ImportDocument, **changes: object) -> ImportDocument:
    """Return a copy of a document with some fields changed (to make a realistic fault)."""
    return replace(document, **changes)  # type: ignore[arg-type]
