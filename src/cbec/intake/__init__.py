"""Message intake (报文接收), below the document domains: one path for every message, import and export.

Message log and replay, sender and party authority, signature checks, the one place receipts are born
(``receipts``) and their vocabulary (``codes``: receipt statuses and document states; ``declarations``: the
rules every declaration follows, import or export), and the handler table through which the composition root
plugs the document families in.
"""

from cbec.intake.batch import IntakeBatcher, Outcome, Submission, ingest_batch
from cbec.intake.codes import STATUS_TEXT, DocumentState, ReturnStatus
from cbec.intake.declarations import change_problems, original_problems, party_problems, problem
from cbec.intake.handlers import (
    DocumentFamily,
    DocumentOutcome,
    Handled,
    HandlerTable,
    IntakeNotAssembled,
    IntakeRun,
    assemble,
    handler_table,
    new_guid,
)
from cbec.intake.number_blocks import bind_number_blocks
from cbec.intake.pipeline import IngestResult, format_info, ingest_message
from cbec.intake.receipts import ReceiptBook, receipt_from_row
from cbec.intake.retry import KeysChanged
from cbec.intake.senders import SenderNotAllowed, sender_authority, visible_sender

__all__ = [
    "STATUS_TEXT",
    "DocumentFamily",
    "DocumentOutcome",
    "DocumentState",
    "Handled",
    "HandlerTable",
    "IngestResult",
    "IntakeBatcher",
    "IntakeNotAssembled",
    "IntakeRun",
    "KeysChanged",
    "Outcome",
    "ReceiptBook",
    "ReturnStatus",
    "SenderNotAllowed",
    "Submission",
    "assemble",
    "bind_number_blocks",
    "change_problems",
    "format_info",
    "handler_table",
    "ingest_batch",
    "ingest_message",
    "new_guid",
    "original_problems",
    "party_problems",
    "problem",
    "receipt_from_row",
    "sender_authority",
    "visible_sender",
]
