"""Processing of one message's documents inside one transaction (报文处理).

A document waits for its partners; the last partner to arrive triggers the checks (三单对碰).
Every outcome is a receipt with an official status; nothing here commits.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.clearance.codes import STATUS_TEXT, DocumentState, ReturnStatus
from cbec.clearance.declarations import change_problems, original_problems
from cbec.clearance.models import InventoryRecord, OrderRecord, PaymentRecord, TaxBillRecord, WaybillRecord
from cbec.clearance.rules import check_order, check_payment, check_waybill, party_problems, problem
from cbec.clearance.service import events
from cbec.clearance.service.store import WorkingSet, order_lock, waybill_lock
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.ids import validate_resident_id
from cbec.enterprises import EnterpriseRef, find_active_by_code
from cbec.facts import FactBook, customs_rates
from cbec.intake import DocumentOutcome, ReceiptBook, new_guid
from cbec.intake.receipts import refusal_status, refusal_text
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ArrivalRecord,
    CancelRequest,
    ImportDocument,
    ImportOrder,
    Inventory,
    MessageType,
    Payment,
    ReturnRequest,
    Transfer,
    Waybill,
    WaybillStatus,
)
from cbec.messages.json_twin import document_from_json, document_to_json
from cbec.quota.book import QuotaBook
from cbec.storage.bulk import Values
from cbec.storage.context import Context
from cbec.storage.ids import take_id
from cbec.supervision import Measure, Subject, SubjectKind, applying, measures_in_force, subjects_of

ACTOR = "platform"


@dataclass(slots=True)
class Processor(ABC):
    """Runs the documents of one message through the clearance rules, collecting receipts."""

    ctx: Context
    session: Session
    now: datetime
    message_id: int | None
    transfer: Transfer | None = None
    signed: bool = False
    outcomes: list[DocumentOutcome] = field(default_factory=list)
    # Receipts issued so far (plain values kept aside by the receipts journal, written at commit).
    receipts: list[Values] = field(default_factory=list)
    released_inventory_ids: list[int] = field(default_factory=list)
    tax_bills: list[TaxBillRecord] = field(default_factory=list)
    # Filings do not change while one message is processed; look each party up once.
    _parties: dict[str, EnterpriseRef | None] = field(default_factory=dict)
    # The declaration being handled (set by intake): its data event goes out with its first receipt.
    current_document: ImportDocument | None = None
    _book: ReceiptBook | None = None
    # Reference data, filed products and opened payloads, looked up once per message.
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _store: WorkingSet | None = None
    _quota: QuotaBook | None = None
    # Supervision measures in force on the message's subjects (read once in prepare).
    _measures: Mapping[Subject, list[Measure]] | None = None
    # How many documents the message carries: new rows take their ids from the database that many at a time.
    _batch: int = 1
    # Whom the sender may declare for (set by intake); None (a processor made outside intake) checks nothing.
    authority: PartyAuthority | None = None
    # The trade facts of the inventories this transaction stores or moves (cbec.facts).
    _facts: FactBook | None = None

    @property
    def facts(self) -> FactBook:
        """Return the transaction's fact book: it writes the trade facts of the inventories stored or moved."""
        if self._facts is None:
            self._facts = FactBook(self.session, customs_rates(self.session), self.now)
        return self._facts

    @property
    def quota(self) -> QuotaBook:
        """Return the message's quota book: its buyers' accounts for the business year, locked and held."""
        if self._quota is None:
            self._quota = QuotaBook(self.session, business_date(self.now).year)
        return self._quota

    @property
    def store(self) -> WorkingSet:
        """Return the message's working set: its rows, read in a few set-based queries."""
        if self._store is None:
            self._store = WorkingSet(self.session)
        return self._store

    def prepare(self, documents: Sequence[ImportDocument]) -> None:
        """Lock every key of the message's documents and read their rows before the first one is handled.

        Then lock every buyer whose quota the message may touch (its inventories, cancels and returns, and the
        inventories its orders, payments, waybills and arrivals may complete). Document keys first, buyers
        second, each sorted: every intake transaction takes its locks in that one order, so two messages never
        wait on each other's quota accounts in a cycle (a deadlock).
        """
        self._batch = max(1, len(documents))
        self.store.prepare(documents)
        buyers = {
            self.ctx.cipher.blind_index(d.buyer_id_number)
            for d in documents
            if isinstance(d, Inventory | CancelRequest | ReturnRequest)
        }
        buyers.update(row.buyer_key for row in self.store.known_inventories())
        self.store.lock(f"buyer:{key}" for key in buyers)
        self.quota.load(buyers)  # their accounts, locked and read in two statements
        # Whether the inventories already hold their reservation, in one query (not one per inventory).
        self.quota.prefetch(row.eport_no for row in self.store.known_inventories())
        self._measures = measures_in_force(self.session, self._subjects(documents, buyers), self.now)

    def _subjects(self, documents: Sequence[ImportDocument], buyers: set[str]) -> list[Subject]:
        """Return the supervision subjects of every inventory the message may decide: enterprises, buyers, itself."""
        found: list[Subject] = []
        for document in documents:
            if isinstance(document, Inventory):
                codes = (document.ecommerce_code, document.platform_code, document.agent_code)
                found += subjects_of(codes, None, None)
        for row in self.store.known_inventories():
            found += subjects_of((row.ecommerce_code, row.platform_code, row.agent_code), None, row.eport_no)
        found += [(SubjectKind.BUYER, key) for key in sorted(buyers)]
        return list(dict.fromkeys(found))

    def measures_on(self, inventory: InventoryRecord) -> list[Measure]:
        """Return the supervision measures in force on an inventory's enterprises, buyer and itself (分类监管)."""
        subjects = subjects_of(
            (inventory.ecommerce_code, inventory.platform_code, inventory.agent_code),
            inventory.buyer_key,
            inventory.eport_no,
        )
        # Prepared, the message's map holds every subject it may decide (a new inventory has no measure yet);
        # outside a prepared message (an officer's or a daily job's processor) they are read now.
        known = self._measures if self._measures is not None else measures_in_force(self.session, subjects, self.now)
        return applying(known, subjects, self.now)

    # --- payload and receipts -----------------------------------------------------------------------

    def stored(self, row: Any) -> None:
        """Add a new or changed document row; a new one gets its id now, without writing it yet where possible.

        The id comes from the table's sequence (cbec.storage.ids), so the message's rows are written together
        by the transaction's one flush; where the database gives ids only on INSERT the row is flushed here.
        """
        if row.id is None:
            row.id = take_id(self.session, type(row), batch=self._batch)
        self.session.add(row)
        if row.id is None:
            self.session.flush()

    def seal(self, document: ImportDocument) -> str:
        """Return the encrypted JSON twin of a document."""
        twin = document_to_json(document)
        payload = self.ctx.cipher.encrypt(json.dumps(twin, ensure_ascii=False))
        # Opening it again in this message gives the document itself (frozen; its JSON twin round-trips to it).
        self._memo[("sealed", payload)] = document
        self._memo[("twin-of", id(document))] = twin  # its data event needs the same JSON
        return payload

    def open(self, message_type: MessageType, payload: str) -> Any:
        """Return the document stored in an encrypted payload (decrypted and rebuilt once per message)."""
        sealed = self._memo.get(("sealed", payload))
        if sealed is not None:
            return sealed
        key = ("open", message_type, payload)
        if key not in self._memo:
            self._memo[key] = document_from_json(message_type, json.loads(self.ctx.cipher.decrypt(payload)))
        return self._memo[key]

    @property
    def book(self) -> ReceiptBook:
        """Return the message's receipt book (cbec.intake.receipts): where its receipts are born."""
        if self._book is None:
            self._book = ReceiptBook(
                self.session,
                self.now,
                self.ctx.settings.zone_customs_code,
                self.message_id,
                events.DECLARATION_OF,
                issued=self.receipts,
            )
        return self._book

    def issue(
        self,
        kind: str,
        document_id: int | None,
        message_type: MessageType,
        guid: str,
        status: str,
        info: str,
        **keys: str | None,
    ) -> Values:
        """Issue a receipt for a document, preceded by the data event of the declaration it answers if just stored."""
        document = self.current_document
        declaration = None
        if document is not None and guid == document.declaration.guid:
            twin = self._memo.get(("twin-of", id(document)))
            declaration = (lambda: twin) if twin is not None else (lambda: document_to_json(document))
        return self.book.issue(kind, document_id, message_type.value, guid, status, info, keys, declaration=declaration)

    def publish_tax_bill(self, bill: TaxBillRecord, inventory: InventoryRecord) -> None:
        """Write the event of an issued or voided electronic tax bill (CEB816) to the outbox."""
        events.publish_tax_bill(self.session, bill, inventory, now=self.now, zone=self.ctx.settings.zone_customs_code)

    def record(self, kind: str, key: str, status: str, problems: list[Problem] | None = None, note: str = "") -> None:
        """Remember the outcome of one document for the caller's summary."""
        self.outcomes.append(DocumentOutcome(kind, key, status, list(problems or []), note))

    # --- shared checks ------------------------------------------------------------------------------

    def party(self, code: str) -> EnterpriseRef | None:
        """Return the approved enterprise with this code, cached for the message."""
        if code not in self._parties:
            self._parties[code] = find_active_by_code(self.session, code)
        return self._parties[code]

    def party_problems(self, parties: Sequence[tuple[str, str, str | None]]) -> list[Problem]:
        """M12: every named party is an approved enterprise with the right role."""
        sender = self.transfer.sender_code if self.transfer is not None else None
        return party_problems(self.party, parties, sender)

    def identity_problems(self, field_name: str, id_number: str) -> list[Problem]:
        """Ruling 7: the buyer's ID is a valid resident ID number."""
        return [
            Problem(p.rule_id, field_name, p.message, p.hint, p.code or "1300", p.severity)
            for p in validate_resident_id(id_number, today=business_date(self.now))
            if p.severity == "error"
        ]

    # --- orders, payments, waybills -----------------------------------------------------------------

    def handle_order(self, order: ImportOrder) -> None:
        """Accept, change or delete an order, then advance inventories that waited for it."""
        self.store.lock([order_lock(order.platform_code, order.order_no)])
        key = f"{order.platform_code}/{order.order_no}"
        existing = self.store.order(order.platform_code, order.order_no)
        receipt = {
            "platform_code": order.platform_code,
            "ecommerce_code": order.ecommerce_code,
            "order_no": order.order_no,
        }
        if existing is not None and existing.guid == order.declaration.guid:
            self.record("order", key, existing.state, note="resubmission: already processed")
            return
        problems = self.change_problems("order", existing, order.declaration.app_type, "-301010", "-301009")
        if not problems and order.declaration.app_type != AppType.DELETE:
            problems += check_order(order)
            problems += self.identity_problems("order.buyer_id_number", order.buyer_id_number)
            parties = [
                ("order.platform_code", order.platform_code, "ecommerce_platform"),
                ("order.ecommerce_code", order.ecommerce_code, "ecommerce_enterprise"),
            ]
            if order.payment_code:
                parties.append(("order.payment_code", order.payment_code, "payment_company"))
            problems += self.party_problems(parties)
        if not problems and existing is not None and self.inventory_declared(order.platform_code, order.order_no):
            problems.append(self.declared_problem("order", "-301011"))
        if problems:
            self.refuse_document(
                "order", None, MessageType.ORDER_RECEIPT, order.declaration.guid, key, problems, receipt
            )
            return
        state = self.state_for(order.declaration.app_type, order.declaration.app_status)
        row = existing or OrderRecord(received_at=self.now)
        row.guid, row.app_status, row.state = order.declaration.guid, order.declaration.app_status, state
        row.platform_code, row.order_no, row.ecommerce_code = order.platform_code, order.order_no, order.ecommerce_code
        row.payment_code, row.payment_transaction_id = order.payment_code, order.payment_transaction_id
        row.buyer_key = self.ctx.cipher.blind_index(order.buyer_id_number)
        row.actual_paid, row.payload = order.actual_paid, self.seal(order)
        row.message_id, row.updated_at = self.message_id, self.now
        self.stored(row)
        self.store.register_order(row)
        status = self.accepted_status(state)
        self.issue(
            "order", row.id, MessageType.ORDER_RECEIPT, order.declaration.guid, status, self.text(status), **receipt
        )
        self.record("order", key, status)
        if state == DocumentState.ACCEPTED:
            self.advance_waiting(self.store.waiting_inventories_for_order(order.platform_code, order.order_no))

    def handle_payment(self, payment: Payment) -> None:
        """Accept, change or delete a payment voucher."""
        self.store.lock([order_lock(payment.platform_code, payment.order_no)])
        key = f"{payment.payment_code}/{payment.payment_transaction_id}"
        existing = self.store.payment(payment.payment_code, payment.payment_transaction_id)
        receipt = {"payment_code": payment.payment_code, "payment_transaction_id": payment.payment_transaction_id}
        if existing is not None and existing.guid == payment.declaration.guid:
            self.record("payment", key, existing.state, note="resubmission: already processed")
            return
        problems = self.change_problems("payment", existing, payment.declaration.app_type, "-401007", "-401008")
        if not problems and payment.declaration.app_type != AppType.DELETE:
            problems += check_payment(payment)
            problems += self.identity_problems("payment.payer_id_number", payment.payer_id_number)
            problems += self.party_problems([("payment.payment_code", payment.payment_code, "payment_company")])
        if not problems and existing is not None and self.inventory_declared(payment.platform_code, payment.order_no):
            problems.append(self.declared_problem("payment", "-401008"))
        if problems:
            self.refuse_document(
                "payment", None, MessageType.PAYMENT_RECEIPT, payment.declaration.guid, key, problems, receipt
            )
            return
        state = self.state_for(payment.declaration.app_type, payment.declaration.app_status)
        row = existing or PaymentRecord(received_at=self.now)
        row.guid, row.app_status, row.state = payment.declaration.guid, payment.declaration.app_status, state
        row.payment_code, row.payment_transaction_id = payment.payment_code, payment.payment_transaction_id
        row.platform_code, row.order_no, row.amount_paid = payment.platform_code, payment.order_no, payment.amount_paid
        row.payload, row.message_id, row.updated_at = self.seal(payment), self.message_id, self.now
        self.stored(row)
        self.store.register_payment(row)
        status = self.accepted_status(state)
        self.issue(
            "payment",
            row.id,
            MessageType.PAYMENT_RECEIPT,
            payment.declaration.guid,
            status,
            self.text(status),
            **receipt,
        )
        self.record("payment", key, status)
        if state == DocumentState.ACCEPTED:
            self.advance_waiting(self.store.waiting_inventories_for_order(payment.platform_code, payment.order_no))

    def handle_waybill(self, waybill: Waybill) -> None:
        """Accept, change or delete a waybill."""
        self.store.lock([waybill_lock(waybill.logistics_code, waybill.logistics_no)])
        key = f"{waybill.logistics_code}/{waybill.logistics_no}"
        existing = self.store.waybill(waybill.logistics_code, waybill.logistics_no)
        receipt = {"logistics_code": waybill.logistics_code, "logistics_no": waybill.logistics_no}
        if existing is not None and existing.guid == waybill.declaration.guid:
            self.record("waybill", key, existing.state, note="resubmission: already processed")
            return
        problems = self.change_problems("waybill", existing, waybill.declaration.app_type, "-504015", "-504016")
        if not problems and waybill.declaration.app_type != AppType.DELETE:
            problems += check_waybill(waybill)
            problems += self.party_problems([("waybill.logistics_code", waybill.logistics_code, "logistics_company")])
        if problems:
            self.refuse_document(
                "waybill", None, MessageType.WAYBILL_RECEIPT, waybill.declaration.guid, key, problems, receipt
            )
            return
        state = self.state_for(waybill.declaration.app_type, waybill.declaration.app_status)
        row = existing or WaybillRecord(received_at=self.now)
        row.guid, row.app_status, row.state = waybill.declaration.guid, waybill.declaration.app_status, state
        row.logistics_code, row.logistics_no = waybill.logistics_code, waybill.logistics_no
        row.order_no, row.bill_no = waybill.order_no, waybill.bill_no
        row.payload, row.message_id, row.updated_at = self.seal(waybill), self.message_id, self.now
        self.stored(row)
        self.store.register_waybill(row)
        status = self.accepted_status(state)
        self.issue(
            "waybill",
            row.id,
            MessageType.WAYBILL_RECEIPT,
            waybill.declaration.guid,
            status,
            self.text(status),
            **receipt,
        )
        self.record("waybill", key, status)
        if state == DocumentState.ACCEPTED:
            self.advance_waiting(
                self.store.waiting_inventories_for_waybill(waybill.logistics_code, waybill.logistics_no)
            )

    def handle_waybill_status(self, report: WaybillStatus) -> None:
        """Record that a parcel was signed for (CEB513)."""
        key = f"{report.logistics_code}/{report.logistics_no}"
        receipt = {
            "logistics_code": report.logistics_code,
            "logistics_no": report.logistics_no,
            "logistics_status": report.logistics_status,
        }
        row = self.store.waybill(report.logistics_code, report.logistics_no)
        problems: list[Problem] = []
        if row is None or row.state != DocumentState.ACCEPTED:
            problems.append(
                problem(
                    "M13",
                    "waybill_status.logistics_no",
                    "运单不存在",
                    "no accepted waybill",
                    "Send the waybill (CEB511) before its status.",
                    "-505012",
                )
            )
        if report.logistics_status != "S":
            problems.append(
                problem(
                    "R5",
                    "waybill_status.logistics_status",
                    "运单状态只能为S（签收）",
                    "the only waybill status is S (signed for)",
                    "Send logisticsStatus S.",
                )
            )
        if problems:
            self.refuse_document(
                "waybill_status",
                None,
                MessageType.WAYBILL_STATUS_RECEIPT,
                report.declaration.guid,
                key,
                problems,
                receipt,
            )
            return
        assert row is not None
        row.signed_at, row.updated_at = report.status_time, self.now
        status = ReturnStatus.ACCEPTED
        self.issue(
            "waybill_status",
            row.id,
            MessageType.WAYBILL_STATUS_RECEIPT,
            report.declaration.guid,
            status,
            self.text(status),
            **receipt,
        )
        self.record("waybill_status", key, status)

    # --- helpers shared by handlers -------------------------------------------------------------------

    def original_problems(self, existing: Any, *, what: str = "change") -> list[Problem]:
        """AUTH-ORIGINAL for the document being handled (cbec.clearance.declarations)."""
        return original_problems(self.authority, self.current_document, existing, what=what)

    def change_problems(
        self, kind: str, existing: Any, app_type: AppType, dup_code: str, type_code: str
    ) -> list[Problem]:
        """R11/R12 and AUTH-ORIGINAL (cbec.clearance.declarations)."""
        return change_problems(kind, existing, app_type, dup_code, type_code, foreign=self.original_problems)

    def inventory_declared(self, platform_code: str, order_no: str) -> bool:
        """Tell whether an inventory of the order is past the point where partners may change."""
        inventory = self.store.live_inventory_for_order(platform_code, order_no)
        return inventory is not None and inventory.status not in (ReturnStatus.DRAFT, ReturnStatus.DECLARING)

    def declared_problem(self, kind: str, code: str) -> Problem:
        """R12: refuse changes once the inventory is declared."""
        return problem(
            "R12",
            f"{kind}.app_type",
            "已申报清单，状态不符，不能变更或删除",
            f"the inventory is already declared; the {kind} can no longer change",
            "Cancel the inventory (CEB623) first if the order really changed.",
            code,
        )

    @staticmethod
    def state_for(app_type: AppType, app_status: AppStatus) -> DocumentState:
        """Return the stored state for a declaration action."""
        if app_type == AppType.DELETE:
            return DocumentState.DELETED
        return DocumentState.DRAFT if app_status == AppStatus.DRAFT else DocumentState.ACCEPTED

    @staticmethod
    def accepted_status(state: DocumentState) -> ReturnStatus:
        """Return the receipt status of an accepted document."""
        if state == DocumentState.DRAFT:
            return ReturnStatus.DRAFT
        if state == DocumentState.DELETED:
            return ReturnStatus.CONCLUDED
        return ReturnStatus.ACCEPTED

    @staticmethod
    def text(status: str, extra: str = "") -> str:
        """Return the returnInfo text of a status."""
        base = STATUS_TEXT.get(ReturnStatus(status), "") if status in ReturnStatus._value2member_map_ else ""
        return f"{base} {extra}".strip()

    refusal_text = staticmethod(refusal_text)
    refusal_status = staticmethod(refusal_status)

    def refuse_document(
        self,
        kind: str,
        document_id: int | None,
        message_type: MessageType,
        guid: str,
        key: str,
        problems: list[Problem],
        keys: Mapping[str, str | None],
    ) -> None:
        """Issue a refusal receipt for a document that is not stored."""
        status = self.refusal_status(problems)
        self.issue(kind, document_id, message_type, guid, status, self.refusal_text(problems), **keys)
        self.record(kind, key, status, problems)

    def audit(
        self,
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
            self.session,
            at=self.now,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_key=key,
            before=before,
            after=after,
            reason=reason,
        )

    # Subclasses in clearance.service.inventory and .aftercare complete the processor.
    @abstractmethod
    def advance_waiting(self, inventories: list[InventoryRecord]) -> None:
        """Advance inventories that waited for a partner document."""

    @abstractmethod
    def handle(self, document: ImportDocument) -> None:
        """Dispatch one document to its handler."""


__all__ = ["ArrivalRecord", "CancelRequest", "DocumentOutcome", "Processor", "ReturnRequest", "new_guid"]
