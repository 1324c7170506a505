"""Exports as a document family of intake (出口单证处理): CEB303 … CEB701 run through the export rules.

Intake has parsed, logged, verified and authorised the message (a failed signature refuses an export message
as a whole, before it is logged); this runs its documents in intake's transaction: the working set is locked and
read first (``store``), each document is refused (party authority), acknowledged as a draft that changes nothing,
or handled; then the message's trade facts and new rows are written in bulk.
"""

from __future__ import annotations

from cbec.exports.models import (
    DepartureRecord,
    ExportArrivalRecord,
    ExportInventoryLine,
    ExportInventoryRecord,
    ExportOrderRecord,
    ExportParcel,
    ExportWaybillRecord,
    MasterBillRecord,
    PaymentReceiptNoteRecord,
)
from cbec.exports.service.dispatch import handle
from cbec.exports.service.run import ExportRun, acknowledge_draft, fact_book, refuse_unhandled, working_set
from cbec.intake import DocumentFamily, Handled, IntakeRun
from cbec.messages.authority import draft_changes_nothing, draft_note
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
)
from cbec.storage.bulk import copy_new_rows

EXPORT_TYPES = frozenset(t.value for t in ExportMessageType)
# Documents whose handlers look rows up in the run's working set only; the others (cancels, returns, tallies,
# summary applications) query the store, which is first brought up to date with what the message did so far.
FROM_WORKING_SET = (
    ExportOrder,
    PaymentReceiptNote,
    ExportWaybill,
    ExportInventory,
    ExportArrival,
    MasterBill,
    Departure,
)
# New rows an export message writes, loaded by COPY at its end on PostgreSQL (cbec.storage.bulk.copy_new_rows).
STORED_BY_COPY = (
    ExportOrderRecord,
    PaymentReceiptNoteRecord,
    ExportWaybillRecord,
    ExportInventoryRecord,
    ExportInventoryLine,
    ExportArrivalRecord,
    MasterBillRecord,
    DepartureRecord,
    ExportParcel,
)


def handle_export_message(run: IntakeRun) -> Handled:
    """Run an export message's documents in intake's transaction (no commit)."""
    message = run.message
    export_run = ExportRun(
        ctx=run.ctx,
        session=run.session,
        now=run.now,
        message_id=run.message_id,
        transfer=message.transfer,
        authority=run.authority,
        batch=max(1, len(message.documents)),
    )
    fact_book(export_run).defer()  # the message's trade facts are written once, after its documents (below)
    session = run.session
    # Documents look rows up in the run's working set (their keys locked and rows read in a few set-based
    # queries first), which sees every change made so far: no flush before each look-up.
    working_set(export_run).prepare(message.documents)
    with session.no_autoflush:
        for document in message.documents:
            refusal = run.authority.document_problems(document)
            if refusal:
                refuse_unhandled(export_run, document, refusal)
            elif draft_changes_nothing(document):
                acknowledge_draft(export_run, document, draft_note())
            else:
                export_run.current_document = document
                if not isinstance(document, FROM_WORKING_SET):
                    session.flush()
                handle(export_run, document)
    fact_book(export_run).flush()  # its new trade facts in one COPY, its changes to earlier ones in one batch
    copy_new_rows(session, STORED_BY_COPY)  # the message's new documents, lines and parcel entries
    session.flush()
    return Handled(receipts=list(export_run.receipts), tax_bills=[], documents=list(export_run.outcomes))


EXPORTS = DocumentFamily(
    name="exports (出口)",
    message_types=EXPORT_TYPES,
    handle=handle_export_message,
    unsigned_refuses_message=True,
)
