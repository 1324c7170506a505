"""Exports as a document family of intake (出口单证处理): CEB303 … CEB701 run through the export rules.

Intake has parsed, logged, verified and authorised the message (a failed signature refuses an export message
as a whole, before it is logged); this runs its documents in intake's transaction and writes their trade facts.
"""

from __future__ import annotations

from cbec.exports.service.dispatch import handle
from cbec.exports.service.run import ExportRun, acknowledge_draft, fact_book, refuse_unhandled
from cbec.intake import DocumentFamily, Handled, IntakeRun
from cbec.messages.authority import draft_changes_nothing, draft_note
from cbec.messages.export_documents import ExportMessageType

EXPORT_TYPES = frozenset(t.value for t in ExportMessageType)


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
    )
    fact_book(export_run).defer()  # the message's trade facts are written once, after its documents (below)
    for document in message.documents:
        refusal = run.authority.document_problems(document)
        if refusal:
            refuse_unhandled(export_run, document, refusal)
        elif draft_changes_nothing(document):
            acknowledge_draft(export_run, document, draft_note())
        else:
            export_run.current_document = document
            handle(export_run, document)
    fact_book(export_run).flush()
    run.session.flush()
    return Handled(receipts=list(export_run.receipts), tax_bills=[], documents=list(export_run.outcomes))


EXPORTS = DocumentFamily(
    name="exports (出口)",
    message_types=EXPORT_TYPES,
    handle=handle_export_message,
    unsigned_refuses_message=True,
)
