"""Builders of business-consistent export documents (出口单证) for codec tests; every value can be overridden.

One retail export (9610) to Japan, counted for summary declaration (statisticsFlag B): two goods lines
(3 x 25.00 + 2 x 48.50 = 172.00 FOB), freight 30.00, received 202.00; the parcel arrives at the airport site,
leaves on NH956, and is summarised into one customs declaration. Values fit both editions (invtNo of 18
characters, logisticsNo within 32, ebpCode within 18, fFlag/iFlag 3).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from cbec.common.clock import SHANGHAI
from cbec.messages.documents import Edition, Message, Receipt, Subscription
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
    ExportReturn,
    ExportReturnLine,
    ExportWaybill,
    MasterBill,
    MasterBillLine,
    ParcelLine,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
    SummaryResult,
    SummaryResultLine,
)
from tests.unit.messages.builders import AGENT, ECOMMERCE, LOGISTICS, PAYER, PLATFORM, SITE, declaration, guid, transfer
from tests.unit.messages.conftest import ceb_path

EXPORT_XSD = {
    Edition.E2018: "出口业务节点报文.xsd",
    Edition.E202205: "海关跨境出口业务节点报文定义202205.xsd",
}

AT = datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI)
RETURNED = datetime(2026, 3, 2, 10, 16, 1, 234000, tzinfo=SHANGHAI)
OWNER = ("4601960007", "海口椰韵食品有限公司")
ORDER_NO = "EXP20260302000001"
LOGISTICS_NO = "YCE2026030200000001"
SECOND_LOGISTICS_NO = "YCE2026030200000002"
INVENTORY_NO = "46012026E000000001"
SECOND_INVENTORY_NO = "46012026E000000002"
EPORT_NO = "B20260302000000011"
BILL_NO = "MAWB20260303001"
SUMMARY_NO = "S46012026000000001"
ENTRY_ID = "460120261000000001"


def order_lines() -> tuple[ExportOrderLine, ...]:
    """Return the two export order lines."""
    return (
        ExportOrderLine(
            line_no=1,
            item_no="SKU-CANDY-250",
            item_name="椰子糖250克",
            unit="140",
            currency="142",
            quantity=Decimal("3"),
            unit_price=Decimal("25.00"),
            total_price=Decimal("75.00"),
            item_description="海南特产椰子糖，250克/盒",
            bar_code="6900000000011",
        ),
        ExportOrderLine(
            line_no=2,
            item_no="SKU-OIL-500",
            item_name="初榨椰子油500毫升",
            unit="142",
            currency="142",
            quantity=Decimal("2"),
            unit_price=Decimal("48.50"),
            total_price=Decimal("97.00"),
        ),
    )


def export_order(**overrides: Any) -> ExportOrder:
    """Return a retail export order (CEB303)."""
    values: dict[str, Any] = dict(
        declaration=declaration(11),
        order_type="E",
        order_no=ORDER_NO,
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        goods_value=Decimal("172.00"),
        freight=Decimal("30.00"),
        currency="142",
        lines=order_lines(),
    )
    values.update(overrides)
    return ExportOrder(**values)


def payment_receipt_note(**overrides: Any) -> PaymentReceiptNote:
    """Return the receipt of payment for the order (CEB403)."""
    values: dict[str, Any] = dict(
        declaration=declaration(12),
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        order_no=ORDER_NO,
        payment_name=PAYER[1],
        amount=Decimal("202.00"),
        currency="142",
        accounted_at=datetime(2026, 3, 2, 9, 58, 12, tzinfo=SHANGHAI),
        payment_code=PAYER[0],
        payment_no="PAYE2026030200000001",
    )
    values.update(overrides)
    return PaymentReceiptNote(**values)


def export_waybill(**overrides: Any) -> ExportWaybill:
    """Return the export waybill of the parcel (CEB505)."""
    values: dict[str, Any] = dict(
        declaration=declaration(13),
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        logistics_no=LOGISTICS_NO,
        freight=Decimal("30.00"),
        insured_fee=Decimal("0"),
        currency="142",
        gross_weight=Decimal("1.85"),
        pack_count=1,
        goods_info="椰子糖250克*3，初榨椰子油500毫升*2",
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        ecommerce_phone="0898-66000000",
    )
    values.update(overrides)
    return ExportWaybill(**values)


def parcels() -> tuple[ParcelLine, ...]:
    """Return the two parcels of the consignment."""
    return (
        ParcelLine(line_no=1, logistics_no=LOGISTICS_NO, total_package_no="PLT001"),
        ParcelLine(line_no=2, logistics_no=SECOND_LOGISTICS_NO, total_package_no="PLT001"),
    )


def export_arrival(**overrides: Any) -> ExportArrival:
    """Return the arrival of the parcels at the airport site (CEB507), one unsplit message."""
    values: dict[str, Any] = dict(
        declaration=declaration(14),
        customs_code="4601",
        enterprise_ref_no="ARE20260303000001",
        operator_code=SITE[0],
        operator_name=SITE[1],
        direction="E",
        transport_mode="5",
        domestic_transport_no="琼A12345",
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        message_count=1,
        message_seq_no=1,
        lines=parcels(),
        location_no="460101",
        bill_no=BILL_NO,
    )
    values.update(overrides)
    return ExportArrival(**values)


def departure(**overrides: Any) -> Departure:
    """Return the departure of the parcels on the flight (CEB509)."""
    values: dict[str, Any] = dict(
        declaration=declaration(15),
        customs_code="4601",
        enterprise_ref_no="DEP20260303000001",
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        transport_mode="5",
        left_at=datetime(2026, 3, 3, 22, 40, 0, tzinfo=SHANGHAI),
        message_count=1,
        message_seq_no=1,
        lines=parcels(),
        transport_name="NH956",
        voyage_no="20260303",
        bill_no=BILL_NO,
    )
    values.update(overrides)
    return Departure(**values)


def inventory_lines() -> tuple[ExportInventoryLine, ...]:
    """Return the inventory lines matching the order lines one to one."""
    return (
        ExportInventoryLine(
            line_no=1,
            item_no="SKU-CANDY-250",
            hs_code="1704900000",
            goods_name="椰子糖",
            specification="250克/盒|椰子味|无品牌",
            bar_code="6900000000011",
            destination_country="116",
            currency="142",
            quantity=Decimal("3"),
            legal_quantity=Decimal("0.75"),
            unit="140",
            legal_unit="035",
            unit_price=Decimal("25.00"),
            total_price=Decimal("75.00"),
            item_name="椰子糖250克",
        ),
        ExportInventoryLine(
            line_no=2,
            item_no="SKU-OIL-500",
            hs_code="1513190000",
            goods_name="椰子油",
            specification="500毫升/瓶|初榨",
            bar_code="无",
            destination_country="116",
            currency="142",
            quantity=Decimal("2"),
            legal_quantity=Decimal("0.92"),
            unit="142",
            legal_unit="035",
            unit_price=Decimal("48.50"),
            total_price=Decimal("97.00"),
            item_name="初榨椰子油500毫升",
            second_quantity=Decimal("1"),
            second_unit="095",
        ),
    )


def export_inventory(**overrides: Any) -> ExportInventory:
    """Return the retail export inventory of the order (CEB603), for summary declaration."""
    values: dict[str, Any] = dict(
        declaration=declaration(16),
        customs_code="4601",
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        order_no=ORDER_NO,
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        logistics_no=LOGISTICS_NO,
        enterprise_ref_no="INVE20260302000001",
        direction="E",
        port_code="4601",
        export_date=date(2026, 3, 3),
        statistics_flag="B",
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        owner_code=OWNER[0],
        owner_name=OWNER[1],
        trade_mode="9610",
        transport_mode="5",
        destination_country="116",
        discharge_port="116",
        freight=Decimal("30.00"),
        freight_currency="142",
        freight_mark="3",
        insured_fee=Decimal("0"),
        insurance_currency="142",
        insurance_mark="3",
        wrap_type="2",
        pack_count=1,
        gross_weight=Decimal("1.85"),
        net_weight=Decimal("1.67"),
        lines=inventory_lines(),
        eport_no=EPORT_NO,
        inventory_no=INVENTORY_NO,
        transport_name="NH956",
        voyage_no="20260303",
        bill_no=BILL_NO,
        total_package_no="PLT001",
        location_no="460101",
    )
    values.update(overrides)
    return ExportInventory(**values)


def export_cancel(**overrides: Any) -> ExportCancel:
    """Return a request to cancel the export inventory (CEB605)."""
    values: dict[str, Any] = dict(
        declaration=declaration(17),
        customs_code="4601",
        enterprise_ref_no="INVE20260302000001",
        inventory_no=INVENTORY_NO,
        reason="买家取消订单，货物未出境",
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        eport_no=EPORT_NO,
    )
    values.update(overrides)
    return ExportCancel(**values)


def master_bill(**overrides: Any) -> MasterBill:
    """Return the master bill tying both parcels to the flight (CEB607)."""
    values: dict[str, Any] = dict(
        declaration=declaration(18),
        customs_code="4601",
        enterprise_ref_no="WB20260303000001",
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        transport_mode="5",
        transport_name="NH956",
        voyage_no="20260303",
        bill_no=BILL_NO,
        gross_weight=Decimal("3.70"),
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        message_count=1,
        message_seq_no=1,
        lines=(
            MasterBillLine(line_no=1, logistics_no=LOGISTICS_NO, total_package_no="PLT001", inventory_no=INVENTORY_NO),
            MasterBillLine(
                line_no=2,
                logistics_no=SECOND_LOGISTICS_NO,
                total_package_no="PLT001",
                inventory_no=SECOND_INVENTORY_NO,
            ),
        ),
        location_no="460101",
        domestic_transport_no="琼A12345",
    )
    values.update(overrides)
    return MasterBill(**values)


def export_return(**overrides: Any) -> ExportReturn:
    """Return the return of the coconut oil from Japan (CEB213, 202205 only)."""
    values: dict[str, Any] = dict(
        declaration=declaration(19),
        customs_code="4601",
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        logistics_no="YCR2026040100000001",
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        enterprise_ref_no="RET20260401000001",
        inventory_no=INVENTORY_NO,
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        bill_no="MAWB20260401009",
        direction="I",
        transport_mode="5",
        transport_name="NH955",
        port_code="4601",
        reason="买家拒收",
        country="116",
        voyage_no="20260401",
        lines=(
            ExportReturnLine(
                line_no=2,
                hs_code="1513190000",
                goods_name="椰子油",
                specification="500毫升/瓶|初榨",
                quantity=Decimal("2"),
                legal_quantity=Decimal("0.92"),
                unit="142",
                legal_unit="035",
                second_quantity=Decimal("1"),
                second_unit="095",
            ),
        ),
        location_no="460101",
        trade_mode="9610",
    )
    values.update(overrides)
    return ExportReturn(**values)


def return_tally(**overrides: Any) -> ReturnTally:
    """Return the tally of the returned parcel at the site (CEB215, 202205 only)."""
    values: dict[str, Any] = dict(
        declaration=declaration(20),
        customs_code="4601",
        operator_code=SITE[0],
        operator_name=SITE[1],
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        logistics_no="YCR2026040100000001",
        enterprise_ref_no="TAL20260402000001",
        bill_no="MAWB20260401009",
        direction="I",
        transport_mode="5",
        transport_name="NH955",
        voyage_no="20260401",
        inventory_no=INVENTORY_NO,
        location="美兰机场监管仓B区3号位",
    )
    values.update(overrides)
    return ReturnTally(**values)


def summary_application(**overrides: Any) -> SummaryApplication:
    """Return an application to summarise the two released inventories (CEB701)."""
    values: dict[str, Any] = dict(
        declaration=declaration(21),
        customs_code="4601",
        enterprise_ref_no="SUM20260401000001",
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        declaring_agent_code=AGENT[0],
        declaring_agent_name=AGENT[1],
        summary_flag="1",
        item_name_flag="1",
        message_count=1,
        message_seq_no=1,
        inventory_nos=(INVENTORY_NO, SECOND_INVENTORY_NO),
        location_no="460101",
    )
    values.update(overrides)
    return SummaryApplication(**values)


def summary_result(**overrides: Any) -> SummaryResult:
    """Return the customs declaration generated from the summary (CEB792)."""
    values: dict[str, Any] = dict(
        guid=guid(500),
        customs_code="4601",
        summary_no=SUMMARY_NO,
        operated_at=datetime(2026, 4, 2, 9, 30, 15, 120000, tzinfo=SHANGHAI),
        declaration_seq_no="I46012026000000001",
        declaration_state="1",
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        declaring_agent_code=AGENT[0],
        declaring_agent_name=AGENT[1],
        gross_weight=Decimal("3.70"),
        net_weight=Decimal("3.34"),
        message_count=1,
        message_seq_no=1,
        lines=(
            SummaryResultLine(
                inventory_no=INVENTORY_NO, logistics_no=LOGISTICS_NO, goods_seq_no=1, line_no=1, hs_code="1704900000"
            ),
            SummaryResultLine(
                inventory_no=INVENTORY_NO, logistics_no=LOGISTICS_NO, goods_seq_no=2, line_no=2, hs_code="1513190000"
            ),
        ),
        declaration_pre_no="460120260000000001",
        entry_id=ENTRY_ID,
    )
    values.update(overrides)
    return SummaryResult(**values)


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
ONLY_202205 = frozenset(
    {
        ExportMessageType.RETURN,
        ExportMessageType.RETURN_RECEIPT,
        ExportMessageType.RETURN_TALLY,
        ExportMessageType.RETURN_TALLY_RECEIPT,
    }
)


def export_message(*documents: ExportDocument, **overrides: Any) -> Message:
    """Return an export message carrying documents of one type."""
    values: dict[str, Any] = dict(
        message_type=MESSAGE_TYPES[type(documents[0])],
        edition=Edition.E202205,
        guid=guid(600 + list(MESSAGE_TYPES).index(type(documents[0]))),
        version="1.0",
        documents=tuple(documents),
        transfer=transfer(),
    )
    values.update(overrides)
    return Message(**values)


def all_export_declarations(edition: Edition = Edition.E202205) -> dict[ExportMessageType, Message]:
    """Return one valid message of every export declaration type the edition has."""
    messages = {
        ExportMessageType.ORDER: export_message(export_order(), transfer=transfer(PLATFORM)),
        ExportMessageType.PAYMENT_RECEIPT_NOTE: export_message(payment_receipt_note(), transfer=transfer(PAYER)),
        ExportMessageType.WAYBILL: export_message(
            export_waybill(),
            transfer=transfer(LOGISTICS),
            subscriptions=(Subscription(status="RET", exchange_mode="DXP", exchange_address="DXPENT0000000011"),),
        ),
        ExportMessageType.ARRIVAL: export_message(export_arrival(), transfer=transfer(SITE)),
        ExportMessageType.DEPARTURE: export_message(departure(), transfer=transfer(LOGISTICS)),
        ExportMessageType.INVENTORY: export_message(export_inventory(), transfer=transfer(AGENT)),
        ExportMessageType.CANCEL: export_message(export_cancel(), transfer=transfer(AGENT)),
        ExportMessageType.MASTER_BILL: export_message(master_bill(), transfer=transfer(AGENT)),
        ExportMessageType.RETURN: export_message(export_return(), transfer=transfer(AGENT)),
        ExportMessageType.RETURN_TALLY: export_message(return_tally(), transfer=transfer(SITE)),
        ExportMessageType.SUMMARY_APPLICATION: export_message(summary_application(), transfer=transfer(AGENT)),
    }
    return {
        kind: replace(message, edition=edition)
        for kind, message in messages.items()
        if edition is Edition.E202205 or kind not in ONLY_202205
    }


def export_receipt(message_type: ExportMessageType, **overrides: Any) -> Receipt:
    """Return an export receipt of a type with the key fields its message carries."""
    keys: dict[ExportMessageType, dict[str, Any]] = {
        ExportMessageType.ORDER_RECEIPT: dict(
            platform_code=PLATFORM[0], ecommerce_code=ECOMMERCE[0], order_no=ORDER_NO
        ),
        ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT: dict(
            ecommerce_code=ECOMMERCE[0], order_no=ORDER_NO, payment_no="PAYE2026030200000001"
        ),
        ExportMessageType.WAYBILL_RECEIPT: dict(logistics_code=LOGISTICS[0], logistics_no=LOGISTICS_NO),
        ExportMessageType.ARRIVAL_RECEIPT: dict(
            operator_code=SITE[0],
            logistics_code=LOGISTICS[0],
            eport_no="B20260303000000021",
            enterprise_ref_no="ARE20260303000001",
            bill_no=BILL_NO,
            message_seq_no=1,
        ),
        ExportMessageType.DEPARTURE_RECEIPT: dict(
            logistics_code=LOGISTICS[0],
            enterprise_ref_no="DEP20260303000001",
            eport_no="B20260303000000031",
            message_seq_no=1,
        ),
        ExportMessageType.INVENTORY_RECEIPT: dict(
            agent_code=AGENT[0],
            enterprise_ref_no="INVE20260302000001",
            eport_no=EPORT_NO,
            inventory_no=INVENTORY_NO,
            ecommerce_code=ECOMMERCE[0],
            platform_code=PLATFORM[0],
            order_no=ORDER_NO,
            statistics_flag="B",
        ),
        ExportMessageType.CANCEL_RECEIPT: dict(
            agent_code=AGENT[0], enterprise_ref_no="INVE20260302000001", eport_no=EPORT_NO, inventory_no=INVENTORY_NO
        ),
        ExportMessageType.MASTER_BILL_RECEIPT: dict(
            agent_code=AGENT[0],
            logistics_code=LOGISTICS[0],
            enterprise_ref_no="WB20260303000001",
            eport_no="B20260303000000041",
            bill_no=BILL_NO,
            message_seq_no=1,
        ),
        ExportMessageType.RETURN_RECEIPT: dict(
            platform_code=PLATFORM[0],
            ecommerce_code=ECOMMERCE[0],
            agent_code=AGENT[0],
            enterprise_ref_no="RET20260401000001",
            eport_no="B20260401000000051",
            inventory_no=INVENTORY_NO,
        ),
        ExportMessageType.RETURN_TALLY_RECEIPT: dict(
            operator_code=SITE[0],
            logistics_code=LOGISTICS[0],
            logistics_no="YCR2026040100000001",
            enterprise_ref_no="TAL20260402000001",
            eport_no="B20260402000000061",
        ),
        ExportMessageType.SUMMARY_APPLICATION_RECEIPT: dict(
            agent_code=AGENT[0],
            ecommerce_code=ECOMMERCE[0],
            enterprise_ref_no="SUM20260401000001",
            eport_no="B20260401000000071",
            summary_no=SUMMARY_NO,
            message_seq_no=1,
        ),
    }
    values: dict[str, Any] = dict(
        message_type=message_type,
        guid=guid(1000 + int(message_type.value[3:6])),
        status="399",
        info="[Code:2600;Desc:审核通过]",
        returned_at=RETURNED,
        **keys[message_type],
    )
    values.update(overrides)
    return Receipt(**values)


EXPORT_RECEIPTS = [
    ExportMessageType.ORDER_RECEIPT,
    ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
    ExportMessageType.WAYBILL_RECEIPT,
    ExportMessageType.ARRIVAL_RECEIPT,
    ExportMessageType.DEPARTURE_RECEIPT,
    ExportMessageType.INVENTORY_RECEIPT,
    ExportMessageType.CANCEL_RECEIPT,
    ExportMessageType.MASTER_BILL_RECEIPT,
    ExportMessageType.RETURN_RECEIPT,
    ExportMessageType.RETURN_TALLY_RECEIPT,
    ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
]


def export_receipt_types(edition: Edition = Edition.E202205) -> list[ExportMessageType]:
    """Return the export receipt types the edition has."""
    return [t for t in EXPORT_RECEIPTS if edition is Edition.E202205 or t not in ONLY_202205]


@cache
def _export_schema(path: Path) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(path))


def export_schema(edition: Edition) -> Any:
    """Return the official export XSD of an edition (its own schema object: import and export share a namespace)."""
    return _export_schema(ceb_path("xsd", edition.value, EXPORT_XSD[edition]))


def export_samples(edition: Edition) -> list[Path]:
    """Return the official export samples of an edition."""
    return sorted(ceb_path("samples", edition.value, "export").glob("*.xml"))
