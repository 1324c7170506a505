"""What a missing or failed signature means for import documents (验签失败): refusal receipts, drafts.

The message itself is verified by intake (``cbec.intake.signatures``).

The whole message is signed (enveloped XML-DSig), so a failed check refuses every document in it with
the signature problems (SIG-DIGEST, SIG-VALUE, SIG-CERT-UNTRUSTED …), under the document's own
验签失败 code where customs has one (-301020 orders, -621029 inventories, -623029 cancels); nothing
of it is stored but its refusal receipts.
"""

from __future__ import annotations

import logging

from cbec.clearance import repository as repo
from cbec.clearance.codes import ReturnStatus
from cbec.clearance.service.run import ImportRun, eport_number, issue, record, refuse_document
from cbec.common.errors import Problem
from cbec.intake import problem
from cbec.messages.documents import (
    AppStatus,
    ArrivalRecord,
    CancelRequest,
    ImportDocument,
    ImportOrder,
    Inventory,
    MessageType,
    Payment,
    ReturnRequest,
    Waybill,
    WaybillStatus,
)

log = logging.getLogger(__name__)

SIGNATURE_FAILED_CODE = {"order": "-301020", "inventory": "-621029", "cancel": "-623029"}


def missing_signature(document: ImportDocument, signed: bool) -> list[Problem]:
    """R10 for cancels, returns and arrivals: declared (appStatus 2) they must be signed (inventories: rules.R10)."""
    if signed or not isinstance(document, CancelRequest | ReturnRequest | ArrivalRecord):
        return []
    if document.declaration.app_status != AppStatus.DECLARED:
        return []
    return [
        problem(
            "R10",
            "message.signature",
            "申报状态的单证必须加签",
            "a declared cancel, return or arrival (appStatus 2) must carry a digital signature",
            "Sign the message with the declaring enterprise's registered certificate before sending.",
        )
    ]


def refuse_unverified(run: ImportRun, document: ImportDocument, problems: list[Problem]) -> None:
    """Refuse one document of a message whose signature is missing or failed, storing nothing but the receipt."""
    kind, receipt_type, key, keys = _identity(run, document)
    code = SIGNATURE_FAILED_CODE.get(kind)
    coded = [Problem(p.rule_id, p.field, p.message, p.hint, code or p.code, p.severity) for p in problems]
    run.current_document = document
    refuse_document(run, kind, None, receipt_type, document.declaration.guid, key, coded, keys)


def acknowledge_draft(run: ImportRun, document: ImportDocument, note: str) -> None:
    """Answer a draft (appStatus 1) that changes nothing with a 暂存 receipt (status 1); nothing is stored."""
    kind, receipt_type, key, keys = _identity(run, document)
    run.current_document = document
    issue(run, kind, None, receipt_type, document.declaration.guid, ReturnStatus.DRAFT, note, **keys)
    record(run, kind, key, ReturnStatus.DRAFT, note="draft: nothing changed")


def _identity(run: ImportRun, document: ImportDocument) -> tuple[str, MessageType, str, dict[str, str | None]]:
    """Return kind, receipt type, outcome key and receipt keys of a document, as its handler would."""
    keys: dict[str, str | None]
    if isinstance(document, ImportOrder):
        keys = {
            "platform_code": document.platform_code,
            "ecommerce_code": document.ecommerce_code,
            "order_no": document.order_no,
        }
        return "order", MessageType.ORDER_RECEIPT, f"{document.platform_code}/{document.order_no}", keys
    if isinstance(document, Payment):
        keys = {"payment_code": document.payment_code, "payment_transaction_id": document.payment_transaction_id}
        key = f"{document.payment_code}/{document.payment_transaction_id}"
        return "payment", MessageType.PAYMENT_RECEIPT, key, keys
    if isinstance(document, Waybill):
        keys = {"logistics_code": document.logistics_code, "logistics_no": document.logistics_no}
        return "waybill", MessageType.WAYBILL_RECEIPT, f"{document.logistics_code}/{document.logistics_no}", keys
    if isinstance(document, WaybillStatus):
        keys = {
            "logistics_code": document.logistics_code,
            "logistics_no": document.logistics_no,
            "logistics_status": document.logistics_status,
        }
        key = f"{document.logistics_code}/{document.logistics_no}"
        return "waybill_status", MessageType.WAYBILL_STATUS_RECEIPT, key, keys
    if isinstance(document, Inventory):
        keys = {
            "customs_code": document.customs_code,
            "platform_code": document.platform_code,
            "ecommerce_code": document.ecommerce_code,
            "agent_code": document.agent_code,
            "enterprise_ref_no": document.enterprise_ref_no or document.order_no[:20],
            "eport_no": eport_number(run),  # the E-port numbers every declaration it receives
            "inventory_no": None,
        }
        key = f"{document.ecommerce_code}/{document.order_no}"
        return "inventory", MessageType.INVENTORY_RECEIPT, key, keys
    if isinstance(document, CancelRequest | ReturnRequest):
        inventory = repo.inventory_by_number(run.session, document.inventory_no)
        keys = {
            "customs_code": document.customs_code,
            "agent_code": document.agent_code,
            "platform_code": document.platform_code,
            "ecommerce_code": document.ecommerce_code,
            "enterprise_ref_no": document.enterprise_ref_no or document.inventory_no,
            "eport_no": inventory.eport_no if inventory is not None else eport_number(run),
            "inventory_no": inventory.inventory_no if inventory is not None else None,
        }
        if isinstance(document, CancelRequest):
            return "cancel", MessageType.CANCEL_RECEIPT, document.inventory_no, keys
        return "return", MessageType.RETURN_RECEIPT, document.inventory_no, keys
    keys = {
        "customs_code": document.customs_code,
        "operator_code": document.operator_code,
        "enterprise_ref_no": document.enterprise_ref_no,
        "eport_no": document.eport_no,
    }
    return "arrival", MessageType.ARRIVAL_RECEIPT, f"{document.operator_code}/{document.bill_no}", keys
