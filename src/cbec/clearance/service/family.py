"""Import clearance as a document family of intake (进口单证处理): CEB311 … CEB711 run through the clearance rules.

Intake has parsed, logged and authorised the message; this runs its documents in intake's transaction: the
working set is locked and read first, each document is refused (signature, party authority), acknowledged as a
draft that changes nothing, or handled; then the message's trade facts and new rows are written in bulk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from cbec.clearance import repository as repo
from cbec.clearance.models import (
    ArrivalParcel,
    ArrivalRecordRow,
    CancelRecord,
    InventoryRecord,
    OrderRecord,
    PaymentRecord,
    ReturnRecord,
    TaxBillRecord,
    WaybillRecord,
)
from cbec.clearance.service.arrivals import handle_arrival
from cbec.clearance.service.cancels import handle_cancel
from cbec.clearance.service.inventories import handle_inventory
from cbec.clearance.service.orders import handle_order, handle_payment, handle_waybill, handle_waybill_status
from cbec.clearance.service.returns import handle_return
from cbec.clearance.service.run import ImportRun, new_run, prepare
from cbec.clearance.service.signatures import acknowledge_draft, missing_signature, refuse_unverified
from cbec.clearance.views import tax_bill_from_row
from cbec.intake import DocumentFamily, Handled, IntakeRun
from cbec.intake.models import IssuedReceipt
from cbec.messages import ImportDocument, TaxBill
from cbec.messages.authority import draft_changes_nothing, draft_note
from cbec.messages.documents import (
    ArrivalRecord,
    CancelRequest,
    ImportOrder,
    Inventory,
    MessageType,
    Payment,
    ReturnRequest,
    Waybill,
    WaybillStatus,
)
from cbec.quota.models import QuantityEntry, QuotaEntry
from cbec.storage.bulk import copy_new_rows

# New rows an import message writes, loaded by COPY at its end on PostgreSQL (cbec.storage.bulk.copy_new_rows).
STORED_BY_COPY = (
    OrderRecord,
    PaymentRecord,
    WaybillRecord,
    InventoryRecord,
    ArrivalRecordRow,
    ArrivalParcel,
    CancelRecord,
    ReturnRecord,
    TaxBillRecord,
    QuotaEntry,
    QuantityEntry,
)
# The import side's message types (a receipt type sent in is refused by the parser before it gets here).
DECLARED = frozenset(t.value for t in MessageType)
# Each import document class to its handler (every class of ``ImportDocument``).
HANDLERS: dict[type, Callable[[ImportRun, Any], None]] = {
    ImportOrder: handle_order,
    Payment: handle_payment,
    Waybill: handle_waybill,
    WaybillStatus: handle_waybill_status,
    Inventory: handle_inventory,
    CancelRequest: handle_cancel,
    ReturnRequest: handle_return,
    ArrivalRecord: handle_arrival,
}


def handle_import_message(run: IntakeRun) -> Handled:
    """Run an import message's documents in intake's transaction (no commit)."""
    session, message = run.session, run.message
    work = new_run(
        run.ctx,
        session,
        run.now,
        run.message_id,
        transfer=message.transfer,
        signed=message.signed,
        authority=run.authority,
    )
    work.facts.defer()  # the message's trade facts are written once, after its documents (below)
    documents = [d for d in message.documents if isinstance(d, ImportDocument)]
    # Documents look rows up in the run's working set (their keys locked and rows read in a few set-based
    # queries first), which sees every change made so far: no flush before each query.
    prepare(work, documents)
    with session.no_autoflush:
        for document in documents:
            refusal = (
                run.unverified
                or run.authority.document_problems(document)
                or missing_signature(document, message.signed)
            )
            if refusal:
                refuse_unverified(work, document, refusal)
                continue
            if draft_changes_nothing(document):
                acknowledge_draft(work, document, draft_note())
                continue
            work.current_document = document  # its data event goes out with its first receipt
            HANDLERS[type(document)](work, document)
    work.facts.flush()  # its new trade facts in one COPY, its changes to earlier ones in one batch
    copy_new_rows(session, STORED_BY_COPY)  # the message's new documents, tax bills, quota entries
    session.flush()
    return Handled(
        receipts=list(work.receipts),
        tax_bills=[tax_bill_from_row(session, bill) for bill in work.tax_bills],
        documents=list(work.outcomes),
    )


def replay_tax_bills(session: Session, rows: Sequence[IssuedReceipt]) -> list[TaxBill]:
    """Return the tax bills of the inventories a message's stored receipts answered (for a resubmission)."""
    inventory_ids = [r.document_id for r in rows if r.document_kind == "inventory" and r.document_id is not None]
    return [tax_bill_from_row(session, bill) for bill in repo.tax_bills_of_message(session, inventory_ids)]


IMPORTS = DocumentFamily(
    name="import clearance (进口)",
    message_types=DECLARED,
    handle=handle_import_message,
    replay=replay_tax_bills,
)
