"""Message intake use case (报文接收): CEB XML or DxpMsg in, receipts and tax bills out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cbec.clearance import repository as repo
from cbec.clearance.models import IssuedReceipt, MessageRecord, TaxBillRecord
from cbec.clearance.service.aftercare import MessageProcessor
from cbec.clearance.service.processor import DocumentOutcome, new_guid
from cbec.clearance.views import receipt_from_row, tax_bill_from_row
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.messages import (
    CodeTables,
    FormatReceipt,
    Receipt,
    TaxBill,
    is_envelope,
    open_envelope,
    parse_message,
)
from cbec.messages.documents import Edition
from cbec.reference import code_tables
from cbec.storage.context import Context


@dataclass(slots=True)
class IngestResult:
    """What the platform answered to one message."""

    message_type: str
    outcome: str  # processed | duplicate | format_error
    receipts: list[Receipt] = field(default_factory=list)
    tax_bills: list[TaxBill] = field(default_factory=list)
    format_receipt: FormatReceipt | None = None
    documents: list[DocumentOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False


class _DryRunDone(Exception):
    """Raised to roll a preflight back after it has computed everything."""


def ingest_message(
    ctx: Context,
    raw: bytes,
    *,
    source_name: str | None = None,
    dry_run: bool = False,
    edition: Edition | None = None,
) -> IngestResult:
    """Process one CEB message (or DxpMsg envelope) in one transaction; with dry_run nothing is stored."""
    now = ctx.clock.now()
    envelope_id: str | None = None
    payload = raw
    format_problems: list[Problem] = []
    if is_envelope(raw):
        try:
            envelope = open_envelope(raw, max_bytes=ctx.settings.max_message_bytes)
            payload, envelope_id = envelope.payload, envelope.message_id
        except ValueError as exc:
            format_problems = list(getattr(exc, "problems", [])) or [
                Problem(
                    "FMT-ENVELOPE",
                    "DxpMsg",
                    f"传输报文无法解析 / envelope unreadable: {exc}",
                    "Send a DxpMsg with a base64 Data element, or the bare CEB XML.",
                )
            ]
    digest = hashlib.sha256(raw).hexdigest()
    with ctx.uow() as uow:
        session = uow.session
        earlier = None if dry_run else repo.message_by_hash(session, digest)
        if earlier is not None and earlier.outcome == "processed":
            return _replay(session, earlier)
        tables: CodeTables = code_tables(session, business_date(now))
        outcome = None
        if not format_problems:
            outcome = parse_message(
                payload,
                edition=edition or Edition(ctx.settings.edition),
                code_tables=tables,
                max_bytes=ctx.settings.max_message_bytes,
            )
            format_problems = outcome.problems
        if format_problems or outcome is None or outcome.message is None:
            receipt = FormatReceipt(
                guid=new_guid(),
                status="-1",
                info=_format_info(format_problems),
                returned_at=now,
                original_message_id=envelope_id or "",
                original_message_type=(outcome.message_type if outcome else "Unknown") or "Unknown",
                original_message=payload[:4000].decode("utf-8", errors="replace"),
            )
            if not dry_run and earlier is None:
                session.add(
                    MessageRecord(
                        sha256=digest,
                        message_type=receipt.original_message_type[:20],
                        message_guid=outcome.guid if outcome else None,
                        envelope_id=envelope_id,
                        source_name=source_name,
                        document_count=0,
                        outcome="format_error",
                        received_at=now,
                    )
                )
                uow.commit()
            return IngestResult(
                receipt.original_message_type,
                "format_error",
                format_receipt=receipt,
                problems=format_problems,
                dry_run=dry_run,
            )
        message = outcome.message
        # A preflight leaves no trace, not even the message log (the same bytes may be ingested later).
        record = (
            None
            if dry_run
            else MessageRecord(
                sha256=digest,
                message_type=message.message_type.value,
                message_guid=message.guid,
                sender_code=message.transfer.sender_code,
                envelope_id=envelope_id,
                source_name=source_name,
                document_count=len(message.documents),
                outcome="processed",
                received_at=now,
            )
        )
        if record is not None:
            session.add(record)
            session.flush()
        processor = MessageProcessor(
            ctx=ctx,
            session=session,
            now=now,
            message_id=record.id if record is not None else None,
            transfer=message.transfer,
            signed=message.signed,
        )
        for document in message.documents:
            processor.handle(document)
        session.flush()
        result = IngestResult(
            message.message_type.value,
            "processed",
            receipts=[receipt_from_row(row) for row in processor.receipts],
            tax_bills=[tax_bill_from_row(session, bill) for bill in processor.tax_bills],
            documents=processor.outcomes,
            dry_run=dry_run,
        )
        if dry_run:
            uow.rollback()
            return result
        uow.commit()
        return result


def _format_info(problems: list[Problem]) -> str:
    """Render format problems as CEB900 returnInfo."""
    text = "".join(f"[{p.rule_id};{p.field};{p.message};{p.hint}]" for p in problems)
    return text[:5000] if text else "报文格式错误 / message format error"


def _replay(session: object, earlier: MessageRecord) -> IngestResult:
    """Answer a message received before with the receipts it produced then (idempotent resubmission)."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    rows: list[IssuedReceipt] = repo.receipts_of_message(session, earlier.id)
    inventory_ids = [r.document_id for r in rows if r.document_kind == "inventory" and r.document_id is not None]
    bills: list[TaxBillRecord] = repo.tax_bills_of_message(session, inventory_ids)
    return IngestResult(
        earlier.message_type,
        "duplicate",
        receipts=[receipt_from_row(row) for row in rows],
        tax_bills=[tax_bill_from_row(session, bill) for bill in bills],
    )
