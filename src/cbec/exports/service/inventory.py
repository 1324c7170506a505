"""Export inventory clearance (出口清单核放): inventories, matching with their partners, the decision, release.

An inventory waits for its partners (``partners``: order, receipt of payment, waybill); the last one to arrive
triggers the checks (E1-E3). An accepted (120)
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
from cbec.exports.models import ExportInventoryLine, ExportInventoryRecord
from cbec.exports.rules import check_export_inventory
from cbec.exports.service import facts as trade_facts
from cbec.exports.service.reference import parameter
from cbec.exports.service.run import (
    ExportRun,
    audit,
    customs_number,
    eport_number,
    issue,
    opened,
    original_problems,
    party_problems,
    record,
    refuse,
    sealed,
    stored,
    text,
    working_set,
)
from cbec.exports.service.store import order_lock, parcel_lock
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.intake.receipts import refusal_text
from cbec.messages.documents import AppStatus, AppType
from cbec.messages.export_documents import (
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportWaybill,
    PaymentReceiptNote,
)
from cbec.supervision import DecisionPolicy, InventoryFacts, Outcome, applying, measures_in_force, subjects_of

RECEIPT_NOTE_TRADE_MODES = (*RETAIL_TRADE_MODES, B2B_DIRECT)  # 9810 bookings never had a receipt of payment


@dataclass(frozen=True, slots=True)
class Partners:
    """The order, waybill and (when present) receipt of payment an inventory is matched with."""

    order: ExportOrder
    waybill: ExportWaybill
    receipt_note: PaymentReceiptNote | None


# --- inventories -------------------------------------------------------------------------------------


def inventory_keys(row: ExportInventoryRecord) -> dict[str, str | int | None]:
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
    run: ExportRun,
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
    row.status, row.status_info, row.updated_at = status, info, run.now
    if problems is not None:
        row.problems = [p.as_dict() for p in problems]
    trade_facts.record_moved(run, row)
    issue(run, "inventory", row.id, ExportMessageType.INVENTORY_RECEIPT, row.guid, status, info, **inventory_keys(row))
    audit(
        run, f"exports.inventory.{status_action(status)}", row.eport_no, before, {"status": str(status)}, reason, actor
    )


def handle_inventory(run: ExportRun, inventory: ExportInventory) -> None:
    """Accept, change or delete an export inventory, then try to match it."""
    store = working_set(run)
    order_key = (inventory.platform_code, inventory.ecommerce_code, inventory.order_no)
    store.lock([order_lock(order_key), parcel_lock((inventory.logistics_code, inventory.logistics_no))])
    key = f"{inventory.ecommerce_code}/{inventory.order_no}"
    if store.inventory_by_guid(inventory.declaration.guid) is not None:
        record(run, "inventory", key, "resent", note="resubmission: already processed")
        return
    existing = store.live_inventory_for_order(order_key)
    problems = inventory_change_problems(run, inventory, existing)
    if not problems and inventory.declaration.app_type != AppType.DELETE:
        problems += check_export_inventory(inventory)
        problems += party_problems(
            run,
            [
                ("inventory.platform_code", inventory.platform_code, "ecommerce_platform"),
                ("inventory.ecommerce_code", inventory.ecommerce_code, "ecommerce_enterprise"),
                ("inventory.logistics_code", inventory.logistics_code, "logistics_company"),
                ("inventory.agent_code", inventory.agent_code, None),
            ],
        )
    if problems:
        keys: dict[str, str | int | None] = {
            "agent_code": inventory.agent_code,
            "enterprise_ref_no": inventory.enterprise_ref_no,
            "eport_no": existing.eport_no if existing is not None else eport_number(run),
            "inventory_no": existing.inventory_no if existing is not None else None,
            "ecommerce_code": inventory.ecommerce_code,
            "platform_code": inventory.platform_code,
            "order_no": inventory.order_no,
            "statistics_flag": inventory.statistics_flag,
        }
        refuse(run, "inventory", ExportMessageType.INVENTORY_RECEIPT, inventory.declaration.guid, key, problems, keys)
        return
    if inventory.declaration.app_type == AppType.DELETE:
        assert existing is not None
        existing.state = DocumentState.DELETED
        set_status(run, existing, ReturnStatus.CONCLUDED, "清单已删除 / inventory deleted")
        record(run, "inventory", key, ReturnStatus.CONCLUDED, note="deleted")
        return
    row = existing if existing is not None else ExportInventoryRecord(received_at=run.now)
    if existing is None:
        row.eport_no = eport_number(run)
    else:
        run.session.flush()  # (rare) lines stored earlier in this message are written, then all are removed
        repo.delete_lines(run.session, row.id)
    fill(run, row, inventory)
    stored(run, row)
    lines = [
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
        for line in inventory.lines
    ]
    run.session.add_all(lines)
    store.register_inventory(row, lines)
    trade_facts.record_stored(run, row, inventory, replaces=existing is not None)
    if row.state == DocumentState.DRAFT:
        set_status(run, row, ReturnStatus.DRAFT, text(ReturnStatus.DRAFT))
        record(run, "inventory", key, ReturnStatus.DRAFT)
        return
    set_status(run, row, ReturnStatus.DECLARING, text(ReturnStatus.DECLARING, "清单新增申报成功"))
    advance(run, row)
    kept = [Problem(**p) for p in row.problems or []]
    record(run, "inventory", key, row.status, kept, row.waiting_for or "")


def fill(run: ExportRun, row: ExportInventoryRecord, inventory: ExportInventory) -> None:
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
    bill = working_set(run).parcel("bill", (inventory.logistics_code, inventory.logistics_no))
    if bill is not None:  # E5: a master bill declared before the inventory supplies the transport details
        row.bill_no, row.voyage_no, row.transport_name = bill.bill_no, bill.voyage_no, bill.transport_name
    row.payload, row.message_id = sealed(run, inventory), run.message_id
    row.declared_at, row.updated_at, row.problems, row.waiting_for = run.now, run.now, None, None
    row.status, row.status_info = "", ""


def inventory_change_problems(
    run: ExportRun, inventory: ExportInventory, existing: ExportInventoryRecord | None
) -> list[Problem]:
    """R11/R12 for inventories: one live inventory per order; changes only before a customs decision."""
    app_type = inventory.declaration.app_type
    foreign = original_problems(run, existing) if app_type != AppType.NEW else []
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


def advance_all(run: ExportRun, rows: list[ExportInventoryRecord]) -> None:
    """Advance inventories that waited for a partner document or an arrival."""
    for row in rows:
        advance(run, row)


def receipt_note_required(run: ExportRun, inventory: ExportInventory) -> bool:
    """Tell whether the inventory needs a receipt of payment on its declaration date (dated setting)."""
    if inventory.trade_mode not in RECEIPT_NOTE_TRADE_MODES:
        return False
    required = parameter(run.session, "payment_receipt_required", business_date(inventory.declaration.app_time))
    return bool(required)


def partners_of(
    run: ExportRun, row: ExportInventoryRecord, inventory: ExportInventory
) -> tuple[Partners | None, list[str]]:
    """Return the inventory's accepted partners, or the names of those still missing."""
    store = working_set(run)
    order_row = store.order((row.platform_code, row.ecommerce_code, row.order_no))
    waybill_row = store.waybill((row.logistics_code, row.logistics_no))
    note_row = store.receipt_note((row.platform_code, row.ecommerce_code, row.order_no))
    note_live = note_row is not None and note_row.state == DocumentState.ACCEPTED
    missing = [
        name
        for name, found in (("order", order_row), ("waybill", waybill_row))
        if found is None or found.state != DocumentState.ACCEPTED
    ]
    if not note_live and receipt_note_required(run, inventory):
        missing.insert(1, "payment_receipt")
    if missing:
        return None, missing
    assert order_row is not None and waybill_row is not None
    return (
        Partners(
            opened(run, ExportOrder, order_row.payload),
            opened(run, ExportWaybill, waybill_row.payload),
            opened(run, PaymentReceiptNote, note_row.payload) if note_live and note_row is not None else None,
        ),
        [],
    )


def advance(run: ExportRun, row: ExportInventoryRecord) -> None:
    """Move an inventory as far as its partners allow: match (E1-E3, E8), wait for arrival (E4), decide."""
    if row.status == ReturnStatus.DECLARING:
        inventory = opened(run, ExportInventory, row.payload)
        partners, missing = partners_of(run, row, inventory)
        if partners is None:
            row.waiting_for = ",".join(missing)
            return
        problems = [
            *match_inventory_order(inventory, partners.order),
            *match_inventory_waybill(inventory, partners.waybill),
            *(match_payment_receipt(partners.order, partners.receipt_note) if partners.receipt_note else []),
        ]
        if problems:
            refuse_inventory(run, row, problems)
            return
        order_row = working_set(run).order((row.platform_code, row.ecommerce_code, row.order_no))
        row.warehouse_id = order_row.warehouse_id if order_row is not None else None
        row.inventory_no = customs_number(run, row.customs_code, "E")
        row.waiting_for = None
        set_status(run, row, ReturnStatus.ACCEPTED, text(ReturnStatus.ACCEPTED))
    if row.status == ReturnStatus.ACCEPTED:
        if working_set(run).parcel("arrival", (row.logistics_code, row.logistics_no)) is None:
            row.waiting_for = "arrival"
            return
        row.waiting_for = None
        decide(run, row)


def policy(run: ExportRun) -> DecisionPolicy:
    """Return the decision policy configured for this zone."""
    settings = run.ctx.settings
    rng = random.Random(settings.random_seed) if settings.random_seed is not None else random.Random()
    return DecisionPolicy(
        inspection_rate=settings.random_inspection_rate,
        review_rate=settings.random_review_rate,
        # The value threshold is set for import dutiable values in CNY; exports are not held by value.
        review_value_at_or_above=None,
        rng=rng,
    )


def decide(run: ExportRun, row: ExportInventoryRecord) -> None:
    """Send an arrived inventory to release, manual review or inspection."""
    facts = InventoryFacts(
        inventory_id=row.id,
        trade_mode=row.trade_mode,
        ecommerce_code=row.ecommerce_code,
        platform_code=row.platform_code,
        dutiable_value=row.goods_value,
        hs_codes=tuple(line.hs_code for line in working_set(run).lines_of(row.id)),
        buyer_key="",
    )
    # 分类监管: the measures in force on its enterprises and itself (credit levels' inspection rates, list and risk
    # holds), as an import's decision reads them; none is read where no subject has a measure (a cached set).
    subjects = subjects_of((row.ecommerce_code, row.platform_code, row.agent_code, row.owner_code), None, row.eport_no)
    measures = applying(measures_in_force(run.session, subjects, run.now), subjects, run.now)
    decision = policy(run).decide(facts, measures)
    reasons = "; ".join(decision.reasons)
    if decision.outcome == Outcome.REVIEW:
        set_status(run, row, ReturnStatus.MANUAL_REVIEW, text(ReturnStatus.MANUAL_REVIEW, reasons), reason=reasons)
    elif decision.outcome == Outcome.INSPECT:
        set_status(run, row, ReturnStatus.INSPECTION, text(ReturnStatus.INSPECTION, reasons), reason=reasons)
    else:
        release(run, row)


def release(run: ExportRun, row: ExportInventoryRecord, *, actor: str = "platform", reason: str | None = None) -> None:
    """Conclude (399) and release (800) an export inventory."""
    set_status(run, row, ReturnStatus.CONCLUDED, text(ReturnStatus.CONCLUDED), actor=actor, reason=reason)
    row.released_at = run.now
    set_status(run, row, ReturnStatus.RELEASED, text(ReturnStatus.RELEASED), actor=actor, reason=reason)


def refuse_inventory(
    run: ExportRun,
    row: ExportInventoryRecord,
    problems: list[Problem],
    *,
    actor: str = "platform",
    reason: str | None = None,
) -> None:
    """Refuse an inventory (退单) with every problem explained."""
    row.waiting_for = None
    set_status(run, row, ReturnStatus.REFUSED, refusal_text(problems), problems=problems, actor=actor, reason=reason)


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
