"""One run of the import handlers over a message (一次报文处理): its state and the small steps every handler takes.

``ImportRun`` holds what the handlers share while one message (or one officer action, one daily job) is processed
in one transaction: the context and session, the clock reading, the message's working set (``WorkingSet``), its
quota book, receipt book and fact book, and what it has issued so far (receipts, outcomes, tax bills). The
functions below take the run as their first argument: sealing and opening payloads, issuing receipts, recording
outcomes, audit records, the party and identity checks shared by every document. Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.clearance.codes import STATUS_TEXT, ReturnStatus
from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.clearance.service import events
from cbec.clearance.service.store import WorkingSet
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.ids import validate_resident_id
from cbec.enterprises import EnterpriseRef, find_active_by_code
from cbec.facts import FactBook, customs_rates
from cbec.intake import DocumentOutcome, ReceiptBook, numbers
from cbec.intake import change_problems as declaration_change_problems
from cbec.intake import original_problems as declaration_original_problems
from cbec.intake import party_problems as intake_party_problems
from cbec.intake.receipts import refusal_status, refusal_text
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import (
    AppType,
    CancelRequest,
    ImportDocument,
    Inventory,
    MessageType,
    ReturnRequest,
    Transfer,
)
from cbec.messages.json_twin import document_from_stored_json, document_to_json
from cbec.quota import QuotaBook
from cbec.storage.bulk import Values
from cbec.storage.context import Context
from cbec.storage.ids import add_with_id
from cbec.supervision import Measure, Subject, SubjectKind, applying, measures_in_force, subjects_of

ACTOR = "platform"


@dataclass(slots=True)
class ImportRun:
    """What the import handlers share while one message (or one officer action) is processed."""

    ctx: Context
    session: Session
    now: datetime
    message_id: int | None
    # The message's rows, read in a few set-based queries (prepare) and answered from memory.
    store: WorkingSet
    # The buyers' quota accounts for the business year, locked and held.
    quota: QuotaBook
    # Where the run's receipts are born (cbec.intake.receipts); it appends them to ``receipts``.
    book: ReceiptBook
    # Receipts issued so far (plain values kept aside by the receipts journal, written at commit).
    receipts: list[Values]
    transfer: Transfer | None = None
    signed: bool = False
    # Whom the sender may declare for (set by intake); None (an officer's or a daily job's run) checks nothing.
    authority: PartyAuthority | None = None
    # The declaration being handled (set by the family): its data event goes out with its first receipt.
    current_document: ImportDocument | None = None
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    released_inventory_ids: list[int] = field(default_factory=list)
    tax_bills: list[TaxBillRecord] = field(default_factory=list)
    # Filings do not change while one message is processed; each party is looked up once.
    parties: dict[str, EnterpriseRef | None] = field(default_factory=dict)
    # Reference data, filed products and opened payloads, looked up once per message.
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # Supervision measures in force on the message's subjects (read once in prepare).
    measures: Mapping[Subject, list[Measure]] | None = None
    # How many documents the message carries: new rows take their ids from the database that many at a time.
    batch: int = 1
    fact_book: FactBook | None = None

    @property
    def facts(self) -> FactBook:
        """Return the run's fact book, made on first use (a run that moves no inventory needs no customs rates)."""
        if self.fact_book is None:
            self.fact_book = FactBook(self.session, customs_rates(self.session), self.now)
        return self.fact_book


def new_run(
    ctx: Context,
    session: Session,
    now: datetime,
    message_id: int | None,
    *,
    transfer: Transfer | None = None,
    signed: bool = False,
    authority: PartyAuthority | None = None,
) -> ImportRun:
    """Return a fresh run over a message (or, without a message id, over an officer action or a daily job)."""
    receipts: list[Values] = []
    book = ReceiptBook(session, now, ctx.settings.zone_customs_code, message_id, events.DECLARATION_OF, issued=receipts)
    return ImportRun(
        ctx=ctx,
        session=session,
        now=now,
        message_id=message_id,
        store=WorkingSet(session),
        quota=QuotaBook(session, business_date(now).year),
        book=book,
        receipts=receipts,
        transfer=transfer,
        signed=signed,
        authority=authority,
    )


# --- the working set ---------------------------------------------------------------------------------------


def prepare(run: ImportRun, documents: Sequence[ImportDocument]) -> None:
    """Lock every key of the message's documents and read their rows before the first one is handled.

    Then lock every buyer whose quota the message may touch (its inventories, cancels and returns, and the
    inventories its orders, payments, waybills and arrivals may complete). Document keys first, buyers
    second, each sorted: every intake transaction takes its locks in that one order, so two messages never
    wait on each other's quota accounts in a cycle (a deadlock).
    """
    run.batch = max(1, len(documents))
    run.store.prepare(documents)
    buyers = {
        run.ctx.cipher.blind_index(d.buyer_id_number)
        for d in documents
        if isinstance(d, Inventory | CancelRequest | ReturnRequest)
    }
    buyers.update(row.buyer_key for row in run.store.known_inventories())
    run.store.lock(f"buyer:{key}" for key in buyers)
    run.quota.load(buyers)  # their accounts, locked and read in two statements
    # Whether the inventories already hold their reservation, in one query (not one per inventory).
    run.quota.prefetch(row.eport_no for row in run.store.known_inventories())
    run.measures = measures_in_force(run.session, _subjects(run, documents, buyers), run.now)


def _subjects(run: ImportRun, documents: Sequence[ImportDocument], buyers: set[str]) -> list[Subject]:
    """Return the supervision subjects of every inventory the message may decide: enterprises, buyers, itself."""
    found: list[Subject] = []
    for document in documents:
        if isinstance(document, Inventory):
            codes = (document.ecommerce_code, document.platform_code, document.agent_code)
            found += subjects_of(codes, None, None)
    for row in run.store.known_inventories():
        found += subjects_of((row.ecommerce_code, row.platform_code, row.agent_code), None, row.eport_no)
    found += [(SubjectKind.BUYER, key) for key in sorted(buyers)]
    return list(dict.fromkeys(found))


def measures_on(run: ImportRun, inventory: InventoryRecord) -> list[Measure]:
    """Return the supervision measures in force on an inventory's enterprises, buyer and itself (分类监管)."""
    subjects = subjects_of(
        (inventory.ecommerce_code, inventory.platform_code, inventory.agent_code),
        inventory.buyer_key,
        inventory.eport_no,
    )
    # Prepared, the message's map holds every subject it may decide (a new inventory has no measure yet);
    # outside a prepared message (an officer's or a daily job's run) they are read now.
    known = run.measures if run.measures is not None else measures_in_force(run.session, subjects, run.now)
    return applying(known, subjects, run.now)


# --- rows and payloads -------------------------------------------------------------------------------------


def stored(run: ImportRun, row: Any) -> None:
    """Add a new or changed document row; a new one gets its id now (``cbec.storage.ids.add_with_id``)."""
    add_with_id(run.session, row, batch=run.batch)


def seal(run: ImportRun, document: ImportDocument) -> str:
    """Return the encrypted JSON twin of a document."""
    twin = document_to_json(document)
    payload = run.ctx.cipher.encrypt(json.dumps(twin, ensure_ascii=False))
    # Opening it again in this message gives the document itself (frozen; its JSON twin round-trips to it).
    run.memo[("sealed", payload)] = document
    run.memo[("twin-of", id(document))] = twin  # its data event needs the same JSON
    return payload


def open_payload(run: ImportRun, message_type: MessageType, payload: str) -> Any:
    """Return the document stored in an encrypted payload (decrypted and rebuilt once per message)."""
    sealed = run.memo.get(("sealed", payload))
    if sealed is not None:
        return sealed
    key = ("open", message_type, payload)
    if key not in run.memo:
        run.memo[key] = document_from_stored_json(message_type, json.loads(run.ctx.cipher.decrypt(payload)))
    return run.memo[key]


def eport_number(run: ImportRun) -> str:
    """Assign an E-port number: B + yyyymmdd + 9-digit serial (18 characters)."""
    return numbers.eport_number(run.session, run.now)


# --- receipts, outcomes, audit records -------------------------------------------------------------------


def issue(
    run: ImportRun,
    kind: str,
    document_id: int | None,
    message_type: MessageType,
    guid: str,
    status: str,
    info: str,
    **keys: str | None,
) -> Values:
    """Issue a receipt for a document, preceded by the data event of the declaration it answers if just stored."""
    document = run.current_document
    declaration = None
    if document is not None and guid == document.declaration.guid:
        twin = run.memo.get(("twin-of", id(document)))
        declaration = (lambda: twin) if twin is not None else (lambda: document_to_json(document))
    return run.book.issue(kind, document_id, message_type.value, guid, status, info, keys, declaration=declaration)


def publish_tax_bill(run: ImportRun, bill: TaxBillRecord, inventory: InventoryRecord) -> None:
    """Write the event of an issued or voided electronic tax bill (CEB816) to the outbox."""
    events.publish_tax_bill(run.session, bill, inventory, now=run.now, zone=run.ctx.settings.zone_customs_code)


def record(
    run: ImportRun, kind: str, key: str, status: str, problems: list[Problem] | None = None, note: str = ""
) -> None:
    """Remember the outcome of one document for the caller's summary."""
    run.outcomes.append(DocumentOutcome(kind, key, status, list(problems or []), note))


def text(status: str, extra: str = "") -> str:
    """Return the returnInfo text of a status."""
    base = STATUS_TEXT.get(ReturnStatus(status), "") if status in ReturnStatus._value2member_map_ else ""
    return f"{base} {extra}".strip()


def refuse_document(
    run: ImportRun,
    kind: str,
    document_id: int | None,
    message_type: MessageType,
    guid: str,
    key: str,
    problems: list[Problem],
    keys: Mapping[str, str | None],
) -> None:
    """Issue a refusal receipt for a document that is not stored."""
    status = refusal_status(problems)
    issue(run, kind, document_id, message_type, guid, status, refusal_text(problems), **keys)
    record(run, kind, key, status, problems)


def audit(
    run: ImportRun,
    action: str,
    entity_type: str,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None = None,
    actor: str = ACTOR,
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


# --- checks every document shares ------------------------------------------------------------------------


def party(run: ImportRun, code: str) -> EnterpriseRef | None:
    """Return the approved enterprise with this code, looked up once per run."""
    parties = run.parties
    if code not in parties:
        parties[code] = find_active_by_code(run.session, code)
    return parties[code]


def party_problems(run: ImportRun, parties: Sequence[tuple[str, str, str | None]]) -> list[Problem]:
    """M12: every named party is an approved enterprise with the right role."""
    sender = run.transfer.sender_code if run.transfer is not None else None
    return intake_party_problems(lambda code: party(run, code), parties, sender)


def identity_problems(run: ImportRun, field_name: str, id_number: str) -> list[Problem]:
    """Ruling 7: the buyer's ID is a valid resident ID number."""
    return [
        Problem(p.rule_id, field_name, p.message, p.hint, p.code or "1300", p.severity)
        for p in validate_resident_id(id_number, today=business_date(run.now))
        if p.severity == "error"
    ]


def original_problems(run: ImportRun, existing: Any, *, what: str = "change") -> list[Problem]:
    """AUTH-ORIGINAL for the document being handled (cbec.intake.declarations)."""
    return declaration_original_problems(run.authority, run.current_document, existing, what=what)


def change_problems(
    run: ImportRun, kind: str, existing: Any, app_type: AppType, dup_code: str, type_code: str
) -> list[Problem]:
    """R11/R12 and AUTH-ORIGINAL (cbec.intake.declarations)."""
    return declaration_change_problems(
        kind, existing, app_type, dup_code, type_code, foreign=lambda found: original_problems(run, found)
    )


def request_keys(request: CancelRequest | ReturnRequest) -> dict[str, str | None]:
    """Return the receipt keys of a cancel or return request, which names its inventory (CEB624, CEB626)."""
    return {
        "customs_code": request.customs_code,
        "agent_code": request.agent_code,
        "platform_code": request.platform_code,
        "ecommerce_code": request.ecommerce_code,
        "enterprise_ref_no": request.enterprise_ref_no or request.inventory_no,
        "eport_no": request.eport_no,
        "inventory_no": request.inventory_no,
    }
