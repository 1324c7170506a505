"""One run of the export handlers (出口报文处理) and what every handler uses: receipts, party checks, numbers, payloads.

Receipts are stored in the shared ``issued_receipt`` table with the same returnInfo layout as imports
(``[Code:n;Desc:…][Rule:…;Field:…;Hint:…]``), so replay of a resubmitted message works for both sides.
Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from cbec import intake
from cbec.audit import record_audit
from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.enterprises import EnterpriseRef, find_active_by_code
from cbec.exports.codes import FOREIGN_PLATFORM
from cbec.exports.service.identity import export_identity
from cbec.exports.service.reference import cny_per_unit
from cbec.exports.service.store import ExportWorkingSet
from cbec.facts import FactBook
from cbec.intake import STATUS_TEXT, DocumentOutcome, DocumentState, ReceiptBook, ReturnStatus, numbers
from cbec.intake.receipts import refusal_status, refusal_text
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import AppStatus, AppType, Transfer
from cbec.messages.export_documents import ExportMessageType
from cbec.messages.json_twin import document_class, document_from_stored_json, document_to_json
from cbec.storage.bulk import Values
from cbec.storage.context import Context
from cbec.storage.ids import add_with_id

ACTOR = "platform"
# The declaration each export receipt answers (its data event's document type).
DECLARATION_OF = {
    ExportMessageType.ORDER_RECEIPT.value: ExportMessageType.ORDER.value,
    ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT.value: ExportMessageType.PAYMENT_RECEIPT_NOTE.value,
    ExportMessageType.WAYBILL_RECEIPT.value: ExportMessageType.WAYBILL.value,
    ExportMessageType.ARRIVAL_RECEIPT.value: ExportMessageType.ARRIVAL.value,
    ExportMessageType.DEPARTURE_RECEIPT.value: ExportMessageType.DEPARTURE.value,
    ExportMessageType.INVENTORY_RECEIPT.value: ExportMessageType.INVENTORY.value,
    ExportMessageType.CANCEL_RECEIPT.value: ExportMessageType.CANCEL.value,
    ExportMessageType.MASTER_BILL_RECEIPT.value: ExportMessageType.MASTER_BILL.value,
    ExportMessageType.RETURN_RECEIPT.value: ExportMessageType.RETURN.value,
    ExportMessageType.RETURN_TALLY_RECEIPT.value: ExportMessageType.RETURN_TALLY.value,
    ExportMessageType.SUMMARY_APPLICATION_RECEIPT.value: ExportMessageType.SUMMARY_APPLICATION.value,
}
T = TypeVar("T")


def _foreign_platform(field_name: str, code: str) -> bool:
    """A foreign platform without a Chinese code (CEB304 annotation) needs no filing."""
    return code == FOREIGN_PLATFORM and field_name.endswith("platform_code")


def seal(document: Any) -> str:
    """Return the JSON twin of an export document as text (export documents hold no personal data)."""
    return json.dumps(document_to_json(document), ensure_ascii=False)


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


_DECLARED_AS: dict[type, ExportMessageType | None] = {}


def _declared_as(cls: type) -> ExportMessageType | None:
    """Return the message type that declares documents of a class (None for a class no declaration carries)."""
    if cls not in _DECLARED_AS:
        types = [ExportMessageType(name) for name in sorted(set(DECLARATION_OF.values()))]
        _DECLARED_AS[cls] = next((t for t in types if document_class(t) is cls), None)
    return _DECLARED_AS[cls]


def unseal(cls: type[T], payload: str) -> T:
    """Return the export document stored in a payload.

    A declaration is read back as cbec stored it (``document_from_stored_json``: no scan for unknown keys, naive
    times looked for only where they may be).
    """
    message_type = _declared_as(cls)
    if message_type is not None:
        found: T = document_from_stored_json(message_type, json.loads(payload))
        return found
    document: T = _adapter(cls).validate_python(json.loads(payload))  # type: ignore[arg-type]
    return _aware(document)


def _aware(value: Any) -> Any:
    """Return the document with naive datetimes read as Asia/Shanghai local time."""
    import dataclasses

    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, tuple):
        return tuple(_aware(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _aware(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return value


@dataclass(slots=True)
class ExportRun:
    """One run of the export handlers in one transaction: a message's documents, or an officer's or a summary's action.

    Plain state: what the run works in (context, session, clock reading, message), what it collects (receipts,
    one outcome per document) and what it caches (parties, the receipt book, the fact book). The handlers and
    the helpers below take it as their first argument; nothing here commits.
    """

    ctx: Context
    session: Session
    now: datetime
    message_id: int | None
    transfer: Transfer | None = None
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    receipts: list[Values] = field(default_factory=list)
    parties: dict[str, EnterpriseRef | None] = field(default_factory=dict)
    # Whom the sender may declare for and the document being handled (both set by intake); without an
    # authority (a run made outside intake) nothing is checked.
    authority: PartyAuthority | None = None
    current_document: object | None = None
    book: ReceiptBook | None = None  # made on the first receipt (receipt_book)
    facts: FactBook | None = None  # the trade facts of the inventories this run stores or moves (fact_book)
    # The message's rows, read in a few set-based queries (working_set; prepared by the family).
    store: ExportWorkingSet | None = None
    # How many documents the message carries: new rows take their ids from the database that many at a time.
    batch: int = 1
    # Payloads opened and small reference look-ups, once per run.
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)


def working_set(run: ExportRun) -> ExportWorkingSet:
    """Return the run's working set (``cbec.exports.service.store``), made on first use."""
    if run.store is None:
        run.store = ExportWorkingSet(run.session)
    return run.store


def stored(run: ExportRun, row: Any) -> None:
    """Add a new or changed document row; a new one gets its id now (``cbec.storage.ids.add_with_id``)."""
    add_with_id(run.session, row, batch=run.batch)


def sealed(run: ExportRun, document: Any) -> str:
    """Return the payload of a document this run stores; opening it again in the run gives the document itself.

    The document read back would hold the same values (its times with a fixed +08:00 offset rather than the
    Asia/Shanghai zone, the same moments); the export rules compare values only.
    """
    twin = document_to_json(document)
    run.memo[("twin", id(document))] = (document, twin)  # its data event goes out with the same JSON (issue)
    payload = json.dumps(twin, ensure_ascii=False)
    run.memo[("opened", type(document), payload)] = document
    return payload


def twin_of(run: ExportRun, document: Any) -> dict[str, Any]:
    """Return the JSON twin of a document, made once per run when the run sealed it."""
    held = run.memo.get(("twin", id(document)))
    if held is not None and held[0] is document:
        found: dict[str, Any] = held[1]
        return found
    return document_to_json(document)


def opened(run: ExportRun, cls: type[T], payload: str) -> T:
    """Return the export document stored in a payload, opened once per run."""
    key = ("opened", cls, payload)
    if key not in run.memo:
        run.memo[key] = unseal(cls, payload)
    found: T = run.memo[key]
    return found


def fact_book(run: ExportRun) -> FactBook:
    """Return the run's fact book: it writes the trade facts of the inventories stored or moved."""
    if run.facts is None:
        session = run.session
        run.facts = FactBook(session, lambda currency, on: cny_per_unit(session, currency, on), run.now)
    return run.facts


# --- receipts and outcomes --------------------------------------------------------------------------------


def receipt_book(run: ExportRun) -> ReceiptBook:
    """Return the run's receipt book (cbec.intake.receipts): where its receipts are born."""
    if run.book is None:
        run.book = ReceiptBook(
            run.session,
            run.now,
            run.ctx.settings.zone_customs_code,
            run.message_id,
            DECLARATION_OF,
            issued=run.receipts,
        )
    return run.book


def issue(
    run: ExportRun,
    kind: str,
    document_id: int | None,
    message_type: ExportMessageType,
    guid: str,
    status: str,
    info: str,
    **keys: str | int | None,
) -> Values:
    """Issue a receipt for a document, preceded by the data event of the declaration it answers if just stored.

    The same receipt book and outbox as imports: agencies' feeds, webhooks and NATS see every export receipt.
    """
    document = run.current_document
    declaration = None
    if getattr(getattr(document, "declaration", None), "guid", None) == guid:
        declaration = lambda: twin_of(run, document)  # noqa: E731
    return receipt_book(run).issue(
        f"export_{kind}", document_id, message_type.value, guid, status, info, keys, declaration=declaration
    )


def record(
    run: ExportRun, kind: str, key: str, status: str, problems: list[Problem] | None = None, note: str = ""
) -> None:
    """Remember the outcome of one document for the caller's summary."""
    run.outcomes.append(DocumentOutcome(kind, key, str(status), list(problems or []), note))


def refuse(
    run: ExportRun,
    kind: str,
    message_type: ExportMessageType,
    guid: str,
    key: str,
    problems: list[Problem],
    keys: Mapping[str, str | int | None],
) -> None:
    """Issue a refusal receipt for a document that is not stored."""
    status = refusal_status(problems)
    issue(run, kind, None, message_type, guid, status, refusal_text(problems), **keys)
    record(run, kind, key, status, problems)


def audit(
    run: ExportRun,
    action: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None = None,
    actor: str = ACTOR,
    entity_type: str = "export_inventory",
) -> None:
    """Write an audit record for a state change."""
    record_audit(
        run.session,
        at=run.now,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_key=key,
        before=before,
        after=after,
        reason=reason,
    )


def refuse_unhandled(run: ExportRun, document: object, problems: list[Problem]) -> None:
    """Refuse a document before any handler runs (party authority): a receipt, nothing stored."""
    kind, receipt_type, key, keys = export_identity(document, lambda: eport_number(run))
    refuse(run, kind, receipt_type, document.declaration.guid, key, problems, keys)  # type: ignore[attr-defined]


def acknowledge_draft(run: ExportRun, document: object, note: str) -> None:
    """Answer a draft (appStatus 1) that changes nothing with a 暂存 receipt (status 1); nothing is stored."""
    kind, receipt_type, key, keys = export_identity(document, lambda: eport_number(run))
    guid = document.declaration.guid  # type: ignore[attr-defined]
    issue(run, kind, None, receipt_type, guid, ReturnStatus.DRAFT, note, **keys)
    record(run, kind, key, ReturnStatus.DRAFT, note="draft: nothing changed")


def original_problems(run: ExportRun, existing: Any, *, what: str = "change") -> list[Problem]:
    """AUTH-ORIGINAL for the document being handled (cbec.intake.declarations)."""
    return intake.original_problems(run.authority, run.current_document, existing, what=what)


# --- parties ----------------------------------------------------------------------------------------------


def party(run: ExportRun, code: str) -> EnterpriseRef | None:
    """Return the approved enterprise with this code, cached for the run."""
    if code not in run.parties:
        run.parties[code] = find_active_by_code(run.session, code)
    return run.parties[code]


def party_problems(run: ExportRun, parties: Sequence[tuple[str, str, str | None]]) -> list[Problem]:
    """M12: every named party is an approved enterprise with the right role ("无" platforms excepted)."""
    sender = run.transfer.sender_code if run.transfer is not None else None
    return intake.party_problems(lambda code: party(run, code), parties, sender, exempt=_foreign_platform)


# --- numbers ----------------------------------------------------------------------------------------------


def eport_number(run: ExportRun) -> str:
    """Assign an E-port number B + yyyymmdd + 9 digits (shared with imports, so never repeated)."""
    return numbers.eport_number(run.session, run.now)


def customs_number(run: ExportRun, customs_code: str, mark: str) -> str:
    """Assign a customs number: district + year + mark + 9-digit serial (18 characters)."""
    return numbers.customs_number(run.session, run.now, customs_code, mark, f"export:{mark}:{customs_code}")


# --- shared checks ----------------------------------------------------------------------------------------


def change_problems(
    run: ExportRun, kind: str, existing: Any, app_type: AppType, dup_code: str, type_code: str
) -> list[Problem]:
    """R11/R12 and AUTH-ORIGINAL (cbec.intake.declarations)."""
    return intake.change_problems(
        kind, existing, app_type, dup_code, type_code, foreign=lambda original: original_problems(run, original)
    )


def state_for(app_type: AppType, app_status: AppStatus) -> DocumentState:
    """Return the stored state for a declaration action."""
    if app_type == AppType.DELETE:
        return DocumentState.DELETED
    return DocumentState.DRAFT if app_status == AppStatus.DRAFT else DocumentState.ACCEPTED


def accepted_status(state: DocumentState) -> ReturnStatus:
    """Return the receipt status of an accepted document."""
    if state == DocumentState.DRAFT:
        return ReturnStatus.DRAFT
    if state == DocumentState.DELETED:
        return ReturnStatus.CONCLUDED
    return ReturnStatus.ACCEPTED


def text(status: str, extra: str = "") -> str:
    """Return the returnInfo text of a status."""
    base = STATUS_TEXT.get(ReturnStatus(status), "") if status in ReturnStatus._value2member_map_ else ""
    return f"{base} {extra}".strip()
