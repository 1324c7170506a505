"""Outbox events of clearance (通关事件): electronic tax bills, concluded inspections, and which declaration each
receipt type answers.

Receipts and their declarations' data events are written by intake's receipt book (cbec.intake.receipts).

Written in the transaction of the run that issues them (cbec.sharing): events exist exactly when
the receipts and documents they describe were committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.common.clock import business_date
from cbec.messages.documents import MessageType
from cbec.sharing import EventKind, emit_event

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


def publish_inspection(session: Session, inventory: InventoryRecord, *, passed: bool, now: datetime, zone: str) -> None:
    """Write the event of a concluded inspection (查验结果): released after inspection (passed) or refused (failed).

    Written before the decision's receipt, so a reader of the outbox knows of the inspection when the receipt
    follows. Only the officer's decision on an inventory under inspection (500) writes it: not the intake path.
    """
    emit_event(
        session,
        at=now,
        kind=EventKind.INSPECTION,
        document_type=MessageType.INVENTORY.value,
        business_key=f"inventory:{inventory.eport_no}",
        zone=inventory.customs_code or zone,
        parties=[inventory.platform_code, inventory.ecommerce_code, inventory.agent_code],
        status="passed" if passed else "failed",
        payload={
            "eport_no": inventory.eport_no,
            "inventory_no": inventory.inventory_no,
            "outcome": "passed" if passed else "failed",
            "ecommerce_code": inventory.ecommerce_code,
            "platform_code": inventory.platform_code,
            "agent_code": inventory.agent_code,
            "on": business_date(now).isoformat(),
        },
    )
