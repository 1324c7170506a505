"""Message intake (报文接收): CEB XML or a DxpMsg envelope in, receipts and tax bills out, in one transaction.

The walk of one message: open the envelope → digest and message log (a resubmission answers with its stored
receipts) → parse and check the format (CEB900 on failure) → sender check → signature check → log the message
→ party authority → the document family of its type (``cbec.intake.handlers``) runs its documents → commit.
``POST /ceb``, the web upload and ``cbec ingest`` all come through ``ingest_message``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.intake.handlers import DocumentOutcome, IntakeRun, handler_table, new_guid
from cbec.intake.log import message_by_hash, receipts_of_message
from cbec.intake.models import MessageRecord
from cbec.intake.receipts import receipt_from_row
from cbec.intake.retry import retried
from cbec.intake.senders import check_sender, sender_authority, visible_sender
from cbec.intake.signatures import signature_problems
from cbec.messages import FormatReceipt, Receipt, TaxBill, looks_like_envelope, open_envelope, parse_message
from cbec.messages.documents import Edition
from cbec.reference import code_tables
from cbec.storage.context import Context
from cbec.storage.upsert import insert_ignore_returning_id

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


@retried
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
    with ctx.uow() as uow:
        result = ingest_in(
            ctx, uow.session, raw, source_name=source_name, dry_run=dry_run, edition=edition, senders=senders
        )
        if dry_run:
            uow.rollback()
        else:
            uow.commit()
        return result


def ingest_in(
    ctx: Context,
    session: Session,
    raw: bytes,
    *,
    source_name: str | None = None,
    dry_run: bool = False,
    edition: Edition | None = None,
    senders: frozenset[str] | None = None,
) -> IngestResult:
    """Process one message in the caller's transaction, which commits it (or, for a preflight, rolls it back).

    A message that is refused as a whole leaves its log row (CEB900); one processed before is answered with its
    stored receipts; a preflight writes nothing the caller may keep.
    """
    table = handler_table()
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
    # A preflight reads the log first: bytes already ingested are answered with their receipts, as stored. A
    # real message learns it from its own log row (below), one statement instead of two.
    if dry_run:
        earlier = message_by_hash(session, digest)
        if earlier is not None and earlier.outcome == "processed":
            check_sender(earlier.sender_code, senders)
            stored = _replay(session, earlier)
            stored.dry_run = True
            return stored
    outcome = None
    if not format_problems:
        outcome = parse_message(
            payload,
            edition=edition or Edition(ctx.settings.edition),
            code_tables=code_tables(session, business_date(now)),
            max_bytes=ctx.settings.max_message_bytes,
        )
        format_problems = outcome.problems
    if format_problems or outcome is None or outcome.message is None:
        message_type = (outcome.message_type if outcome else "Unknown") or "Unknown"
        # The sender check comes before anything is logged: a message that fails to parse but visibly names
        # another sender (its copCode) leaves no trace either.
        if senders is not None:
            check_sender(visible_sender(payload), senders, unknown_ok=True)
        if not dry_run:
            entry = LogEntry(digest, message_type, outcome.guid if outcome else None, None, envelope_id, source_name)
            if _log(session, entry, "format_error", 0, now) is None:
                replayed = _replay_earlier(session, digest, senders)
                if replayed is not None:  # processed once (its reference data has changed since): as stored
                    return replayed
        return _refused(message_type, "format_error", format_problems, payload, envelope_id, now, dry_run)
    message = outcome.message
    check_sender(message.transfer.sender_code, senders)
    family = table.family_of(message.message_type.value)
    unverified = signature_problems(ctx, session, message, payload, now)
    if unverified and family.unsigned_refuses_message:
        replayed = None if dry_run else _replay_earlier(session, digest, senders)
        if replayed is not None:  # processed once (its certificate has lapsed since): as stored
            return replayed
        return _refused(message.message_type.value, "signature_error", unverified, payload, envelope_id, now, dry_run)
    # A preflight leaves no trace, not even the message log (the same bytes may be ingested later).
    message_id: int | None = None
    if not dry_run:
        entry = LogEntry(
            digest, message.message_type.value, message.guid, message.transfer.sender_code, envelope_id, source_name
        )
        message_id = _log(session, entry, "processed", len(message.documents), now)
        if message_id is None:
            # The same bytes were logged before, or by a concurrent transaction that has committed meanwhile
            # (the log row's unique digest made this one wait): answer as they were answered.
            earlier = message_by_hash(session, digest)
            assert earlier is not None  # the insert found the digest taken
            if earlier.outcome == "processed":
                check_sender(earlier.sender_code, senders)
                return _replay(session, earlier)
            message_id = _reuse_format_error(session, earlier.id, entry, len(message.documents), now)
    # Party authority (申报主体): each document must be declared by a party the sender may act for; changes,
    # deletions, cancels and returns also by a party of the original (checked by the family's handlers).
    run = IntakeRun(
        ctx=ctx,
        session=session,
        now=now,
        message_id=message_id,
        message=message,
        authority=sender_authority(session, message.transfer.sender_code, now),
        unverified=unverified,
    )
    handled = family.handle(run)
    session.flush()
    result = IngestResult(
        message.message_type.value,
        "processed",
        receipts=[receipt_from_row(row) for row in handled.receipts],
        tax_bills=handled.tax_bills,
        documents=handled.documents,
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
    return result


def _refused(
    message_type: str,
    outcome: str,
    problems: list[Problem],
    payload: bytes,
    envelope_id: str | None,
    now: datetime,
    dry_run: bool,
) -> IngestResult:
    """Answer a message refused as a whole with one format receipt (CEB900 status -1)."""
    receipt = FormatReceipt(
        guid=new_guid(),
        status="-1",
        info=format_info(problems),
        returned_at=now,
        original_message_id=envelope_id or "",
        original_message_type=message_type,
        original_message=payload[:4000].decode("utf-8", errors="replace"),
    )
    return IngestResult(message_type, outcome, format_receipt=receipt, problems=problems, dry_run=dry_run)


def format_info(problems: list[Problem]) -> str:
    """Render format problems as CEB900 returnInfo."""
    text = "".join(f"[{p.rule_id};{p.field};{p.message};{p.hint}]" for p in problems)
    return text[:5000] if text else "报文格式错误 / message format error"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What the message log keeps of a message's bytes."""

    digest: str
    message_type: str
    guid: str | None
    sender: str | None
    envelope_id: str | None
    source: str | None

    def values(self, outcome: str, documents: int, at: datetime) -> dict[str, object]:
        """Return the log row's column values."""
        return {
            "sha256": self.digest,
            "message_type": self.message_type[:20],
            "message_guid": self.guid,
            "sender_code": self.sender,
            "envelope_id": self.envelope_id,
            "source_name": self.source,
            "document_count": documents,
            "outcome": outcome,
            "received_at": at,
        }


def _log(session: Session, entry: LogEntry, outcome: str, documents: int, at: datetime) -> int | None:
    """Write the message's log row unless its bytes are logged already; return its id, or None (one statement)."""
    return insert_ignore_returning_id(session, MessageRecord, entry.values(outcome, documents, at), ["sha256"])


def _replay_earlier(session: Session, digest: str, senders: frozenset[str] | None) -> IngestResult | None:
    """Answer bytes processed before with their stored receipts (idempotent resubmission); None if not processed."""
    earlier = message_by_hash(session, digest)
    if earlier is None or earlier.outcome != "processed":
        return None
    check_sender(earlier.sender_code, senders)
    return _replay(session, earlier)


def _reuse_format_error(session: Session, message_id: int, entry: LogEntry, documents: int, at: datetime) -> int:
    """Take over the log row of bytes that once failed the format check and parse now (reference data changed)."""
    session.execute(
        update(MessageRecord).where(MessageRecord.id == message_id).values(**entry.values("processed", documents, at))
    )
    return message_id


def _replay(session: Session, earlier: MessageRecord) -> IngestResult:
    """Answer a message received before with the receipts it produced then (idempotent resubmission)."""
    rows = receipts_of_message(session, earlier.id)
    family = handler_table().by_type.get(earlier.message_type)
    return IngestResult(
        earlier.message_type,
        "duplicate",
        receipts=[receipt_from_row(row) for row in rows],
        tax_bills=family.replay(session, rows) if family is not None else [],
    )
