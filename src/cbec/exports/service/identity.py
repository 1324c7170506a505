"""What an export document is called in its receipt (出口单证回执标识): kind, receipt type, outcome key, keys.

Used to answer a document that no handler runs: one refused before handling (party authority) or a draft that
changes nothing. The keys are those the handlers put in the same receipts.
"""

from __future__ import annotations

from collections.abc import Callable

from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportReturn,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
)

Keys = dict[str, str | int | None]
Identity = tuple[str, ExportMessageType, str, Keys]


def export_identity(document: object, eport_number: Callable[[], str]) -> Identity:
    """Return kind, receipt message type, outcome key and receipt keys of an export document."""
    if isinstance(document, ExportOrder):
        keys: Keys = {
            "platform_code": document.platform_code,
            "ecommerce_code": document.ecommerce_code,
            "order_no": document.order_no,
        }
        return "order", ExportMessageType.ORDER_RECEIPT, f"{document.platform_code}/{document.order_no}", keys
    if isinstance(document, PaymentReceiptNote):
        keys = {
            "ecommerce_code": document.ecommerce_code,
            "order_no": document.order_no,
            "payment_no": document.payment_no,
        }
        key = f"{document.ecommerce_code}/{document.order_no}"
        return "payment_receipt", ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT, key, keys
    if isinstance(document, ExportWaybill):
        keys = {"logistics_code": document.logistics_code, "logistics_no": document.logistics_no}
        key = f"{document.logistics_code}/{document.logistics_no}"
        return "waybill", ExportMessageType.WAYBILL_RECEIPT, key, keys
    if isinstance(document, ExportInventory):
        keys = {
            "agent_code": document.agent_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "eport_no": eport_number(),
            "inventory_no": None,
            "ecommerce_code": document.ecommerce_code,
            "platform_code": document.platform_code,
            "order_no": document.order_no,
        }
        key = f"{document.ecommerce_code}/{document.order_no}"
        return "inventory", ExportMessageType.INVENTORY_RECEIPT, key, keys
    if isinstance(document, ExportArrival):
        keys = {
            "operator_code": document.operator_code,
            "logistics_code": document.logistics_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "bill_no": document.bill_no or "",
            "message_seq_no": document.message_seq_no,
        }
        key = f"{document.operator_code}/{document.enterprise_ref_no}"
        return "arrival", ExportMessageType.ARRIVAL_RECEIPT, key, keys
    if isinstance(document, MasterBill):
        keys = {
            "agent_code": document.agent_code,
            "logistics_code": document.logistics_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "bill_no": document.bill_no,
            "message_seq_no": document.message_seq_no,
        }
        return "master_bill", ExportMessageType.MASTER_BILL_RECEIPT, f"{document.agent_code}/{document.bill_no}", keys
    if isinstance(document, Departure):
        keys = {
            "logistics_code": document.logistics_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "message_seq_no": document.message_seq_no,
        }
        key = f"{document.logistics_code}/{document.enterprise_ref_no}"
        return "departure", ExportMessageType.DEPARTURE_RECEIPT, key, keys
    if isinstance(document, ExportCancel):
        keys = {
            "agent_code": document.agent_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "eport_no": document.eport_no or eport_number(),
            "inventory_no": document.inventory_no,
        }
        return "cancel", ExportMessageType.CANCEL_RECEIPT, document.inventory_no, keys
    if isinstance(document, ExportReturn):
        keys = {
            "platform_code": document.platform_code,
            "ecommerce_code": document.ecommerce_code,
            "agent_code": document.agent_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "eport_no": document.eport_no or eport_number(),
            "inventory_no": document.inventory_no,
        }
        return "return", ExportMessageType.RETURN_RECEIPT, document.inventory_no, keys
    if isinstance(document, ReturnTally):
        keys = {
            "operator_code": document.operator_code,
            "logistics_code": document.logistics_code,
            "logistics_no": document.logistics_no,
            "enterprise_ref_no": document.enterprise_ref_no,
            "eport_no": document.eport_no or eport_number(),
        }
        key = f"{document.logistics_code}/{document.logistics_no}"
        return "tally", ExportMessageType.RETURN_TALLY_RECEIPT, key, keys
    if isinstance(document, SummaryApplication):
        keys = {
            "agent_code": document.agent_code,
            "ecommerce_code": document.ecommerce_code,
            "enterprise_ref_no": document.enterprise_ref_no,
            "eport_no": document.eport_no or eport_number(),
            "message_seq_no": document.message_seq_no,
        }
        key = f"{document.ecommerce_code}/{document.enterprise_ref_no}"
        return "summary", ExportMessageType.SUMMARY_APPLICATION_RECEIPT, key, keys
    raise TypeError(f"not an export declaration: {type(document).__name__}")
