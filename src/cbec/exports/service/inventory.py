"""Export inventory clearance (出口清单核放): orders, receipts of payment, waybills, inventories, release.

A document waits for its partners; the last one to arrive triggers the checks (E1-E3). An accepted (120)
inventory waits for its parcel to arrive at the supervised site (E4, CEB507), then the decision step
releases it (399 → 800) or holds it for an officer (300/500). Nothing here commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.codes import B2B_DIRECT, OPEN, RETAIL_TRADE_MODES
from cbec.exports.matching_rules import match_inventory_order, match_inventory_waybill, match_payment_receipt
from cbec.exports.models import (
    ExportInventoryLine,
    ExportInventoryRecord,
    ExportOrderRecord,
    ExportWaybillRecord,
    PaymentReceiptNoteRecord,
)
from cbec.exports.rules import (
    check_export_inventory,
    check_export_order,
    check_export_waybill,
    check_payment_receipt_note,
)
from cbec.exports.service import facts as trade_facts
from cbec.exports.service.base import ExportBase, seal, text, unseal
from cbec.exports.service.reference import parameter
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.intake.receipts import refusal_text
from cbec.messages.documents import AppStatus, AppType
from cbec.messages.export_documents import (
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportOrderType,
    ExportWaybill,
    PaymentReceiptNote,
)
from cbec.storage.locks import lock_keys
from cbec.supervision import DecisionPolicy, InventoryFacts, Outcome

RECEIPT_NOTE_TRADE_MODES = (*RETAIL_TRADE_MODES, B2B_DIRECT)  # 9810 bookings never had a receipt of payment


@dataclass(frozen=True, slots=True)
class Partners:
    """The order, waybill and (when present) receipt of payment an inventory is matched with."""

    order: ExportOrder
    waybill: ExportWaybill
    receipt_note: PaymentReceiptNote | None


class ExportClearance(ExportBase):
    """Adds orders, receipts of payment, waybills and inventories to the export processor."""

    # --- orders, receipts of payment, waybills --------------------------------------------------------------

    def handle_order(self, order: ExportOrder) -> None:
        """Accept, change or delete an export order or booking, then advance inventories that waited for it."""
        lock_keys(self.session, [f"export-order:{order.platform_code}:{order.ecommerce_code}:{order.order_no}"])
        key = f"{order.platform_code}/{order.order_no}"
        keys = {
            "platform_code": order.platform_code,
            "ecommerce_code": order.ecommerce_code,
            "order_no": order.order_no,
        }
        existing = repo.order_by_key(self.session, order.platform_code, order.ecommerce_code, order.order_no)
        if existing is not None and existing.guid == order.declaration.guid:
            self.record("order", key, existing.state, note="resubmission: already processed")
            return
        app_type = order.declaration.app_type
        problems = self.change_problems("order", existing, app_type, "-301010", "-301009")
        if not problems and app_type != AppType.DELETE:
            problems += check_export_order(order)
            problems += self.party_problems(
                [
                    ("order.platform_code", order.platform_code, "ecommerce_platform"),
                    ("order.ecommerce_code", order.ecommerce_code, "ecommerce_enterprise"),
                ]
            )
        if (
            not problems
            and existing is not None
            and self.declared(order.platform_code, order.ecommerce_code, order.order_no)
        ):
            problems.append(self.declared_problem("order", "-301011"))
        if problems:
            self.refuse("order", ExportMessageType.ORDER_RECEIPT, order.declaration.guid, key, problems, keys)
            return
        state = self.state_for(app_type, order.declaration.app_status)
        row = existing or ExportOrderRecord(received_at=self.now)
        row.guid, row.app_status, row.state = order.declaration.guid, order.declaration.app_status, state
        row.order_type, row.platform_code, row.ecommerce_code = (
            order.order_type,
            order.platform_code,
            order.ecommerce_code,
        )
        row.order_no, row.currency, row.goods_value, row.freight = (
            order.order_no,
            order.currency,
            order.goods_value,
            order.freight,
        )
        note = ""
        row.warehouse_id = None
        if order.order_type == ExportOrderType.OVERSEAS_WAREHOUSE:
            warehouse = repo.warehouse_by_name(self.session, order.platform_name)
            row.warehouse_id = warehouse.id if warehouse is not None else None
            if warehouse is None:
                # Ruling 12: filing is no customs precondition since 2024-12-15; the booking is kept unlinked.
                note = f"overseas warehouse {order.platform_name!r} is not in the zone registry"
        row.payload, row.message_id, row.updated_at = seal(order), self.message_id, self.now
        self.session.add(row)
        self.session.flush()
        status = self.accepted_status(state)
        self.issue(
            "order", row.id, ExportMessageType.ORDER_RECEIPT, order.declaration.guid, status, text(status), **keys
        )
        self.record("order", key, status, note=note)
        if state == DocumentState.ACCEPTED:
            self.advance_all(
                repo.waiting_for_order(self.session, order.platform_code, order.ecommerce_code, order.order_no)
            )

    def handle_receipt_note(self, note: PaymentReceiptNote) -> None:
        """Accept, change or delete a receipt of payment (收款单)."""
        lock_keys(self.session, [f"export-order:{note.platform_code}:{note.ecommerce_code}:{note.order_no}"])
        key = f"{note.ecommerce_code}/{note.order_no}"
        keys = {"ecommerce_code": note.ecommerce_code, "order_no": note.order_no, "payment_no": note.payment_no}
        existing = repo.receipt_note_by_key(self.session, note.platform_code, note.ecommerce_code, note.order_no)
        if existing is not None and existing.guid == note.declaration.guid:
            self.record("payment_receipt", key, existing.state, note="resubmission: already processed")
            return
        app_type = note.declaration.app_type
        problems = self.change_problems("payment_receipt", existing, app_type, "-401007", "-401008")
        if not problems and app_type != AppType.DELETE:
            problems += check_payment_receipt_note(note)
            parties = [("payment_receipt.ecommerce_code", note.ecommerce_code, "ecommerce_enterprise")]
            if note.payment_code:
                parties.append(("payment_receipt.payment_code", note.payment_code, "payment_company"))
            problems += self.party_problems(parties)
        if (
            not problems
            and existing is not None
            and self.declared(note.platform_code, note.ecommerce_code, note.order_no)
        ):
            problems.append(self.declared_problem("payment_receipt", "-401008"))
        if problems:
            self.refuse(
                "payment_receipt",
                ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
                note.declaration.guid,
                key,
                problems,
                keys,
            )
            return
        state = self.state_for(app_type, note.declaration.app_status)
        row = existing or PaymentReceiptNoteRecord(received_at=self.now)
        row.guid, row.app_status, row.state = note.declaration.guid, note.declaration.app_status, state
        row.platform_code, row.ecommerce_code, row.order_no = note.platform_code, note.ecommerce_code, note.order_no
        row.payment_code, row.payment_no = note.payment_code, note.payment_no
        row.amount, row.currency, row.accounted_at = note.amount, note.currency, note.accounted_at
        row.payload, row.message_id, row.updated_at = seal(note), self.message_id, self.now
        self.session.add(row)
        self.session.flush()
        status = self.accepted_status(state)
        self.issue(
            "payment_receipt",
            row.id,
            ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
            note.declaration.guid,
            status,
            text(status),
            **keys,
        )
        self.record("payment_receipt", key, status)
        if state == DocumentState.ACCEPTED:
            self.advance_all(
                repo.waiting_for_order(self.session, note.platform_code, note.ecommerce_code, note.order_no)
            )

    def handle_waybill(self, waybill: ExportWaybill) -> None:
        """Accept, change or delete an export waybill."""
        lock_keys(self.session, [f"export-parcel:{waybill.logistics_code}:{waybill.logistics_no}"])
        key = f"{waybill.logistics_code}/{waybill.logistics_no}"
        keys = {"logistics_code": waybill.logistics_code, "logistics_no": waybill.logistics_no}
        existing = repo.waybill_by_key(self.session, waybill.logistics_code, waybill.logistics_no)
        if existing is not None and existing.guid == waybill.declaration.guid:
            self.record("waybill", key, existing.state, note="resubmission: already processed")
            return
        app_type = waybill.declaration.app_type
        problems = self.change_problems("waybill", existing, app_type, "-504015", "-504016")
        if not problems and app_type != AppType.DELETE:
            problems += check_export_waybill(waybill)
            problems += self.party_problems([("waybill.logistics_code", waybill.logistics_code, "logistics_company")])
        if problems:
            self.refuse("waybill", ExportMessageType.WAYBILL_RECEIPT, waybill.declaration.guid, key, problems, keys)
            return
        state = self.state_for(app_type, waybill.declaration.app_status)
        row = existing or ExportWaybillRecord(received_at=self.now)
        row.guid, row.app_status, row.state = waybill.declaration.guid, waybill.declaration.app_status, state
        row.logistics_code, row.logistics_no = waybill.logistics_code, waybill.logistics_no
        row.freight, row.insured_fee, row.currency = waybill.freight, waybill.insured_fee, waybill.currency
        row.payload, row.message_id, row.updated_at = seal(waybill), self.message_id, self.now
        self.session.add(row)
        self.session.flush()
        status = self.accepted_status(state)
        self.issue(
            "waybill", row.id, ExportMessageType.WAYBILL_RECEIPT, waybill.declaration.guid, status, text(status), **keys
        )
        self.record("waybill", key, status)
        if state == DocumentState.ACCEPTED:
            self.advance_all(repo.waiting_for_parcel(self.session, waybill.logistics_code, waybill.logistics_no))

    def declared(self, platform_code: str, ecommerce_code: str, order_no: str) -> bool:
        """Tell whether an inventory of the order is past the point where its partners may change."""
        inventory = repo.live_inventory_for_order(self.session, platform_code, ecommerce_code, order_no)
        return inventory is not None and inventory.status not in (ReturnStatus.DRAFT, ReturnStatus.DECLARING)

    @staticmethod
    def declared_problem(kind: str, code: str) -> Problem:
        """R12: refuse changes once the inventory is declared."""
        return problem(
            "R12",
            f"{kind}.app_type",
            "已申报清单，状态不符，不能变更或删除",
            f"the inventory is already declared; the {kind} can no longer change",
            "Cancel the inventory (CEB605) first if the order really changed.",
            code,
        )

    # --- inventories -------------------------------------------------------------------------------------

    def inventory_keys(self, row: ExportInventoryRecord) -> dict[str, str | int | None]:
        """Return the key fields of a CEB604 receipt."""
        return {
            "agent_code": row.agent_code,
            "enterprise_ref_no": row.enterprise_ref_no,
            "eport_no": row.eport_no,
            "inventory_no": row.inventory_no,
            "ecommerce_code": row.ecommerce_code,
            "platform_code": row.platform_code,
            "order_no": row.order_no,
            "statistics_flag": row.statistics_flag,
        }

    def set_status(
        self,
        row: ExportInventoryRecord,
        status: ReturnStatus,
        info: str,
        *,
        problems: list[Problem] | None = None,
        actor: str = "platform",
        reason: str | None = None,
    ) -> None:
        """Move an inventory to a status, with a CEB604 receipt and an audit record."""
        before = {"status": row.status}
        row.status, row.status_info, row.updated_at = status, info, self.now
        if problems is not None:
            row.problems = [p.as_dict() for p in problems]
        trade_facts.record_moved(self, row)
        self.issue(
            "inventory", row.id, ExportMessageType.INVENTORY_RECEIPT, row.guid, status, info, **self.inventory_keys(row)
        )
        self.audit(
            f"exports.inventory.{status_action(status)}", row.eport_no, before, {"status": str(status)}, reason, actor
        )

    def handle_inventory(self, inventory: ExportInventory) -> None:
        """Accept, change or delete an export inventory, then try to match it."""
        lock_keys(
            self.session,
            [
                f"export-order:{inventory.platform_code}:{inventory.ecommerce_code}:{inventory.order_no}",
                f"export-parcel:{inventory.logistics_code}:{inventory.logistics_no}",
            ],
        )
        key = f"{inventory.ecommerce_code}/{inventory.order_no}"
        if repo.inventory_by_guid(self.session, inventory.declaration.guid) is not None:
            self.record("inventory", key, "resent", note="resubmission: already processed")
            return
        existing = repo.live_inventory_for_order(
            self.session, inventory.platform_code, inventory.ecommerce_code, inventory.order_no
        )
        problems = self.inventory_change_problems(inventory, existing)
        if not problems and inventory.declaration.app_type != AppType.DELETE:
            problems += check_export_inventory(inventory)
            problems += self.party_problems(
                [
                    ("inventory.platform_code", inventory.platform_code, "ecommerce_platform"),
                    ("inventory.ecommerce_code", inventory.ecommerce_code, "ecommerce_enterprise"),
                    ("inventory.logistics_code", inventory.logistics_code, "logistics_company"),
                    ("inventory.agent_code", inventory.agent_code, None),
                ]
            )
        if problems:
            keys: dict[str, str | int | None] = {
                "agent_code": inventory.agent_code,
                "enterprise_ref_no": inventory.enterprise_ref_no,
                "eport_no": existing.eport_no if existing is not None else self.eport_number(),
                "inventory_no": existing.inventory_no if existing is not None else None,
                "ecommerce_code": inventory.ecommerce_code,
                "platform_code": inventory.platform_code,
                "order_no": inventory.order_no,
                "statistics_flag": inventory.statistics_flag,
            }
            self.refuse(
                "inventory", ExportMessageType.INVENTORY_RECEIPT, inventory.declaration.guid, key, problems, keys
            )
            return
        if inventory.declaration.app_type == AppType.DELETE:
            assert existing is not None
            existing.state = DocumentState.DELETED
            self.set_status(existing, ReturnStatus.CONCLUDED, "清单已删除 / inventory deleted")
            self.record("inventory", key, ReturnStatus.CONCLUDED, note="deleted")
            return
        row = existing if existing is not None else ExportInventoryRecord(received_at=self.now)
        if existing is None:
            row.eport_no = self.eport_number()
        else:
            repo.delete_lines(self.session, row.id)
        self.fill(row, inventory)
        self.session.add(row)
        self.session.flush()
        for line in inventory.lines:
            self.session.add(
                ExportInventoryLine(
                    inventory_id=row.id,
                    line_no=line.line_no,
                    item_no=line.item_no,
                    item_name=line.item_name,
                    hs_code=line.hs_code,
                    goods_name=line.goods_name,
                    destination_country=line.destination_country,
                    currency=line.currency,
                    quantity=line.quantity,
                    legal_quantity=line.legal_quantity,
                    unit=line.unit,
                    legal_unit=line.legal_unit,
                    unit_price=line.unit_price,
                    total_price=line.total_price,
                    returned_quantity=Decimal(0),
                )
            )
        self.session.flush()
        trade_facts.record_stored(self, row, inventory, replaces=existing is not None)
        if row.state == DocumentState.DRAFT:
            self.set_status(row, ReturnStatus.DRAFT, text(ReturnStatus.DRAFT))
            self.record("inventory", key, ReturnStatus.DRAFT)
            return
        self.set_status(row, ReturnStatus.DECLARING, text(ReturnStatus.DECLARING, "清单新增申报成功"))
        self.advance(row)
        stored = [Problem(**p) for p in row.problems or []]
        self.record("inventory", key, row.status, stored, row.waiting_for or "")

    def fill(self, row: ExportInventoryRecord, inventory: ExportInventory) -> None:
        """Copy a declared inventory onto its stored row."""
        row.guid, row.app_status = inventory.declaration.guid, inventory.declaration.app_status
        row.state = (
            DocumentState.ACCEPTED if inventory.declaration.app_status == AppStatus.DECLARED else DocumentState.DRAFT
        )
        row.platform_code, row.ecommerce_code, row.order_no = (
            inventory.platform_code,
            inventory.ecommerce_code,
            inventory.order_no,
        )
        row.logistics_code, row.logistics_no = inventory.logistics_code, inventory.logistics_no
        row.agent_code, row.owner_code, row.customs_code = (
            inventory.agent_code,
            inventory.owner_code,
            inventory.customs_code,
        )
        row.port_code, row.trade_mode, row.statistics_flag = (
            inventory.port_code,
            inventory.trade_mode,
            inventory.statistics_flag,
        )
        row.transport_mode, row.destination_country = inventory.transport_mode, inventory.destination_country
        row.currency = inventory.lines[0].currency if inventory.lines else ""
        row.goods_value = sum((line.total_price for line in inventory.lines), Decimal(0))
        row.gross_weight, row.net_weight, row.export_date = (
            inventory.gross_weight,
            inventory.net_weight,
            inventory.export_date,
        )
        row.enterprise_ref_no = inventory.enterprise_ref_no
        row.bill_no, row.voyage_no, row.transport_name = (
            inventory.bill_no,
            inventory.voyage_no,
            inventory.transport_name,
        )
        bill = repo.parcel(self.session, "bill", inventory.logistics_code, inventory.logistics_no)
        if bill is not None:  # E5: a master bill declared before the inventory supplies the transport details
            row.bill_no, row.voyage_no, row.transport_name = bill.bill_no, bill.voyage_no, bill.transport_name
        row.payload, row.message_id = seal(inventory), self.message_id
        row.declared_at, row.updated_at, row.problems, row.waiting_for = self.now, self.now, None, None
        row.status, row.status_info = "", ""

    def inventory_change_problems(
        self, inventory: ExportInventory, existing: ExportInventoryRecord | None
    ) -> list[Problem]:
        """R11/R12 for inventories: one live inventory per order; changes only before a customs decision."""
        app_type = inventory.declaration.app_type
        foreign = self.original_problems(existing) if app_type != AppType.NEW else []
        if foreign:
            return foreign
        if app_type == AppType.NEW and existing is not None:
            return [
                problem(
                    "R11",
                    "inventory.order_no",
                    "该订单的清单已申报过",
                    "an inventory of this order exists",
                    "Send appType 2 to change it, or cancel it first (CEB605).",
                    "-621004",
                )
            ]
        if app_type != AppType.NEW and existing is None:
            return [
                problem(
                    "R12",
                    "inventory.app_type",
                    "变更或删除的清单不存在",
                    "no inventory to change",
                    "Send appType 1 first.",
                    "-621011",
                )
            ]
        if app_type != AppType.NEW and existing is not None and existing.status not in OPEN:
            return [
                problem(
                    "R12",
                    "inventory.app_type",
                    "清单已进入海关审核，不能变更或删除",
                    "the inventory is past the point where it may change",
                    "Cancel the inventory with CEB605 and declare it again.",
                    "-621012",
                )
            ]
        return []

    # --- matching and decision -------------------------------------------------------------------------

    def advance_all(self, rows: list[ExportInventoryRecord]) -> None:
        """Advance inventories that waited for a partner document or an arrival."""
        for row in rows:
            self.advance(row)

    def receipt_note_required(self, inventory: ExportInventory) -> bool:
        """Tell whether the inventory needs a receipt of payment on its declaration date (dated setting)."""
        if inventory.trade_mode not in RECEIPT_NOTE_TRADE_MODES:
            return False
        required = parameter(self.session, "payment_receipt_required", business_date(inventory.declaration.app_time))
        return bool(required)

    def partners(self, row: ExportInventoryRecord, inventory: ExportInventory) -> tuple[Partners | None, list[str]]:
        """Return the inventory's accepted partners, or the names of those still missing."""
        order_row = repo.order_by_key(self.session, row.platform_code, row.ecommerce_code, row.order_no)
        waybill_row = repo.waybill_by_key(self.session, row.logistics_code, row.logistics_no)
        note_row = repo.receipt_note_by_key(self.session, row.platform_code, row.ecommerce_code, row.order_no)
        note_live = note_row is not None and note_row.state == DocumentState.ACCEPTED
        missing = [
            name
            for name, found in (("order", order_row), ("waybill", waybill_row))
            if found is None or found.state != DocumentState.ACCEPTED
        ]
        if not note_live and self.receipt_note_required(inventory):
            missing.insert(1, "payment_receipt")
        if missing:
            return None, missing
        assert order_row is not None and waybill_row is not None
        return (
            Partners(
                unseal(ExportOrder, order_row.payload),
                unseal(ExportWaybill, waybill_row.payload),
                unseal(PaymentReceiptNote, note_row.payload) if note_live and note_row is not None else None,
            ),
            [],
        )

    def advance(self, row: ExportInventoryRecord) -> None:
        """Move an inventory as far as its partners allow: match (E1-E3, E8), wait for arrival (E4), decide."""
        if row.status == ReturnStatus.DECLARING:
            inventory = unseal(ExportInventory, row.payload)
            partners, missing = self.partners(row, inventory)
            if partners is None:
                row.waiting_for = ",".join(missing)
                return
            problems = [
                *match_inventory_order(inventory, partners.order),
                *match_inventory_waybill(inventory, partners.waybill),
                *(match_payment_receipt(partners.order, partners.receipt_note) if partners.receipt_note else []),
            ]
            if problems:
                self.refuse_inventory(row, problems)
                return
            order_row = repo.order_by_key(self.session, row.platform_code, row.ecommerce_code, row.order_no)
            row.warehouse_id = order_row.warehouse_id if order_row is not None else None
            row.inventory_no = self.customs_number(row.customs_code, "E")
            row.waiting_for = None
            self.set_status(row, ReturnStatus.ACCEPTED, text(ReturnStatus.ACCEPTED))
        if row.status == ReturnStatus.ACCEPTED:
            if repo.parcel(self.session, "arrival", row.logistics_code, row.logistics_no) is None:
                row.waiting_for = "arrival"
                return
            row.waiting_for = None
            self.decide(row)

    def policy(self) -> DecisionPolicy:
        """Return the decision policy configured for this zone."""
        settings = self.ctx.settings
        rng = random.Random(settings.random_seed) if settings.random_seed is not None else random.Random()
        return DecisionPolicy(
            inspection_rate=settings.random_inspection_rate,
            review_rate=settings.random_review_rate,
            # The value threshold is set for import dutiable values in CNY; exports are not held by value.
            review_value_at_or_above=None,
            rng=rng,
        )

    def decide(self, row: ExportInventoryRecord) -> None:
        """Send an arrived inventory to release, manual review or inspection."""
        facts = InventoryFacts(
            inventory_id=row.id,
            trade_mode=row.trade_mode,
            ecommerce_code=row.ecommerce_code,
            platform_code=row.platform_code,
            dutiable_value=row.goods_value,
            hs_codes=tuple(line.hs_code for line in repo.lines_of(self.session, row.id)),
            buyer_key="",
        )
        decision = self.policy().decide(facts)
        reasons = "; ".join(decision.reasons)
        if decision.outcome == Outcome.REVIEW:
            self.set_status(row, ReturnStatus.MANUAL_REVIEW, text(ReturnStatus.MANUAL_REVIEW, reasons), reason=reasons)
        elif decision.outcome == Outcome.INSPECT:
            self.set_status(row, ReturnStatus.INSPECTION, text(ReturnStatus.INSPECTION, reasons), reason=reasons)
        else:
            self.release(row)

    def release(self, row: ExportInventoryRecord, *, actor: str = "platform", reason: str | None = None) -> None:
        """Conclude (399) and release (800) an export inventory."""
        self.set_status(row, ReturnStatus.CONCLUDED, text(ReturnStatus.CONCLUDED), actor=actor, reason=reason)
        row.released_at = self.now
        self.set_status(row, ReturnStatus.RELEASED, text(ReturnStatus.RELEASED), actor=actor, reason=reason)

    def refuse_inventory(
        self, row: ExportInventoryRecord, problems: list[Problem], *, actor: str = "platform", reason: str | None = None
    ) -> None:
        """Refuse an inventory (退单) with every problem explained."""
        row.waiting_for = None
        self.set_status(
            row, ReturnStatus.REFUSED, refusal_text(problems), problems=problems, actor=actor, reason=reason
        )


def status_action(status: str) -> str:
    """Return the audit action name of a status change."""
    return {
        "1": "drafted",
        "2": "declared",
        "120": "accepted",
        "300": "held_for_review",
        "399": "concluded",
        "500": "held_for_inspection",
        "800": "released",
        "899": "closed",
        "100": "refused",
    }.get(status, "changed")


__all__ = ["ExportClearance", "Partners", "status_action"]
