"""Message intake use case (报文接收): CEB XML or DxpMsg in, receipts and tax bills out."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec

from sqlalchemy.exc import DBAPIError, IntegrityError

from cbec.clearance import repository as repo
from cbec.clearance.models import (
    ArrivalParcel,
    ArrivalRecordRow,
    CancelRecord,
    InventoryRecord,
    IssuedReceipt,
    MessageRecord,
    OrderRecord,
    PaymentRecord,
    ReturnRecord,
    TaxBillRecord,
    WaybillRecord,
)
from cbec.clearance.service.aftercare import MessageProcessor
from cbec.clearance.service.authority import sender_authority
from cbec.clearance.service.processor import DocumentOutcome, new_guid
from cbec.clearance.service.signatures import (
    acknowledge_draft,
    missing_signature,
    refuse_unverified,
    signature_problems,
)
from cbec.clearance.service.store import KeysChanged
from cbec.clearance.views import receipt_from_row, tax_bill_from_row
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import OutOfScope
from cbec.exports.service.intake import ExportMessageProcessor, is_export_message
from cbec.messages import (
    CodeTables,
    FormatReceipt,
    ImportDocument,
    Receipt,
    TaxBill,
    looks_like_envelope,
    open_envelope,
    parse_message,
)
from cbec.messages.authority import draft_changes_nothing, draft_note
from cbec.messages.documents import Edition
from cbec.quota.models import QuantityEntry, QuotaEntry
from cbec.reference import code_tables
from cbec.storage.bulk import copy_new_rows
from cbec.storage.context import Context

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
log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestResult:
    """What the platform answered to one message."""

    message_type: str
    outcome: str  # processed | duplicate | format_error | signature_error
    receipts: list[Receipt] = field(default_factory=list)
    tax_bills: list[TaxBill] = field(default_factory=list)
    format_receipt: FormatReceipt | None = None
    documents: list[DocumentOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False


class SenderNotAllowed(OutOfScope):
    """The message's transmitting enterprise (BaseTransfer copCode) is not the caller nor delegated to it."""


_COP_CODE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?copCode>\s*([^<\s]{1,40})\s*</", re.ASCII)


def visible_sender(payload: bytes) -> str | None:
    """Return the BaseTransfer copCode of a message that may not parse, when it is plainly there (else None)."""
    found = _COP_CODE.search(payload[-65536:]) or _COP_CODE.search(payload[:65536])
    return found.group(1).decode("ascii", errors="replace") if found else None


def _check_sender(sender: str | None, senders: frozenset[str] | None, *, unknown_ok: bool = False) -> None:
    if senders is None or (sender or "").strip().upper() in senders:
        return
    if unknown_ok and sender is None:
        return
    raise SenderNotAllowed(
        f"you may not send messages as {sender}",
        problems=[
            Problem(
                "AUTH-SENDER",
                "BaseTransfer.copCode",
                f"传输企业 {sender} 与认证身份不符 / the sender {sender} is not you nor an enterprise you declare for",
                "Put your own customs code in BaseTransfer copCode, or ask the enterprise to delegate "
                "message submission (ceb.submit) to you.",
            )
        ],
        sender=sender or "",
    )


class _DryRunDone(Exception):
    """Raised to roll a preflight back after it has computed everything."""


P = ParamSpec("P")
ATTEMPTS = 8
DIGEST_CONSTRAINT = "uq_ceb_message_sha256"


def _transient(exc: BaseException) -> bool:
    """Tell whether a failed transaction may simply be run again.

    A deadlock or serialization failure, a changed lock set, or the same message committed meanwhile by a
    concurrent transaction (its digest is unique: run again, this one finds it and replays its receipts).
    """
    if isinstance(exc, KeysChanged):
        return True
    if isinstance(exc, IntegrityError) and _duplicate_digest(exc):
        return True
    # SQLSTATE 40P01 deadlock_detected and 40001 serialization_failure (standard codes, any driver that has them).
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in {"40P01", "40001"}


def _duplicate_digest(exc: IntegrityError) -> bool:
    """Tell whether a unique violation is the message log's digest (PostgreSQL names it; SQLite says it)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return bool(diag.constraint_name == DIGEST_CONSTRAINT)
    return "ceb_message.sha256" in str(exc.orig)


def _retried(use_case: Callable[P, IngestResult]) -> Callable[P, IngestResult]:
    """Run a message's transaction again when the database broke a lock cycle or its lock set changed.

    The transaction was rolled back as a whole, so running it again is safe; ingest_message is a pure function of
    the message and the stored state.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> IngestResult:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return use_case(*args, **kwargs)
            except (DBAPIError, KeysChanged) as exc:
                if attempt == ATTEMPTS or not _transient(exc):
                    raise
                log.info("message transaction run again (attempt %d): %s", attempt + 1, type(exc).__name__)
                time.sleep(random.uniform(0, 0.01 * attempt))
        raise AssertionError("unreachable")

    return run


@_retried
def ingest_message(
    ctx: Context,
    raw: bytes,
    *,
    source_name: str | None = None,
    dry_run: bool = False,
    edition: Edition | None = None,
    senders: frozenset[str] | None = None,
) -> IngestResult:
    """Process one CEB message (or DxpMsg envelope) in one transaction; with dry_run nothing is stored.

    ``senders`` (when given) are the enterprise codes the caller may transmit as: a message whose BaseTransfer
    names anyone else is refused with ``SenderNotAllowed`` and nothing is stored.
    """
    now = ctx.clock.now()
    envelope_id: str | None = None
    payload = raw
    format_problems: list[Problem] = []
    # One full parse of an envelope (open_envelope's), not two: its first element tells it apart.
    if looks_like_envelope(raw, max_bytes=ctx.settings.max_message_bytes):
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
        # The same bytes sent twice at once (a retry after a timeout, two senders): the second one's message-log
        # row waits on the first one's unique digest until that commits, fails, and its transaction runs again
        # (_retried), now finding the first and answering with its receipts.
        earlier = repo.message_by_hash(session, digest)
        if earlier is not None and earlier.outcome == "processed":
            _check_sender(earlier.sender_code, senders)
            replayed = _replay(session, earlier)  # a preflight of bytes already ingested: their receipts, as stored
            replayed.dry_run = dry_run
            return replayed
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
            # The sender check comes before anything is logged: a message that fails to parse but visibly names
            # another sender (its copCode) leaves no trace either.
            if senders is not None:
                _check_sender(visible_sender(payload), senders, unknown_ok=True)
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
        _check_sender(message.transfer.sender_code, senders)
        unverified = signature_problems(ctx, session, message, payload, now)
        if unverified and is_export_message(message.message_type):
            return IngestResult(
                message.message_type.value,
                "signature_error",
                format_receipt=FormatReceipt(
                    guid=new_guid(),
                    status="-1",
                    info=_format_info(unverified),
                    returned_at=now,
                    original_message_id=envelope_id or "",
                    original_message_type=message.message_type.value,
                    original_message=payload[:4000].decode("utf-8", errors="replace"),
                ),
                problems=unverified,
                dry_run=dry_run,
            )
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
        # Export messages (CEB303-701) run through the exports processor in the same transaction.
        processor_type = ExportMessageProcessor if is_export_message(message.message_type) else MessageProcessor
        processor = processor_type(
            ctx=ctx,
            session=session,
            now=now,
            message_id=record.id if record is not None else None,
            transfer=message.transfer,
            signed=message.signed,
        )
        # Party authority (申报主体): each document must be declared by a party the sender may act for; changes,
        # deletions, cancels and returns also by a party of the original (checked by the handlers).
        authority = sender_authority(session, message.transfer.sender_code, now)
        processor.authority = authority
        processor.facts.defer()  # the message's trade facts are written once, after its documents (below)
        # Import documents look rows up in the processor's working set (their keys locked and rows read in a
        # few set-based queries first), which sees every change made so far: no flush before each query.
        importing = isinstance(processor, MessageProcessor)
        if isinstance(processor, MessageProcessor):
            processor.prepare([d for d in message.documents if isinstance(d, ImportDocument)])
        with session.no_autoflush if importing else contextlib.nullcontext():
            for document in message.documents:
                if isinstance(processor, ExportMessageProcessor):
                    refusal = authority.document_problems(document)
                    if refusal:
                        processor.refuse_unhandled(document, refusal)
                    elif draft_changes_nothing(document):
                        processor.acknowledge_draft(document, draft_note())
                    else:
                        processor.current_document = document
                        processor.handle(document)
                else:
                    assert isinstance(document, ImportDocument)  # an import message carries import documents
                    refusal = (
                        unverified
                        or authority.document_problems(document)
                        or missing_signature(document, message.signed)
                    )
                    if refusal:
                        refuse_unverified(processor, document, refusal)
                        continue
                    if draft_changes_nothing(document):
                        acknowledge_draft(processor, document, draft_note())
                        continue
                    processor.current_document = document  # its data event goes out with its first receipt
                    processor.handle(document)
        processor.facts.flush()  # its new trade facts in one COPY, its changes to earlier ones in one batch
        if importing:
            copy_new_rows(session, STORED_BY_COPY)  # the message's new documents, tax bills, quota entries
        session.flush()
        result = IngestResult(
            message.message_type.value,
            "processed",
            receipts=[receipt_from_row(row) for row in processor.receipts],
            tax_bills=[tax_bill_from_row(session, bill) for bill in processor.tax_bills],
            documents=[DocumentOutcome(o.kind, o.key, o.status, o.problems, o.note) for o in processor.outcomes],
            dry_run=dry_run,
        )
        log.info(
            "%s %s from %s: %d documents, %d receipts, %d tax bills%s",
            message.message_type.value,
            message.guid,
            message.transfer.sender_code,
            len(message.documents),
            len(result.receipts),
            len(result.tax_bills),
            " (preflight)" if dry_run else "",
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
