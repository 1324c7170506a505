"""Exports as a document family of intake (出口单证处理): CEB303 … CEB701 run through the export rules.

Intake has parsed, logged, verified and authorised the message (a failed signature refuses an export message
as a whole, before it is logged); this runs its documents in intake's transaction and writes their trade facts.
"""

from __future__ import annotations

from cbec.exports.service.aftercare import ExportMessageProcessor
from cbec.intake import DocumentFamily, Handled, IntakeRun
from cbec.messages.authority import draft_changes_nothing, draft_note
from cbec.messages.export_documents import ExportMessageType

EXPORT_TYPES = frozenset(t.value for t in ExportMessageType)


def handle_export_message(run: IntakeRun) -> Handled:
    """Run an export message's documents in intake's transaction (no commit)."""
    message = run.message
    processor = ExportMessageProcessor(
        ctx=run.ctx,
        session=run.session,
        now=run.now,
        message_id=run.message_id,
        transfer=message.transfer,
        signed=message.signed,
    )
    processor.authority = run.authority
    processor.facts.defer()  # the message's trade facts are written once, after its documents (below)
    for document in message.documents:
        refusal = run.authority.document_problems(document)
        if refusal:
            processor.refuse_unhandled(document, refusal)
        elif draft_changes_nothing(document):
            processor.acknowledge_draft(document, draft_note())
        else:
            processor.current_document = document
            processor.handle(document)
    processor.facts.flush()
    run.session.flush()
    return Handled(receipts=list(processor.receipts), tax_bills=[], documents=list(processor.outcomes))


EXPORTS = DocumentFamily(
    name="exports (出口)",
    message_types=EXPORT_TYPES,
    handle=handle_export_message,
    unsigned_refuses_message=True,
)
