"""Message intake (报文接收), below the document domains: one path for every message, import and export.

Message log and replay, sender and party authority, signature checks, the one place receipts are born
(``receipts``), and the handler table through which the composition root plugs the document families in.
"""

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
from cbec.intake.pipeline import IngestResult, format_info, ingest_message
from cbec.intake.receipts import ReceiptBook, receipt_from_row
from cbec.intake.retry import KeysChanged
from cbec.intake.senders import SenderNotAllowed, sender_authority, visible_sender

__all__ = [
    "DocumentFamily",
    "DocumentOutcome",
    "Handled",
    "HandlerTable",
    "IngestResult",
    "IntakeNotAssembled",
    "IntakeRun",
    "KeysChanged",
    "ReceiptBook",
    "SenderNotAllowed",
    "assemble",
    "format_info",
    "handler_table",
    "ingest_message",
    "new_guid",
    "receipt_from_row",
    "sender_authority",
    "visible_sender",
]
