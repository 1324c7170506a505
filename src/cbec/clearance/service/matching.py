"""Matching an inventory with its partners (三单对碰): order, payment and waybill, then tax, quota and decision.

The last partner to arrive moves the inventory on: ``advance`` runs the cross-document checks, the assessment
(``cbec.clearance.service.assessment``), numbers it and hands it to the decision (``release.decide``). A
direct-purchase inventory (9610) also waits for its parcel's arrival.
"""

from __future__ import annotations

from dataclasses import dataclass

from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import InventoryRecord
from cbec.clearance.rules import (
    TRADE_DIRECT,
    match_inventory_order,
    match_inventory_waybill,
    match_order_payment,
    match_order_waybill,
)
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.assessment import assess
from cbec.clearance.service.release import decide, refuse_inventory, set_status
from cbec.clearance.service.run import ImportRun, open_payload, text
from cbec.clearance.service.store import order_lock, waybill_lock
from cbec.common.errors import Problem
from cbec.intake import numbers
from cbec.messages.documents import ImportOrder, Inventory, MessageType, Payment, Waybill


@dataclass(frozen=True, slots=True)
class Partners:
    """The order, payment and waybill an inventory is matched with."""

    order: ImportOrder
    payment: Payment
    waybill: Waybill


def inventory_number(run: ImportRun, inventory: InventoryRecord) -> str:
    """Assign a customs inventory number: district + year + I + 9-digit serial (18 characters)."""
    code = inventory.customs_code
    return numbers.customs_number(run.session, run.now, code, "I", f"invt:{code}")


def advance_waiting(run: ImportRun, inventories: list[InventoryRecord]) -> None:
    """Advance inventories that waited for a partner document."""
    for inventory in inventories:
        advance(run, inventory)


def partners_of(run: ImportRun, inventory: InventoryRecord) -> tuple[Partners | None, list[str]]:
    """Return the inventory's accepted partners, or the list of those still missing."""
    order_row = run.store.order(inventory.platform_code, inventory.order_no)
    payment_row = run.store.payment_for_order(inventory.platform_code, inventory.order_no)
    waybill_row = run.store.waybill(inventory.logistics_code, inventory.logistics_no)
    missing = [
        name
        for name, row in (("order", order_row), ("payment", payment_row), ("waybill", waybill_row))
        if row is None or row.state != DocumentState.ACCEPTED
    ]
    if missing:
        return None, missing
    assert order_row is not None and payment_row is not None and waybill_row is not None
    return Partners(
        open_payload(run, MessageType.ORDER, order_row.payload),
        open_payload(run, MessageType.PAYMENT, payment_row.payload),
        open_payload(run, MessageType.WAYBILL, waybill_row.payload),
    ), []


def advance(run: ImportRun, inventory: InventoryRecord) -> None:
    """Move an inventory as far as its partners allow: match, tax, quota, then decide."""
    # Its partners, its arrival and its buyer's quota are read under its own keys (see WorkingSet.require).
    run.store.require(
        [
            order_lock(inventory.platform_code, inventory.order_no),
            waybill_lock(inventory.logistics_code, inventory.logistics_no),
            f"buyer:{inventory.buyer_key}",
        ]
    )
    if inventory.status == ReturnStatus.DECLARING:
        partners, missing = partners_of(run, inventory)
        if partners is None:
            inventory.waiting_for = ",".join(missing)
            return
        declared: Inventory = open_payload(run, MessageType.INVENTORY, inventory.payload)
        problems = match(run, declared, partners)
        if not problems:
            problems = assess(run, inventory, declared)
        if problems:
            refuse_inventory(run, inventory, problems)
            return
        trade_facts.stage_partners(run, inventory, partners.order, partners.payment)
        inventory.inventory_no = inventory_number(run, inventory)
        inventory.waiting_for = None
        set_status(run, inventory, ReturnStatus.ACCEPTED, text(ReturnStatus.ACCEPTED))
    if inventory.status == ReturnStatus.ACCEPTED:
        if (
            inventory.trade_mode == TRADE_DIRECT
            and run.store.arrival_parcel(inventory.logistics_code, inventory.logistics_no) is None
        ):
            inventory.waiting_for = "arrival"
            return
        inventory.waiting_for = None
        decide(run, inventory)


def match(run: ImportRun, inventory: Inventory, partners: Partners) -> list[Problem]:
    """Run the cross-document checks M2-M10."""
    certified = partners.order.platform_code in run.ctx.settings.identity_certified_platforms
    return [
        *match_order_payment(partners.order, partners.payment, buyer_certified=certified),
        *match_order_waybill(partners.order, partners.waybill),
        *match_inventory_order(inventory, partners.order),
        *match_inventory_waybill(inventory, partners.waybill),
    ]
