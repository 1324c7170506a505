"""Export demo documents (出口演示): builders of consistent export document sets, and their messages.

The builders make an order (or B2B order, or overseas-warehouse booking), its receipt of payment, its waybill
and its inventory that agree with each other, plus arrivals, master bills, departures, cancels, returns,
tallies and summary applications; ``build_export_message`` wraps documents of one type into a CEB message.
The month of zone exports the demo runs with them is in ``export_month``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cbec.common.clock import SHANGHAI
from cbec.messages.documents import AppStatus, AppType, Declaration, Edition, Message, Transfer
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportDocument,
    ExportInventory,
    ExportInventoryLine,
    ExportMessageType,
    ExportOrder,
    ExportOrderLine,
    ExportOrderType,
    ExportReturn,
    ExportReturnLine,
    ExportWaybill,
    MasterBill,
    MasterBillLine,
    ParcelLine,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
)

ORDER_TYPE = {"9610": ExportOrderType.RETAIL, "1210": ExportOrderType.RETAIL, "9710": ExportOrderType.B2B}


@dataclass(frozen=True, slots=True)
class ExportParty:
    """A filed enterprise: customs code, name and DXP account."""

    code: str
    name: str
    dxp_id: str = "DXPENT0000000001"


@dataclass(frozen=True, slots=True)
class ExportParties:
    """Everyone named in an export document set."""

    platform: ExportParty
    ecommerce: ExportParty
    payment: ExportParty
    logistics: ExportParty
    agent: ExportParty
    site_operator: ExportParty
    owner: ExportParty | None = None  # 生产销售单位; the consignor itself when None
    customs_code: str = "4601"
    port_code: str = "4601"


@dataclass(frozen=True, slots=True)
class ExportGoods:
    """A product as it appears on an export order line."""

    item_no: str
    name: str
    hs_code: str
    unit_price: Decimal
    unit: str = "011"
    legal_unit: str = "011"
    legal_quantity_per_unit: Decimal = Decimal(1)
    specification: str = "1件"
    bar_code: str = "6900000000000"
    weight_kg: Decimal = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class ExportSet:
    """An export order, receipt of payment, waybill and inventory that match."""

    order: ExportOrder
    receipt_note: PaymentReceiptNote
    waybill: ExportWaybill
    inventory: ExportInventory


def guid_for(kind: str, key: str) -> str:
    """Return a deterministic 36-character guid for a document."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cbec:export:{kind}:{key}")).upper()


def declaration(
    guid: str, at: datetime, *, app_type: AppType = AppType.NEW, app_status: AppStatus = AppStatus.DECLARED
) -> Declaration:
    """Return declaration fields at a moment (seconds precision, Asia/Shanghai)."""
    return Declaration(guid.upper(), app_type, at.astimezone(SHANGHAI).replace(microsecond=0), app_status)


def build_export_set(
    parties: ExportParties,
    items: Sequence[tuple[ExportGoods, Decimal]],
    *,
    order_no: str,
    logistics_no: str,
    at: datetime,
    trade_mode: str = "9610",
    currency: str = "142",
    freight: Decimal = Decimal("30.00"),
    country: str = "502",
    final_country: str | None = None,
    statistics_flag: str = "B",
    platform: ExportParty | None = None,
    bill_no: str | None = None,
    voyage_no: str | None = None,
    transport_mode: str = "5",
) -> ExportSet:
    """Build an order (or B2B order / booking), receipt of payment, waybill and inventory that agree."""
    seller = platform or parties.platform
    order_type = ORDER_TYPE.get(trade_mode, ExportOrderType.OVERSEAS_WAREHOUSE)
    order_lines = tuple(
        ExportOrderLine(
            line_no=n,
            item_no=goods.item_no,
            item_name=goods.name,
            unit=goods.unit,
            currency=currency,
            quantity=qty,
            unit_price=goods.unit_price,
            total_price=goods.unit_price * qty,
            bar_code=goods.bar_code,
        )
        for n, (goods, qty) in enumerate(items, start=1)
    )
    goods_value = sum((line.total_price for line in order_lines), Decimal(0))
    order = ExportOrder(
        declaration=declaration(guid_for("order", order_no), at),
        order_type=order_type,
        order_no=order_no,
        platform_code=seller.code,
        platform_name=seller.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        goods_value=goods_value,
        freight=freight,
        currency=currency,
        lines=order_lines,
    )
    note = PaymentReceiptNote(
        declaration=declaration(guid_for("receipt", order_no), at + timedelta(minutes=5)),
        platform_code=seller.code,
        platform_name=seller.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        order_no=order_no,
        payment_name=parties.payment.name,
        amount=goods_value + freight,
        currency=currency,
        accounted_at=at.replace(microsecond=0),
        payment_code=parties.payment.code,
        payment_no=f"P{order_no}",
    )
    weight = sum((goods.weight_kg * qty for goods, qty in items), Decimal(0))
    waybill = ExportWaybill(
        declaration=declaration(guid_for("waybill", logistics_no), at + timedelta(minutes=10)),
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        logistics_no=logistics_no,
        freight=freight,
        insured_fee=Decimal(0),
        currency=currency,
        gross_weight=weight + Decimal("0.2"),
        pack_count=1,
        goods_info=", ".join(goods.name for goods, _ in items)[:200],
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
    )
    owner = parties.owner or parties.ecommerce
    inventory_lines = tuple(
        ExportInventoryLine(
            line_no=n,
            item_no=goods.item_no,
            hs_code=goods.hs_code,
            goods_name=goods.name,
            specification=goods.specification,
            bar_code=goods.bar_code,
            destination_country=final_country or country,
            currency=currency,
            quantity=qty,
            legal_quantity=goods.legal_quantity_per_unit * qty,
            unit=goods.unit,
            legal_unit=goods.legal_unit,
            unit_price=goods.unit_price,
            total_price=goods.unit_price * qty,
            item_name=goods.name,
        )
        for n, (goods, qty) in enumerate(items, start=1)
    )
    inventory = ExportInventory(
        declaration=declaration(guid_for("inventory", order_no), at + timedelta(minutes=15)),
        customs_code=parties.customs_code,
        platform_code=seller.code,
        platform_name=seller.name,
        order_no=order_no,
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        logistics_no=logistics_no,
        enterprise_ref_no=f"C{order_no}"[:30],
        direction="E",
        port_code=parties.port_code,
        export_date=at.astimezone(SHANGHAI).date(),
        statistics_flag=statistics_flag,
        agent_code=parties.agent.code,
        agent_name=parties.agent.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        owner_code=owner.code,
        owner_name=owner.name,
        trade_mode=trade_mode,
        transport_mode=transport_mode,
        destination_country=country,
        discharge_port="LAX" if country == "502" else "000",
        freight=freight,
        freight_currency=currency,
        freight_mark="3",
        insured_fee=Decimal(0),
        insurance_currency=currency,
        insurance_mark="3",
        wrap_type="2",
        pack_count=1,
        gross_weight=weight + Decimal("0.2"),
        net_weight=weight,
        lines=inventory_lines,
        bill_no=bill_no,
        voyage_no=voyage_no,
        transport_name="CA983" if bill_no else None,
    )
    return ExportSet(order, note, waybill, inventory)


def build_export_arrival(
    parties: ExportParties, logistics_nos: Sequence[str], *, at: datetime, ref: str, bill_no: str | None = None
) -> ExportArrival:
    """Report parcels arrived at the supervised site (CEB507)."""
    return ExportArrival(
        declaration=declaration(guid_for("arrival", ref), at),
        customs_code=parties.customs_code,
        enterprise_ref_no=ref,
        operator_code=parties.site_operator.code,
        operator_name=parties.site_operator.name,
        direction="E",
        transport_mode="4",
        domestic_transport_no="琼A12345",
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        message_count=1,
        message_seq_no=1,
        lines=tuple(ParcelLine(n, number) for n, number in enumerate(logistics_nos, start=1)),
        bill_no=bill_no,
    )


def build_master_bill(
    parties: ExportParties,
    parcels: Sequence[tuple[str, str | None]],
    *,
    bill_no: str,
    voyage_no: str,
    at: datetime,
    gross_weight: Decimal = Decimal("100"),
) -> MasterBill:
    """Tie parcels (logistics number, inventory number) to a bill of lading and flight (CEB607)."""
    return MasterBill(
        declaration=declaration(guid_for("bill", f"{bill_no}:{parcels[0][0]}"), at),
        customs_code=parties.customs_code,
        enterprise_ref_no=f"MB{bill_no}"[:30],
        agent_code=parties.agent.code,
        agent_name=parties.agent.name,
        transport_mode="5",
        transport_name="CA983",
        voyage_no=voyage_no,
        bill_no=bill_no,
        gross_weight=gross_weight,
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        message_count=1,
        message_seq_no=1,
        lines=tuple(MasterBillLine(n, number, inventory_no=invt) for n, (number, invt) in enumerate(parcels, start=1)),
    )


def build_departure(
    parties: ExportParties, logistics_nos: Sequence[str], *, bill_no: str, voyage_no: str, left_at: datetime
) -> Departure:
    """Report parcels that left the country on a flight (CEB509)."""
    return Departure(
        declaration=declaration(guid_for("departure", f"{bill_no}:{logistics_nos[0]}"), left_at),
        customs_code=parties.customs_code,
        enterprise_ref_no=f"DP{bill_no}"[:30],
        logistics_code=parties.logistics.code,
        logistics_name=parties.logistics.name,
        transport_mode="5",
        left_at=left_at.astimezone(SHANGHAI).replace(microsecond=0),
        message_count=1,
        message_seq_no=1,
        lines=tuple(ParcelLine(n, number) for n, number in enumerate(logistics_nos, start=1)),
        transport_name="CA983",
        voyage_no=voyage_no,
        bill_no=bill_no,
    )


def build_export_cancel(
    inventory: ExportInventory, inventory_no: str, *, at: datetime, reason: str = "买家取消订单"
) -> ExportCancel:
    """Ask to withdraw an export inventory (CEB605)."""
    return ExportCancel(
        declaration=declaration(guid_for("cancel", inventory_no), at),
        customs_code=inventory.customs_code,
        enterprise_ref_no=inventory.enterprise_ref_no,
        inventory_no=inventory_no,
        reason=reason,
        agent_code=inventory.agent_code,
        agent_name=inventory.agent_name,
        ecommerce_code=inventory.ecommerce_code,
        ecommerce_name=inventory.ecommerce_name,
    )


def build_export_return(
    inventory: ExportInventory,
    inventory_no: str,
    lines: Sequence[tuple[int, Decimal]],
    *,
    at: datetime,
    logistics_no: str | None = None,
    country: str | None = None,
    reason: str = "海外买家退货（未售出）",
) -> ExportReturn:
    """Apply to bring some exported lines back (CEB213), each the same goods as the original line."""
    by_no = {line.line_no: line for line in inventory.lines}
    returned = tuple(
        ExportReturnLine(
            line_no=line_no,
            hs_code=by_no[line_no].hs_code,
            goods_name=by_no[line_no].goods_name,
            specification=by_no[line_no].specification,
            quantity=qty,
            legal_quantity=by_no[line_no].legal_quantity * qty / by_no[line_no].quantity,
            unit=by_no[line_no].unit,
            legal_unit=by_no[line_no].legal_unit,
        )
        for line_no, qty in lines
    )
    return ExportReturn(
        declaration=declaration(guid_for("return", f"{inventory_no}:{at.isoformat()}"), at),
        customs_code=inventory.customs_code,
        platform_code=inventory.platform_code,
        platform_name=inventory.platform_name,
        ecommerce_code=inventory.ecommerce_code,
        ecommerce_name=inventory.ecommerce_name,
        logistics_no=logistics_no or f"R{inventory.logistics_no}",
        logistics_code=inventory.logistics_code,
        logistics_name=inventory.logistics_name,
        enterprise_ref_no=f"RT{inventory.enterprise_ref_no}"[:30],
        inventory_no=inventory_no,
        agent_code=inventory.agent_code,
        agent_name=inventory.agent_name,
        bill_no=logistics_no or f"R{inventory.logistics_no}",
        direction="I",
        transport_mode="5",
        transport_name="CA984",
        port_code=inventory.port_code,
        reason=reason,
        country=country or inventory.destination_country,
        voyage_no="CA984",
        lines=returned,
        trade_mode=inventory.trade_mode,
    )


def build_tally(parties: ExportParties, request: ExportReturn, *, at: datetime) -> ReturnTally:
    """Report returned parcels tallied at the supervised site (CEB215)."""
    return ReturnTally(
        declaration=declaration(guid_for("tally", request.logistics_no), at),
        customs_code=parties.customs_code,
        operator_code=parties.site_operator.code,
        operator_name=parties.site_operator.name,
        logistics_code=request.logistics_code,
        logistics_name=request.logistics_name,
        logistics_no=request.logistics_no,
        enterprise_ref_no=f"TL{request.logistics_no}"[:30],
        bill_no=request.bill_no,
        direction="I",
        transport_mode=request.transport_mode,
        transport_name=request.transport_name,
        voyage_no=request.voyage_no,
        inventory_no=request.inventory_no,
    )


def build_summary_application(
    parties: ExportParties,
    *,
    at: datetime,
    ref: str,
    inventory_nos: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
    summary_flag: str = "1",
    item_name_flag: str = "",
) -> SummaryApplication:
    """Apply for last month's closed inventories to be summarised into declarations (CEB701)."""
    return SummaryApplication(
        declaration=declaration(guid_for("summary", ref), at),
        customs_code=parties.customs_code,
        enterprise_ref_no=ref,
        agent_code=parties.agent.code,
        agent_name=parties.agent.name,
        ecommerce_code=parties.ecommerce.code,
        ecommerce_name=parties.ecommerce.name,
        declaring_agent_code=parties.agent.code,
        declaring_agent_name=parties.agent.name,
        summary_flag=summary_flag,
        item_name_flag=item_name_flag,
        message_count=1,
        message_seq_no=1,
        inventory_nos=tuple(inventory_nos),
        start_time=window[0] if window else None,
        end_time=window[1] if window else None,
    )


MESSAGE_TYPES: dict[type, ExportMessageType] = {
    ExportOrder: ExportMessageType.ORDER,
    PaymentReceiptNote: ExportMessageType.PAYMENT_RECEIPT_NOTE,
    ExportWaybill: ExportMessageType.WAYBILL,
    ExportArrival: ExportMessageType.ARRIVAL,
    Departure: ExportMessageType.DEPARTURE,
    ExportInventory: ExportMessageType.INVENTORY,
    ExportCancel: ExportMessageType.CANCEL,
    MasterBill: ExportMessageType.MASTER_BILL,
    ExportReturn: ExportMessageType.RETURN,
    ReturnTally: ExportMessageType.RETURN_TALLY,
    SummaryApplication: ExportMessageType.SUMMARY_APPLICATION,
}


def build_export_message(documents: Sequence[ExportDocument], sender: ExportParty) -> Message:
    """Wrap export documents of one type into a message sent by an enterprise."""
    guids = ",".join(d.declaration.guid for d in documents)
    return Message(
        message_type=MESSAGE_TYPES[type(documents[0])],
        edition=Edition.E202205,
        guid=guid_for("message", guids),
        version="1.0",
        documents=tuple(documents),
        transfer=Transfer(sender.code, sender.name, "DXP", sender.dxp_id),
    )
