"""The answers to a message (回执报文): receipts, tax bills and format receipt as CEB XML, in the zone's edition.

``POST /ceb``, ``cbec ingest`` and the benchmarks render through here, so an answer is the same whichever way a
message came in, and the edition configured for the zone (``CBEC_EDITION``) is honoured everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cbec.intake.pipeline import IngestResult
from cbec.messages import receipt_message_type, render_format_receipt, render_receipts, render_tax_bills
from cbec.messages.documents import Edition, MessageType, Receipt
from cbec.messages.export_documents import ExportMessageType

PER_MESSAGE = 100  # the most return elements (or tax bills) one CEB answer message carries


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer message: its type, the guid of its first element, its XML (signed when a signer is given)."""

    message_type: str
    guid: str
    xml: bytes


def _identity(xml: bytes) -> bytes:
    return xml


def answers(result: IngestResult, edition: Edition, sign: Callable[[bytes], bytes] = _identity) -> list[Answer]:
    """Return every answer message of a result: receipts by type, 100 a message, then tax bills, then a CEB900."""
    found: list[Answer] = []
    by_type: dict[str, list[Receipt]] = {}
    for receipt in result.receipts:
        by_type.setdefault(receipt.message_type.value, []).append(receipt)
    for message_type, receipts in by_type.items():
        for start in range(0, len(receipts), PER_MESSAGE):
            chunk = receipts[start : start + PER_MESSAGE]
            found.append(Answer(message_type, chunk[0].guid, sign(render_receipts(chunk, edition=edition))))
    for start in range(0, len(result.tax_bills), PER_MESSAGE):
        bills = result.tax_bills[start : start + PER_MESSAGE]
        xml = sign(render_tax_bills(bills, edition=edition))
        found.append(Answer(MessageType.TAX_BILL.value, bills[0].guid, xml))
    if result.format_receipt is not None:
        refusal = result.format_receipt
        xml = sign(render_format_receipt(refusal, edition=edition))
        found.append(Answer(MessageType.FORMAT_RECEIPT.value, refusal.guid, xml))
    return found


def declaration_receipt_type(message_type: str) -> str | None:
    """Return the receipt type that answers a declaration type (CEB311 → CEB312, CEB303 → CEB304), if any."""
    for family in (MessageType, ExportMessageType):
        try:
            return receipt_message_type(family(message_type)).value
        except ValueError:
            continue
    return None


def direct_answer(result: IngestResult, edition: Edition, sign: Callable[[bytes], bytes] = _identity) -> Answer | None:
    """Return the one answer a synchronous sender gets: the CEB900 of a refused message, else the receipts of its
    own declaration type (the first 100; other receipts, e.g. a release after 三单对碰, reach it by the feeds)."""
    if result.format_receipt is not None:
        receipt = result.format_receipt
        return Answer(
            MessageType.FORMAT_RECEIPT.value, receipt.guid, sign(render_format_receipt(receipt, edition=edition))
        )
    wanted = declaration_receipt_type(result.message_type)
    own = [r for r in result.receipts if r.message_type.value == wanted][:PER_MESSAGE]
    if not own:
        return None
    return Answer(own[0].message_type.value, own[0].guid, sign(render_receipts(own, edition=edition)))


def result_json(result: IngestResult) -> dict[str, Any]:
    """Return a JSON report of an ingest result."""
    return {
        "message_type": result.message_type,
        "outcome": result.outcome,
        "dry_run": result.dry_run,
        "problems": [p.as_dict() for p in result.problems],
        "documents": [
            {
                "kind": d.kind,
                "key": d.key,
                "status": d.status,
                "note": d.note,
                "problems": [p.as_dict() for p in d.problems],
            }
            for d in result.documents
        ],
        "receipts": [
            {
                "message_type": r.message_type.value,
                "status": r.status,
                "info": r.info,
                "guid": r.guid,
                "inventory_no": r.inventory_no,
                "order_no": r.order_no,
                "logistics_no": r.logistics_no,
            }
            for r in result.receipts
        ],
        "tax_bills": [
            {
                "inventory_no": b.inventory_no,
                "tax_no": b.tax_no,
                "customs_duty": str(b.customs_duty),
                "vat": str(b.vat),
                "consumption_tax": str(b.consumption_tax),
                "status": b.status,
            }
            for b in result.tax_bills
        ],
    }
