"""Builders of business-consistent CEB documents for codec tests; every value can be overridden.

One purchase: two goods lines (2 x 59.90 + 1 x 268.00 = 387.80), freight 10.00, discount 5.00,
tax withheld 36.20 (9.1 % of 397.80, half-up), actual paid 429.00 = payment amount; bonded (1210).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cbec.common.clock import SHANGHAI
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ArrivalLine,
    ArrivalRecord,
    CancelRequest,
    Declaration,
    Edition,
    FormatReceipt,
    ImportDocument,
    ImportOrder,
    Inventory,
    InventoryLine,
    Message,
    MessageType,
    OrderLine,
    Payment,
    Receipt,
    ReturnLine,
    ReturnRequest,
    Subscription,
    TaxBill,
    TaxBillLine,
    Transfer,
    Waybill,
    WaybillStatus,
)

AT = datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI)
RETURNED = datetime(2026, 3, 2, 10, 16, 1, 234000, tzinfo=SHANGHAI)

PLATFORM = ("4601960001", "海南跨境优选平台")
ECOMMERCE = ("4601960002", "海口全球购电子商务有限公司")
PAYER = ("4601960003", "南海支付有限公司")
LOGISTICS = ("4601960004", "椰城国际物流有限公司")
AGENT = ("4601960005", "海口通关代理有限公司")
SITE = ("4601960006", "美兰机场跨境监管场所")
BUYER = ("张伟", "11010519491231002X", "13800138000", "海南省海口市美兰区国兴大道1号")
ORDER_NO = "ORD20260302000001"
LOGISTICS_NO = "YC2026030200000001"
TRANSACTION_ID = "PAY2026030200000001"
INVENTORY_NO = "46012026I000000001"
EPORT_NO = "B20260302000000001"


def guid(n: int) -> str:
    """Return a deterministic upper-case 36-character guid."""
    return f"{n:08X}-0000-4000-8000-000000000000"


def declaration(n: int, **overrides: Any) -> Declaration:
    """Return declaration fields (new, declared, at AT)."""
    values: dict[str, Any] = {
        "guid": guid(n),
        "app_type": AppType.NEW,
        "app_time": AT,
        "app_status": AppStatus.DECLARED,
    }
    values.update(overrides)
    return Declaration(**values)


def order_lines() -> tuple[OrderLine, ...]:
    """Return the two order lines of the purchase."""
    return (
        OrderLine(
            line_no=1,
            item_name="婴幼儿配方奶粉900克",
            specification="900g/罐，3段",
            unit="122",
            quantity=Decimal("2"),
            unit_price=Decimal("59.90"),
            total_price=Decimal("119.80"),
            currency="142",
            origin_country="601",
            item_no="SKU-MILK-900",
            bar_code="9300000000017",
        ),
        OrderLine(
            line_no=2,
            item_name="精华液50毫升",
            specification="50ml/瓶",
            unit="142",
            quantity=Decimal("1"),
            unit_price=Decimal("268.00"),
            total_price=Decimal("268.00"),
            currency="142",
            origin_country="116",
            item_no="SKU-SERUM-50",
            item_description="保湿精华液",
        ),
    )


def order(**overrides: Any) -> ImportOrder:
    """Return a business-consistent import order (CEB311)."""
    values: dict[str, Any] = dict(
        declaration=declaration(1),
        order_type="I",
        order_no=ORDER_NO,
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        goods_value=Decimal("387.80"),
        freight=Decimal("10.00"),
        discount=Decimal("5.00"),
        tax_total=Decimal("36.20"),
        actual_paid=Decimal("429.00"),
        currency="142",
        buyer_reg_no="U13800138000",
        buyer_name=BUYER[0],
        buyer_phone=BUYER[2],
        buyer_id_type="1",
        buyer_id_number=BUYER[1],
        consignee=BUYER[0],
        consignee_phone=BUYER[2],
        consignee_address=BUYER[3],
        lines=order_lines(),
        payment_code=PAYER[0],
        payment_name=PAYER[1],
        payment_transaction_id=TRANSACTION_ID,
        consignee_district="460108",
    )
    values.update(overrides)
    return ImportOrder(**values)


def payment(**overrides: Any) -> Payment:
    """Return the payment voucher of the order (CEB411)."""
    values: dict[str, Any] = dict(
        declaration=declaration(2),
        payment_code=PAYER[0],
        payment_name=PAYER[1],
        payment_transaction_id=TRANSACTION_ID,
        order_no=ORDER_NO,
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        payer_id_type="1",
        payer_id_number=BUYER[1],
        payer_name=BUYER[0],
        amount_paid=Decimal("429.00"),
        currency="142",
        paid_at=datetime(2026, 3, 2, 10, 1, 2, tzinfo=SHANGHAI),
        payer_phone=BUYER[2],
    )
    values.update(overrides)
    return Payment(**values)


def waybill(**overrides: Any) -> Waybill:
    """Return the waybill of the order (CEB511)."""
    values: dict[str, Any] = dict(
        declaration=declaration(3),
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        logistics_no=LOGISTICS_NO,
        order_no=ORDER_NO,
        currency="142",
        weight=Decimal("2.15"),
        pack_count=1,
        consignee=BUYER[0],
        consignee_address=BUYER[3],
        consignee_phone=BUYER[2],
        freight=Decimal("10.00"),
        insured_fee=Decimal("0"),
        goods_info="婴幼儿配方奶粉900克*2，精华液50毫升*1",
    )
    values.update(overrides)
    return Waybill(**values)


def waybill_status(**overrides: Any) -> WaybillStatus:
    """Return a signed-for status report of the waybill (CEB513)."""
    values: dict[str, Any] = dict(
        declaration=declaration(4),
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        logistics_no=LOGISTICS_NO,
        logistics_status="S",
        status_time=datetime(2026, 3, 5, 16, 20, 0, tzinfo=SHANGHAI),
    )
    values.update(overrides)
    return WaybillStatus(**values)


def inventory_lines() -> tuple[InventoryLine, ...]:
    """Return the inventory lines matching the order lines one to one."""
    return (
        InventoryLine(
            line_no=1,
            hs_code="1901101000",
            goods_name="婴幼儿配方奶粉900克",
            specification="900g/罐，3段",
            origin_country="601",
            currency="142",
            quantity=Decimal("2"),
            unit="122",
            legal_quantity=Decimal("1.8"),
            legal_unit="035",
            unit_price=Decimal("59.90"),
            total_price=Decimal("119.80"),
            item_record_no="46019600020001",
            item_no="SKU-MILK-900",
            item_name="婴幼儿配方奶粉900克",
            bar_code="9300000000017",
            trade_country="601",
        ),
        InventoryLine(
            line_no=2,
            hs_code="3304990099",
            goods_name="精华液50毫升",
            specification="50ml/瓶",
            origin_country="116",
            currency="142",
            quantity=Decimal("1"),
            unit="142",
            legal_quantity=Decimal("0.05"),
            legal_unit="035",
            unit_price=Decimal("268.00"),
            total_price=Decimal("268.00"),
            item_record_no="46019600020002",
            item_no="SKU-SERUM-50",
            item_name="精华液50毫升",
            bar_code="无",
            trade_country="116",
        ),
    )


def inventory(**overrides: Any) -> Inventory:
    """Return the bonded (1210) import inventory of the order (CEB621)."""
    values: dict[str, Any] = dict(
        declaration=declaration(5),
        order_no=ORDER_NO,
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        logistics_no=LOGISTICS_NO,
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        guarantor_code=ECOMMERCE[0],
        direction="I",
        declared_on=date(2026, 3, 2),
        customs_code="4601",
        port_code="4601",
        buyer_id_type="1",
        buyer_id_number=BUYER[1],
        buyer_name=BUYER[0],
        buyer_phone=BUYER[2],
        consignee_address=BUYER[3],
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        trade_mode="1210",
        transport_mode="Y",
        departure_country="142",
        freight=Decimal("10.00"),
        insured_fee=Decimal("0"),
        currency="142",
        pack_count=1,
        gross_weight=Decimal("2.15"),
        net_weight=Decimal("1.85"),
        lines=inventory_lines(),
        enterprise_ref_no="INV20260302000001",
        account_book_no="T4601W000001",
        warehouse_code=SITE[0],
        warehouse_name=SITE[1],
        wrap_type="2",
    )
    values.update(overrides)
    return Inventory(**values)


def _request_values(n: int) -> dict[str, Any]:
    return dict(
        declaration=declaration(n),
        customs_code="4601",
        order_no=ORDER_NO,
        platform_code=PLATFORM[0],
        platform_name=PLATFORM[1],
        ecommerce_code=ECOMMERCE[0],
        ecommerce_name=ECOMMERCE[1],
        logistics_no=LOGISTICS_NO,
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        inventory_no=INVENTORY_NO,
        buyer_id_type="1",
        buyer_id_number=BUYER[1],
        buyer_name=BUYER[0],
        buyer_phone=BUYER[2],
        agent_code=AGENT[0],
        agent_name=AGENT[1],
        enterprise_ref_no="INV20260302000001",
        eport_no=EPORT_NO,
    )


def cancel_request(**overrides: Any) -> CancelRequest:
    """Return a cancel request for the declared inventory (CEB623)."""
    values = _request_values(6) | {"reason": "消费者取消订单"}
    values.update(overrides)
    return CancelRequest(**values)


def return_request(**overrides: Any) -> ReturnRequest:
    """Return a return of the serum line (CEB625)."""
    values = _request_values(7) | {
        "reason": "商品破损",
        "lines": (
            ReturnLine(line_no=2, hs_code="3304990099", goods_name="精华液50毫升", quantity=Decimal("1"), unit="142"),
        ),
    }
    values.update(overrides)
    return ReturnRequest(**values)


def arrival_record(**overrides: Any) -> ArrivalRecord:
    """Return an arrival-in-warehouse record of two parcels (CEB711)."""
    values: dict[str, Any] = dict(
        declaration=declaration(8),
        customs_code="4601",
        operator_code=SITE[0],
        operator_name=SITE[1],
        direction="I",
        transport_mode="5",
        transport_no="CA1234",
        voyage_no="20260302",
        bill_no="MAWB20260302001",
        logistics_code=LOGISTICS[0],
        logistics_name=LOGISTICS[1],
        lines=(
            ArrivalLine(line_no=1, logistics_no=LOGISTICS_NO),
            ArrivalLine(line_no=2, logistics_no="YC2026030200000002"),
        ),
        enterprise_ref_no="ARR20260302000001",
        unload_location="美兰机场监管仓A区",
    )
    values.update(overrides)
    return ArrivalRecord(**values)


def transfer(sender: tuple[str, str] = ECOMMERCE) -> Transfer:
    """Return the BaseTransfer of a sender."""
    return Transfer(sender_code=sender[0], sender_name=sender[1], exchange_mode="DXP", exchange_id="DXPENT0000000012")


MESSAGE_TYPES: dict[type, MessageType] = {
    ImportOrder: MessageType.ORDER,
    Payment: MessageType.PAYMENT,
    Waybill: MessageType.WAYBILL,
    WaybillStatus: MessageType.WAYBILL_STATUS,
    Inventory: MessageType.INVENTORY,
    CancelRequest: MessageType.CANCEL,
    ReturnRequest: MessageType.RETURN,
    ArrivalRecord: MessageType.ARRIVAL,
}


def message(*documents: ImportDocument, **overrides: Any) -> Message:
    """Return a message carrying documents of one type."""
    values: dict[str, Any] = dict(
        message_type=MESSAGE_TYPES[type(documents[0])],
        edition=Edition.E202205,
        guid=guid(100 + list(MESSAGE_TYPES).index(type(documents[0]))),
        version="1.0",
        documents=tuple(documents),
        transfer=transfer(),
    )
    values.update(overrides)
    return Message(**values)


def all_declarations() -> dict[MessageType, Message]:
    """Return one valid message of every import declaration type."""
    return {
        MessageType.ORDER: message(order()),
        MessageType.PAYMENT: message(payment(), transfer=transfer(PAYER)),
        MessageType.WAYBILL: message(
            waybill(),
            transfer=transfer(LOGISTICS),
            subscriptions=(Subscription(status="RET", exchange_mode="DXP", exchange_address="DXPENT0000000011"),),
        ),
        MessageType.WAYBILL_STATUS: message(waybill_status(), transfer=transfer(LOGISTICS)),
        MessageType.INVENTORY: message(inventory(), transfer=transfer(AGENT)),
        MessageType.CANCEL: message(cancel_request(), transfer=transfer(AGENT)),
        MessageType.RETURN: message(return_request(), transfer=transfer(AGENT)),
        MessageType.ARRIVAL: message(arrival_record(), transfer=transfer(SITE)),
    }


def receipt(message_type: MessageType, **overrides: Any) -> Receipt:
    """Return a receipt of a type with the key fields its message carries."""
    keys: dict[MessageType, dict[str, Any]] = {
        MessageType.ORDER_RECEIPT: dict(platform_code=PLATFORM[0], ecommerce_code=ECOMMERCE[0], order_no=ORDER_NO),
        MessageType.PAYMENT_RECEIPT: dict(payment_code=PAYER[0], payment_transaction_id=TRANSACTION_ID),
        MessageType.WAYBILL_RECEIPT: dict(logistics_code=LOGISTICS[0], logistics_no=LOGISTICS_NO),
        MessageType.WAYBILL_STATUS_RECEIPT: dict(
            logistics_code=LOGISTICS[0], logistics_no=LOGISTICS_NO, logistics_status="S"
        ),
        MessageType.INVENTORY_RECEIPT: dict(
            customs_code="4601",
            platform_code=PLATFORM[0],
            ecommerce_code=ECOMMERCE[0],
            agent_code=AGENT[0],
            enterprise_ref_no="INV20260302000001",
            eport_no=EPORT_NO,
            inventory_no=INVENTORY_NO,
        ),
        MessageType.CANCEL_RECEIPT: dict(
            customs_code="4601",
            agent_code=AGENT[0],
            platform_code=PLATFORM[0],
            ecommerce_code=ECOMMERCE[0],
            enterprise_ref_no="INV20260302000001",
            eport_no=EPORT_NO,
            inventory_no=INVENTORY_NO,
        ),
        MessageType.RETURN_RECEIPT: dict(
            customs_code="4601",
            agent_code=AGENT[0],
            platform_code=PLATFORM[0],
            ecommerce_code=ECOMMERCE[0],
            enterprise_ref_no="INV20260302000001",
            eport_no=EPORT_NO,
            inventory_no=INVENTORY_NO,
        ),
        MessageType.ARRIVAL_RECEIPT: dict(
            customs_code="4601",
            operator_code=SITE[0],
            enterprise_ref_no="ARR20260302000001",
            eport_no="R20260302000000001",
            entry_no="460120260302000001",
        ),
    }
    values: dict[str, Any] = dict(
        message_type=message_type,
        guid=guid(200 + int(message_type.value[3:6])),
        status="120",
        info="[Code:1800;Desc:逻辑校验通过]",
        returned_at=RETURNED,
        **keys[message_type],
    )
    values.update(overrides)
    return Receipt(**values)


def tax_bill(**overrides: Any) -> TaxBill:
    """Return the electronic tax bill of the inventory (CEB816): 70 % of VAT, no duty or excise."""
    values: dict[str, Any] = dict(
        guid=guid(300),
        returned_at=RETURNED,
        inventory_no=INVENTORY_NO,
        tax_no="TAX46012026000000001",
        customs_duty=Decimal("0"),
        vat=Decimal("36.20"),
        consumption_tax=Decimal("0"),
        status="1",
        lines=(
            TaxBillLine(
                line_no=1,
                hs_code="1901101000",
                dutiable_value=Decimal("122.89"),
                customs_duty=Decimal("0"),
                vat=Decimal("11.18"),
                consumption_tax=Decimal("0"),
            ),
            TaxBillLine(
                line_no=2,
                hs_code="3304990099",
                dutiable_value=Decimal("274.91"),
                customs_duty=Decimal("0"),
                vat=Decimal("25.02"),
                consumption_tax=Decimal("0"),
            ),
        ),
        guarantor_code=ECOMMERCE[0],
        ecommerce_code=ECOMMERCE[0],
        logistics_code=LOGISTICS[0],
        agent_code=AGENT[0],
        customs_code="4601",
    )
    values.update(overrides)
    return TaxBill(**values)


def format_receipt(**overrides: Any) -> FormatReceipt:
    """Return a format-check receipt refusing an unreadable message (CEB900)."""
    values: dict[str, Any] = dict(
        guid=guid(400),
        status="-1",
        info="FMT-REQUIRED Order[1]/OrderHead/orderNo: 必填元素缺失 / required element missing",
        returned_at=RETURNED,
        original_message_id="3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        original_message_type="CEB311Message",
        original_message="<ceb:CEB311Message/>",
    )
    values.update(overrides)
    return FormatReceipt(**values)


def with_declaration(document: Any, **changes: Any) -> Any:
    """Return a document whose declaration fields are changed."""
    return replace(document, declaration=replace(document.declaration, **changes))
