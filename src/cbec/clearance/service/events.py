"""Outbox events of clearance (通关事件): receipts, the declarations they answer, electronic tax bills.

Written in the transaction of the processor that issues them (cbec.sharing): events exist exactly when
the receipts and documents they describe were committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.intake.models import IssuedReceipt
from cbec.messages.documents import ImportDocument, MessageType
from cbec.messages.json_twin import document_to_json
from cbec.sharing import EventKind, emit_document, emit_event, emit_receipt
from cbec.sharing.rules import receipt_business_key
from cbec.storage.bulk import Values

DECLARATION_OF = {
    MessageType.ORDER_RECEIPT.value: MessageType.ORDER.value,
    MessageType.PAYMENT_RECEIPT.value: MessageType.PAYMENT.value,
    MessageType.WAYBILL_RECEIPT.value: MessageType.WAYBILL.value,
    MessageType.WAYBILL_STATUS_RECEIPT.value: MessageType.WAYBILL_STATUS.value,
    MessageType.INVENTORY_RECEIPT.value: MessageType.INVENTORY.value,
    MessageType.CANCEL_RECEIPT.value: MessageType.CANCEL.value,
    MessageType.RETURN_RECEIPT.value: MessageType.RETURN.value,
    MessageType.ARRIVAL_RECEIPT.value: MessageType.ARRIVAL.value,
}


def publish_receipt(
    session: Session,
    row: IssuedReceipt | Values,
    *,
    now: datetime,
    zone: str,
    stored: ImportDocument | None,
    twin: Mapping[str, Any] | None = None,
) -> None:
    """Write a receipt's event, preceded by the data event of the declaration it stored (if any).

    ``twin`` is the stored declaration's JSON twin when the caller has it already (it is not changed here).
    """
    if stored is not None:
        emit_document(
            session,
            at=now,
            zone=zone,
            document_kind=row.document_kind,
            message_type=DECLARATION_OF.get(row.message_type, row.message_type),
            business_key=receipt_business_key(row.document_kind, row.keys, row.guid),
            document=twin if twin is not None else document_to_json(stored),
        )
    emit_receipt(
        session,
        at=now,
        zone=zone,
        document_kind=row.document_kind,
        message_type=row.message_type,
        guid=row.guid,
        status=row.status,
        info=row.info,
        keys=row.keys,
    )


def publish_tax_bill(
    session: Session, bill: TaxBillRecord, inventory: InventoryRecord, *, now: datetime, zone: str
) -> None:
    """Write the event of an issued or voided electronic tax bill (CEB816), ordered with its inventory."""
    emit_event(
        session,
        at=now,
        kind=EventKind.TAX_BILL,
        document_type=MessageType.TAX_BILL.value,
        business_key=f"inventory:{inventory.eport_no}",
        zone=inventory.customs_code or zone,
        parties=[inventory.platform_code, inventory.ecommerce_code, inventory.agent_code, inventory.logistics_code],
        status=bill.status,
        payload={
            "tax_no": bill.tax_no,
            "inventory_no": inventory.inventory_no,
            "status": bill.status,
            "customs_duty": format(bill.customs_duty, "f"),
            "vat": format(bill.vat, "f"),
            "consumption_tax": format(bill.consumption_tax, "f"),
            "returned_at": now.isoformat(),
        },
    )
