"""CEB element names ↔ English attribute names of the export messages (出口报文字段名称对照).

Import and export XSDs reuse group names (OrderHead, InventoryHead, InvtCancel, OrderReturn, ...) with
different content, so the export side has its own map, keyed the same way as ``names.GROUPS``: group ->
{CEB element: attribute of ``cbec.messages.export_documents`` (or of ``Receipt``)}. A dotted target
(``declaration.app_time``) lands in a nested object. A group whose only element maps to a plural attribute
(SummaryApplyList/invtNo -> inventory_nos) is a list of plain values, not of line objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from cbec.messages.documents import Edition
from cbec.messages.export_documents import ExportMessageType
from cbec.messages.fieldspec import FieldSpec, field_catalogue

_DECLARATION = {
    "guid": "declaration.guid",
    "appType": "declaration.app_type",
    "appTime": "declaration.app_time",
    "appStatus": "declaration.app_status",
}
_PLATFORM = {"ebpCode": "platform_code", "ebpName": "platform_name"}
_ECOMMERCE = {"ebcCode": "ecommerce_code", "ebcName": "ecommerce_name"}
_LOGISTICS = {"logisticsCode": "logistics_code", "logisticsName": "logistics_name"}
_AGENT = {"agentCode": "agent_code", "agentName": "agent_name"}
_NUMBERS = {"copNo": "enterprise_ref_no", "preNo": "eport_no"}
_SPLIT = {"msgCount": "message_count", "msgSeqNo": "message_seq_no"}
_TRANSPORT = {"trafMode": "transport_mode", "trafName": "transport_name", "voyageNo": "voyage_no", "billNo": "bill_no"}
_PARCEL = {"gnum": "line_no", "logisticsNo": "logistics_no", "totalPackageNo": "total_package_no", "note": "note"}
_RECEIPT = {
    "guid": "guid",
    "returnStatus": "status",
    "returnInfo": "info",
    "returnTime": "returned_at",
    "ebpCode": "platform_code",
    "ebcCode": "ecommerce_code",
    "orderNo": "order_no",
    "payNo": "payment_no",
    "logisticsCode": "logistics_code",
    "logisticsNo": "logistics_no",
    "operatorCode": "operator_code",
    "agentCode": "agent_code",
    "copNo": "enterprise_ref_no",
    "coElNo": "enterprise_ref_no",
    "preNo": "eport_no",
    "invtNo": "inventory_no",
    "billNo": "bill_no",
    "msgSeqNo": "message_seq_no",
    "statisticsFlag": "statistics_flag",
    "sumNo": "summary_no",
}


def _receipt(*elements: str) -> dict[str, str]:
    return {name: _RECEIPT[name] for name in ("guid", *elements, "returnStatus", "returnTime", "returnInfo")}


_GROUPS: dict[str, dict[str, str]] = {
    "BaseTransfer": {
        "copCode": "sender_code",
        "copName": "sender_name",
        "dxpMode": "exchange_mode",
        "dxpId": "exchange_id",
        "note": "note",
    },
    "BaseSubscribe": {"status": "status", "dxpMode": "exchange_mode", "dxpAddress": "exchange_address", "note": "note"},
    # CEB303 export order
    "OrderHead": {
        **_DECLARATION,
        "orderType": "order_type",
        "orderNo": "order_no",
        **_PLATFORM,
        **_ECOMMERCE,
        "goodsValue": "goods_value",
        "freight": "freight",
        "currency": "currency",
        "note": "note",
    },
    "OrderList": {
        "gnum": "line_no",
        "itemNo": "item_no",
        "itemName": "item_name",
        "itemDescribe": "item_description",
        "barCode": "bar_code",
        "unit": "unit",
        "currency": "currency",
        "qty": "quantity",
        "price": "unit_price",
        "totalPrice": "total_price",
        "note": "note",
    },
    # CEB403 receipt of payment
    "Receipts": {
        **_DECLARATION,
        **_PLATFORM,
        **_ECOMMERCE,
        "orderNo": "order_no",
        "payCode": "payment_code",
        "payName": "payment_name",
        "payNo": "payment_no",
        "charge": "amount",
        "currency": "currency",
        "accountingDate": "accounted_at",
        "note": "note",
    },
    # CEB505 export waybill
    "Logistics": {
        **_DECLARATION,
        **_LOGISTICS,
        "logisticsNo": "logistics_no",
        "freight": "freight",
        "insuredFee": "insured_fee",
        "currency": "currency",
        "grossWeight": "gross_weight",
        "packNo": "pack_count",
        "goodsInfo": "goods_info",
        "ebcCode": "ecommerce_code",
        "ebcName": "ecommerce_name",
        "ebcTelephone": "ecommerce_phone",
        "note": "note",
    },
    # CEB507 arrival
    "ArrivalHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_NUMBERS,
        "operatorCode": "operator_code",
        "operatorName": "operator_name",
        "loctNo": "location_no",
        "ieFlag": "direction",
        "trafMode": "transport_mode",
        "billNo": "bill_no",
        "domesticTrafNo": "domestic_transport_no",
        **_LOGISTICS,
        **_SPLIT,
        "note": "note",
    },
    "ArrivalList": _PARCEL,
    # CEB509 departure
    "DepartureHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_NUMBERS,
        **_LOGISTICS,
        **_TRANSPORT,
        "leaveTime": "left_at",
        **_SPLIT,
        "note": "note",
    },
    "DepartureList": _PARCEL,
    # CEB603 export inventory
    "InventoryHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_PLATFORM,
        "orderNo": "order_no",
        **_LOGISTICS,
        "logisticsNo": "logistics_no",
        **_NUMBERS,
        "invtNo": "inventory_no",
        "ieFlag": "direction",
        "portCode": "port_code",
        "ieDate": "export_date",
        "statisticsFlag": "statistics_flag",
        **_AGENT,
        **_ECOMMERCE,
        "ownerCode": "owner_code",
        "ownerName": "owner_name",
        "iacCode": "special_area_code",
        "iacName": "special_area_name",
        "emsNo": "account_book_no",
        "tradeMode": "trade_mode",
        **_TRANSPORT,
        "totalPackageNo": "total_package_no",
        "loctNo": "location_no",
        "licenseNo": "license_no",
        "country": "destination_country",
        "POD": "discharge_port",
        "freight": "freight",
        "fCurrency": "freight_currency",
        "fFlag": "freight_mark",
        "insuredFee": "insured_fee",
        "iCurrency": "insurance_currency",
        "iFlag": "insurance_mark",
        "wrapType": "wrap_type",
        "packNo": "pack_count",
        "grossWeight": "gross_weight",
        "netWeight": "net_weight",
        "note": "note",
    },
    "InventoryList": {
        "gnum": "line_no",
        "itemNo": "item_no",
        "itemRecordNo": "item_record_no",
        "itemName": "item_name",
        "gcode": "hs_code",
        "gname": "goods_name",
        "gmodel": "specification",
        "barCode": "bar_code",
        "country": "destination_country",
        "currency": "currency",
        "qty": "quantity",
        "qty1": "legal_quantity",
        "qty2": "second_quantity",
        "unit": "unit",
        "unit1": "legal_unit",
        "unit2": "second_unit",
        "price": "unit_price",
        "totalPrice": "total_price",
        "note": "note",
    },
    # CEB605 cancel
    "InvtCancel": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_NUMBERS,
        "invtNo": "inventory_no",
        "reason": "reason",
        **_AGENT,
        **_ECOMMERCE,
        "note": "note",
    },
    # CEB607 master bill
    "WayBillHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_NUMBERS,
        **_AGENT,
        "loctNo": "location_no",
        **_TRANSPORT,
        "domesticTrafNo": "domestic_transport_no",
        "grossWeight": "gross_weight",
        **_LOGISTICS,
        **_SPLIT,
        "note": "note",
    },
    "WayBillList": {**_PARCEL, "invtNo": "inventory_no"},
    # CEB213 export return
    "InvtRefundHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        "loctNo": "location_no",
        **_PLATFORM,
        **_ECOMMERCE,
        "logisticsNo": "logistics_no",
        **_LOGISTICS,
        "coElNo": "enterprise_ref_no",
        "preNo": "eport_no",
        "invtNo": "inventory_no",
        "tradeMode": "trade_mode",
        **_AGENT,
        "billNo": "bill_no",
        "ieFlag": "direction",
        "trafMode": "transport_mode",
        "trafName": "transport_name",
        "portCode": "port_code",
        "reason": "reason",
        "country": "country",
        "voyageNo": "voyage_no",
        "note": "note",
    },
    "InvtRefundList": {
        "gnum": "line_no",
        "gcode": "hs_code",
        "gname": "goods_name",
        "gmodel": "specification",
        "qty": "quantity",
        "qty1": "legal_quantity",
        "unit": "unit",
        "unit1": "legal_unit",
        "qty2": "second_quantity",
        "unit2": "second_unit",
        "note": "note",
    },
    # CEB215 return tally
    "InvtRefundDetail": {
        **_DECLARATION,
        "customsCode": "customs_code",
        "operatorCode": "operator_code",
        "operatorName": "operator_name",
        **_LOGISTICS,
        "logisticsNo": "logistics_no",
        "invtNo": "inventory_no",
        "coElNo": "enterprise_ref_no",
        "preNo": "eport_no",
        "billNo": "bill_no",
        "ieFlag": "direction",
        "trafMode": "transport_mode",
        "trafName": "transport_name",
        "voyageNo": "voyage_no",
        "location": "location",
        "note": "note",
    },
    # CEB701 summary application
    "SummaryApplyHead": {
        **_DECLARATION,
        "customsCode": "customs_code",
        **_NUMBERS,
        "sumNo": "summary_no",
        **_AGENT,
        **_ECOMMERCE,
        "declAgentCode": "declaring_agent_code",
        "declAgentName": "declaring_agent_name",
        "startTime": "start_time",
        "endTime": "end_time",
        "loctNo": "location_no",
        "summaryFlag": "summary_flag",
        "itemNameFlag": "item_name_flag",
        **_SPLIT,
        "note": "note",
    },
    "SummaryApplyList": {"invtNo": "inventory_nos"},
    # CEB792 summary result
    "SummaryResultHead": {
        "guid": "guid",
        "customsCode": "customs_code",
        "sumNo": "summary_no",
        "opDate": "operated_at",
        "declSeqNo": "declaration_seq_no",
        "decTmpNo": "declaration_temp_no",
        "decPreNo": "declaration_pre_no",
        "entryId": "entry_id",
        "decState": "declaration_state",
        **_AGENT,
        **_ECOMMERCE,
        "declAgentCode": "declaring_agent_code",
        "declAgentName": "declaring_agent_name",
        "grossWeight": "gross_weight",
        "netWeight": "net_weight",
        **_SPLIT,
        "note": "note",
    },
    "SummaryResultList": {
        "invtNo": "inventory_no",
        "logisticsNo": "logistics_no",
        "gseqno": "goods_seq_no",
        "gnum": "line_no",
        "gcode": "hs_code",
    },
    # receipts
    "OrderReturn": _receipt("ebpCode", "ebcCode", "orderNo"),
    "ReceiptsReturn": _receipt("ebcCode", "orderNo", "payNo"),
    "LogisticsReturn": _receipt("logisticsCode", "logisticsNo"),
    "ArrivalReturn": _receipt("operatorCode", "logisticsCode", "preNo", "copNo", "billNo", "msgSeqNo"),
    "DepartureReturn": _receipt("logisticsCode", "copNo", "preNo", "msgSeqNo"),
    "InventoryReturn": _receipt(
        "agentCode", "copNo", "preNo", "invtNo", "ebcCode", "ebpCode", "orderNo", "statisticsFlag"
    ),
    "InvtCancelReturn": _receipt("agentCode", "copNo", "preNo", "invtNo"),
    "WayBillReturn": _receipt("agentCode", "logisticsCode", "copNo", "preNo", "billNo", "msgSeqNo"),
    "RefundReturn": _receipt("ebpCode", "ebcCode", "agentCode", "coElNo", "preNo", "invtNo"),
    "InvtRefundDetailReturn": _receipt("operatorCode", "logisticsCode", "logisticsNo", "coElNo", "preNo"),
    "SummaryReturn": _receipt("agentCode", "ebcCode", "copNo", "preNo", "sumNo", "msgSeqNo"),
}

EXPORT_GROUPS: Mapping[str, Mapping[str, str]] = MappingProxyType({k: MappingProxyType(v) for k, v in _GROUPS.items()})

# Groups of export messages deliberately left unmapped: free extension data (扩展自定义数据) is checked
# for shape and then dropped, since no document carries it.
UNMAPPED_EXPORT_GROUPS = frozenset({"ExtendMessage", "Message"})

# Receipt message type -> its return element (one per receipted document).
EXPORT_RECEIPT_GROUPS: Mapping[ExportMessageType, str] = MappingProxyType(
    {
        ExportMessageType.ORDER_RECEIPT: "OrderReturn",
        ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT: "ReceiptsReturn",
        ExportMessageType.WAYBILL_RECEIPT: "LogisticsReturn",
        ExportMessageType.ARRIVAL_RECEIPT: "ArrivalReturn",
        ExportMessageType.DEPARTURE_RECEIPT: "DepartureReturn",
        ExportMessageType.INVENTORY_RECEIPT: "InventoryReturn",
        ExportMessageType.CANCEL_RECEIPT: "InvtCancelReturn",
        ExportMessageType.MASTER_BILL_RECEIPT: "WayBillReturn",
        ExportMessageType.RETURN_RECEIPT: "RefundReturn",
        ExportMessageType.RETURN_TALLY_RECEIPT: "InvtRefundDetailReturn",
        ExportMessageType.SUMMARY_APPLICATION_RECEIPT: "SummaryReturn",
    }
)

# Declaration message type -> the receipt message answering it.
EXPORT_RECEIPT_FOR: Mapping[ExportMessageType, ExportMessageType] = MappingProxyType(
    {
        ExportMessageType.ORDER: ExportMessageType.ORDER_RECEIPT,
        ExportMessageType.PAYMENT_RECEIPT_NOTE: ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
        ExportMessageType.WAYBILL: ExportMessageType.WAYBILL_RECEIPT,
        ExportMessageType.ARRIVAL: ExportMessageType.ARRIVAL_RECEIPT,
        ExportMessageType.DEPARTURE: ExportMessageType.DEPARTURE_RECEIPT,
        ExportMessageType.INVENTORY: ExportMessageType.INVENTORY_RECEIPT,
        ExportMessageType.CANCEL: ExportMessageType.CANCEL_RECEIPT,
        ExportMessageType.MASTER_BILL: ExportMessageType.MASTER_BILL_RECEIPT,
        ExportMessageType.RETURN: ExportMessageType.RETURN_RECEIPT,
        ExportMessageType.RETURN_TALLY: ExportMessageType.RETURN_TALLY_RECEIPT,
        ExportMessageType.SUMMARY_APPLICATION: ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
    }
)


# Official annotations that are copy-paste errors; the glossary shows the corrected text.
_DESCRIPTION_FIXES = {
    (
        "SummaryApplyHead",
        "endTime",
    ): "汇总结束时间-汇总指定时间范围的清单，格式:YYYYMMDDhhmmss。填写须成对，结束时间须大于等于开始时间。",
    ("InventoryHead", "iacName"): "区内企业名称-特殊区域内仓储企业的名称，特殊区域出口模式必填",
}


def export_english_name(group: str, ceb_name: str) -> str:
    """Return the English attribute path for a CEB element of an export group; raise KeyError when unmapped."""
    return EXPORT_GROUPS[group][ceb_name]


def export_ceb_name(group: str, english: str) -> str:
    """Return the CEB element name for an English attribute of an export group; raise KeyError when unmapped."""
    for ceb, name in EXPORT_GROUPS[group].items():
        if name == english:
            return ceb
    raise KeyError(f"{group} has no element for {english}")


def _export_fields(edition: Edition) -> dict[str, dict[str, FieldSpec]]:
    out: dict[str, dict[str, FieldSpec]] = {}
    catalogue = field_catalogue(edition)
    for name in catalogue.names("export"):
        for _path, group in catalogue.message(name).walk():
            out.setdefault(group.name, {}).update({f.name: f for f in group.fields()})
    return out


def export_glossary_rows(edition: Edition = Edition.E202205) -> list[tuple[str, str, str]]:
    """Return (CEB name, English name, Chinese description) rows of the export map, one per distinct pair."""
    fields = _export_fields(edition)
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for group, mapping in EXPORT_GROUPS.items():
        for ceb, english in mapping.items():
            if (ceb, english) in seen:
                continue
            seen.add((ceb, english))
            spec = fields.get(group, {}).get(ceb)
            description = _DESCRIPTION_FIXES.get((group, ceb)) or (spec.description if spec else "")
            rows.append((ceb, english, description))
    return rows
