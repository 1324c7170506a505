"""The one place receipts are born (回执签发): every receipt of every document, import and export, with its events.

A receipt is kept aside as plain values by the receipts journal and written at commit with the transaction's
others in one statement (``cbec.audit.journal``); its outbox event (``cbec.sharing``) is written in the same
transaction, preceded by the data event of the declaration it answers when that declaration was just stored, so
agencies' feeds, webhooks and NATS see exactly the receipts that were committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import append, register_journal
from cbec.common.errors import Problem
from cbec.intake.models import IssuedReceipt
from cbec.messages.documents import MessageType, Receipt
from cbec.messages.export_documents import ExportMessageType
from cbec.sharing import emit_document, emit_receipt
from cbec.sharing.rules import receipt_business_key
from cbec.storage.bulk import Values

MAX_INFO = 1000
REFUSED = "100"  # 退单: the refusal status where no official negative code applies
RECEIPTS = "issued_receipt"
register_journal(RECEIPTS, None, IssuedReceipt)  # written once, never changed: no positions, no head

_EXPORT = frozenset(t.value for t in ExportMessageType)


@dataclass(slots=True)
class ReceiptBook:
    """Issues the receipts of one transaction: the journal row, the receipt event and the declaration's data event.

    ``declaration_of`` maps a receipt's message type to the declaration it answers (CEB312 → CEB311 …): the
    type of the data event that goes out before a declaration's first receipt.
    """

    session: Session
    now: datetime
    zone: str
    message_id: int | None
    declaration_of: Mapping[str, str]
    issued: list[Values] = field(default_factory=list)
    _published: set[str] = field(default_factory=set)
    _returned_at: str = field(init=False)  # the receipts' time as their events carry it: worked out once

    def __post_init__(self) -> None:
        self._returned_at = self.now.isoformat()

    def issue(
        self,
        kind: str,
        document_id: int | None,
        message_type: str,
        guid: str,
        status: str,
        info: str,
        keys: Mapping[str, Any],
        *,
        declaration: Callable[[], Mapping[str, Any]] | None = None,
    ) -> Values:
        """Issue a receipt; ``declaration`` gives the JSON twin of the declaration it answers, when just stored.

        The declaration's data event goes out once, before its first receipt; later receipts of the same
        declaration (a refusal after an acceptance, a release) carry only their own event.
        """
        kept = {k: v for k, v in keys.items() if v is not None}
        row = Values(
            message_type=message_type,
            document_kind=kind,
            document_id=document_id,
            guid=guid,
            status=str(status),
            info=info[:MAX_INFO],
            returned_at=self.now,
            keys=kept,
            message_id=self.message_id,
        )
        session = self.session
        append(session, RECEIPTS, row)
        self.issued.append(row)
        business_key = receipt_business_key(kind, kept, guid)  # the receipt's and its declaration's events
        if declaration is not None and document_id is not None and guid not in self._published:
            self._published.add(guid)
            emit_document(
                session,
                at=self.now,
                zone=self.zone,
                document_kind=kind,
                message_type=self.declaration_of.get(message_type, message_type),
                business_key=business_key,
                document=declaration(),
            )
        emit_receipt(
            session,
            at=self.now,
            zone=self.zone,
            document_kind=kind,
            message_type=message_type,
            guid=guid,
            status=row.status,
            info=row.info,
            keys=kept,
            business_key=business_key,
            returned_at=self._returned_at,
        )
        return row


def receipt_from_row(row: IssuedReceipt | Values) -> Receipt:
    """Return the receipt document of a stored receipt row (import or export)."""
    return Receipt(
        message_type=(
            ExportMessageType(row.message_type) if row.message_type in _EXPORT else MessageType(row.message_type)
        ),
        guid=row.guid,
        status=row.status,
        info=row.info,
        returned_at=row.returned_at,
        **row.keys,
    )


def refusal_text(problems: list[Problem]) -> str:
    """Render problems as returnInfo: [Code:n;Desc:...][Rule:...;Field:...;Hint:...] per problem, within MAX_INFO."""
    parts = [
        f"[Code:{p.code or p.rule_id};Desc:{p.message}][Rule:{p.rule_id};Field:{p.field};Hint:{p.hint}]"
        for p in problems
    ]
    joined = "".join(parts)
    if len(joined) <= MAX_INFO:
        return joined
    kept: list[str] = []
    for part in parts:
        if len("".join(kept)) + len(part) > MAX_INFO - 40:
            break
        kept.append(part)
    return "".join(kept) + f"…(+{len(parts) - len(kept)} more)"


def refusal_status(problems: list[Problem]) -> str:
    """Return the refusal status: the first negative official code, else 100 (退单)."""
    for p in problems:
        if p.code and p.code.startswith("-"):
            return p.code
    return REFUSED
