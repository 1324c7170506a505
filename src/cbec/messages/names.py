"""CEB element names ↔ English attribute names (字段名称对照), per message group.

The single mapping between the CEB wire names (orderNo, invtNo, ...) and the attributes of
``cbec.messages.documents``. A dotted target (``declaration.app_time``) lands in a nested object.
Import messages only: export groups share some group names but differ in content, so they have their own
map in ``cbec.messages.export_names``; ``glossary_rows`` lists both.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cbec.messages.documents import Edition
from cbec.messages.export_names import export_glossary_rows
from cbec.messages.fieldspec import FieldSpec, field_catalogue

_DECLARATION = {
    "guid": "declaration.guid",
    "appType": "declaration.app_type",
    "appTime": "declaration.app_time",
    "appStatus": "declaration.app_status",
}
_PLATFORM = {
    "ebpCode": "platform_code",
    "ebpName": "platform_name",
    "ebcCode": "ecommerce_code",
    "ebcName": "ecommerce_name",
}
_LOGISTICS = {"logisticsCode": "logistics_code", "logisticsName": "logistics_name", "logisticsNo": "logistics_no"}
_BUYER = {
    "buyerIdType": "buyer_id_type",
    "buyerIdNumber": "buyer_id_number",
    "buyerName": "buyer_name",
    "buyerTelephone": "buyer_phone",
}
_NUMBERS = {"copNo": "enterprise_ref_no", "preNo": "eport_no", "invtNo": "inventory_no"}
_AGENT = {"agentCode": "agent_code", "agentName": "agent_name"}
_RECEIPT = {
    "guid": "guid",
    "returnStatus": "status",
    "returnInfo": "info",
    "returnTime": "returned_at",
    "ebpCode": "platform_code",
    "ebcCode": "ecommerce_code",
    "orderNo": "order_no",
    "payCode": "payment_code",
    "payTransactionId": "payment_transaction_id",
    "logisticsCode": "logistics_code",
    "logisticsNo": "logistics_no",
    "logisticsStatus": "logistics_status",
    "customsCode": "customs_code",
    "agentCode": "agent_code",
    "operatorCode": "operator_code",
    "copNo": "enterprise_ref_no",
    "preNo": "eport_no",
    "invtNo": "inventory_no",
    "rkdNo": "entry_no",
}
_CANCEL = {
    **_DECLARATION,
    "customsCode": "customs_code",
    "orderNo": "order_no",
    **_PLATFORM,
    **_LOGISTICS,
    **_NUMBERS,
    **_BUYER,
    **_AGENT,
    "reason": "reason",
    "note": "note",
}

_GROUPS: dict[str, dict[str, str]] = {
    "BaseTransfer": {
        "copCode": "sender_code",
        "copName": "sender_name",
        "dxpMode": "exchange_mode",
        "dxpId": "exchange_id",
        "note": "note",
    },
    "BaseSubscribe": {"status": "status", "dxpMode": "exchange_mode", "dxpAddress": "exchange_address", "note": "note"},
    "OrderHead": {
        **_DECLARATION,
        "orderType": "order_type",
        "orderNo": "order_no",
        **_PLATFORM,
        "goodsValue": "goods_value",
        "freight": "freight",
        "discount": "discount",
        "taxTotal": "tax_total",
        "acturalPaid": "actual_paid",
        "currency": "currency",
        "buyerRegNo": "buyer_reg_no",
        "buyerName": "buyer_name",
        "buyerTelephone": "buyer_phone",
        "buyerIdType": "buyer_id_type",
        "buyerIdNumber": "buyer_id_number",
        "payCode": "payment_code",
        "payName": "payment_name",
        "payTransactionId": "payment_transaction_id",
        "batchNumbers": "batch_numbers",
        "consignee": "consignee",
        "consigneeTelephone": "consignee_phone",
        "consigneeAddress": "consignee_address",
        "consigneeDistrict": "consignee_district",
        "note": "note",
    },
    "OrderList": {
        "gnum": "line_no",
        "itemNo": "item_no",
        "itemName": "item_name",
        "gmodel": "specification",
        "itemDescribe": "item_description",
        "barCode": "bar_code",
        "unit": "unit",
        "qty": "quantity",
        "price": "unit_price",
        "totalPrice": "total_price",
        "currency": "currency",
        "country": "origin_country",
        "note": "note",
    },
    "PaymentHead": {
        **_DECLARATION,
        "payCode": "payment_code",
        "payName": "payment_name",
        "payTransactionId": "payment_transaction_id",
        "orderNo": "order_no",
        "ebpCode": "platform_code",
        "ebpName": "platform_name",
        "payerIdType": "payer_id_type",
        "payerIdNumber": "payer_id_number",
        "payerName": "payer_name",
        "telephone": "payer_phone",
        "amountPaid": "amount_paid",
        "currency": "currency",
        "payTime": "paid_at",
        "note": "note",
    },
    "LogisticsHead": {
        **_DECLARATION,
        **_LOGISTICS,
        "billNo": "bill_no",
        "orderNo": "order_no",
        "freight": "freight",
        "insuredFee": "insured_fee",
        "currency": "currency",
        "weight": "weight",
        "packNo": "pack_count",
        "goodsInfo": "goods_info",
        "consignee": "consignee",
        "consigneeAddress": "consignee_address",
        "consigneeTelephone": "consignee_phone",
        "note": "note",
    },
    "LogisticsStatus": {
        **_DECLARATION,
        **_LOGISTICS,
        "logisticsStatus": "logistics_status",
        "logisticsTime": "status_time",
        "note": "note",
    },
    "InventoryHead": {
        **_DECLARATION,
        "orderNo": "order_no",
        **_PLATFORM,
        **_LOGISTICS,
        **_NUMBERS,
        "assureCode": "guarantor_code",
        "emsNo": "account_book_no",
        "ieFlag": "direction",
        "declTime": "declared_on",
        "customsCode": "customs_code",
        "portCode": "port_code",
        "ieDate": "import_date",
        **_BUYER,
        "consigneeAddress": "consignee_address",
        **_AGENT,
        "areaCode": "warehouse_code",
        "areaName": "warehouse_name",
        "tradeMode": "trade_mode",
        "trafMode": "transport_mode",
        "trafNo": "transport_no",
        "voyageNo": "voyage_no",
        "billNo": "bill_no",
        "loctNo": "location_no",
        "licenseNo": "license_no",
        "country": "departure_country",
        "freight": "freight",
        "insuredFee": "insured_fee",
        "currency": "currency",
        "wrapType": "wrap_type",
        "packNo": "pack_count",
        "grossWeight": "gross_weight",
        "netWeight": "net_weight",
        "note": "note",
    },
    "InventoryList": {
        "gnum": "line_no",
        "itemRecordNo": "item_record_no",
        "itemNo": "item_no",
        "itemName": "item_name",
        "gcode": "hs_code",
        "gname": "goods_name",
        "gmodel": "specification",
        "barCode": "bar_code",
        "country": "origin_country",
        "tradeCountry": "trade_country",
        "currency": "currency",
        "qty": "quantity",
        "unit": "unit",
        "qty1": "legal_quantity",
        "unit1": "legal_unit",
        "qty2": "second_quantity",
        "unit2": "second_unit",
        "price": "unit_price",
        "totalPrice": "total_price",
        "note": "note",
    },
    "InvtCancel": _CANCEL,
    "InvtRefundHead": _CANCEL,
    "InvtRefundList": {
        "gnum": "line_no",
        "gcode": "hs_code",
        "gname": "goods_name",
        "qty": "quantity",
        "unit": "unit",
        "note": "note",
    },
    "DeliveryHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        "copNo": "enterprise_ref_no",
        "preNo": "eport_no",
        "rkdNo": "entry_no",
        "operatorCode": "operator_code",
        "operatorName": "operator_name",
        "ieFlag": "direction",
        "trafMode": "transport_mode",
        "trafNo": "transport_no",
        "voyageNo": "voyage_no",
        "billNo": "bill_no",
        "logisticsCode": "logistics_code",
        "logisticsName": "logistics_name",
        "unloadLocation": "unload_location",
        "note": "note",
    },
    "DeliveryList": {"gnum": "line_no", "logisticsNo": "logistics_no", "note": "note"},
    "OrderReturn": _RECEIPT,
    "PaymentReturn": _RECEIPT,
    "LogisticsReturn": _RECEIPT,
    "LogisticsStatusReturn": _RECEIPT,
    "InventoryReturn": _RECEIPT,
    "InvtCancelReturn": _RECEIPT,
    "InvtRefundReturn": _RECEIPT,
    "DeliveryReturn": _RECEIPT,
    "TaxHeadRd": {
        "guid": "guid",
        "returnTime": "returned_at",
        "invtNo": "inventory_no",
        "taxNo": "tax_no",
        "customsTax": "customs_duty",
        "valueAddedTax": "vat",
        "consumptionTax": "consumption_tax",
        "status": "status",
        "entDutyNo": "payment_doc_no",
        "note": "note",
        "assureCode": "guarantor_code",
        "ebcCode": "ecommerce_code",
        "logisticsCode": "logistics_code",
        "agentCode": "agent_code",
        "customsCode": "customs_code",
    },
    "TaxListRd": {
        "gnum": "line_no",
        "gcode": "hs_code",
        "taxPrice": "dutiable_value",
        "customsTax": "customs_duty",
        "valueAddedTax": "vat",
        "consumptionTax": "consumption_tax",
    },
    # CEB818 tax-bill status: same keys as the tax bill head (no codec function yet).
    "TaxHeadStatus": {
        "guid": "guid",
        "returnTime": "returned_at",
        "invtNo": "inventory_no",
        "taxNo": "tax_no",
        "status": "status",
        "entDutyNo": "payment_doc_no",
        "assureCode": "guarantor_code",
    },
    "MessageReturn": {
        "guid": "guid",
        "returnStatus": "status",
        "returnInfo": "info",
        "returnTime": "returned_at",
        "oriCopMsgId": "original_message_id",
        "oriMessageType": "original_message_type",
        "oriBizMessage": "original_message",
    },
}

GROUPS: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _GROUPS.items()})

# Groups of import messages deliberately left unmapped: free extension data (扩展自定义数据) is checked
# for shape and then dropped, since no document carries it.
UNMAPPED_GROUPS = frozenset({"ExtendMessage", "Message"})

# Official annotations that are copy-paste errors; the glossary shows the corrected text.
_DESCRIPTION_FIXES = {("PaymentHead", "payerName"): "支付人的真实姓名。"}


def english_name(group: str, ceb_name: str) -> str:
    """Return the English attribute path for a CEB element of a group; raise KeyError when unmapped."""
    return GROUPS[group][ceb_name]


def ceb_name(group: str, english: str) -> str:
    """Return the CEB element name for an English attribute path of a group; raise KeyError when unmapped."""
    for ceb, name in GROUPS[group].items():
        if name == english:
            return ceb
    raise KeyError(f"{group} has no element for {english}")


def _import_fields(edition: Edition) -> dict[str, dict[str, FieldSpec]]:
    out: dict[str, dict[str, FieldSpec]] = {}
    catalogue = field_catalogue(edition)
    for name in catalogue.names("import"):
        for _path, group in catalogue.message(name).walk():
            out.setdefault(group.name, {}).update({f.name: f for f in group.fields()})
    return out


def glossary_rows(edition: Edition = Edition.E202205) -> list[tuple[str, str, str]]:
    """Return (CEB name, English name, Chinese description) rows for the glossary, import then export, one per pair."""
    fields = _import_fields(edition)
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for group, mapping in GROUPS.items():
        for ceb, english in mapping.items():
            if (ceb, english) in seen:
                continue
            seen.add((ceb, english))
            spec = fields.get(group, {}).get(ceb)
            description = _DESCRIPTION_FIXES.get((group, ceb)) or (spec.description if spec else "")
            rows.append((ceb, english, description))
    for ceb, english, description in export_glossary_rows(edition):
        if (ceb, english) not in seen:
            seen.add((ceb, english))
            rows.append((ceb, english, description))
    return rows
