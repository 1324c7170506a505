"""Import inventories as they arrive (进口清单申报): accept, change or delete one, then match it.

A declared inventory goes on at once as far as its partners allow (``cbec.clearance.service.matching.advance``).
"""

from __future__ import annotations

from cbec.clearance.codes import INVENTORY_OPEN, DocumentState, ReturnStatus
from cbec.clearance.models import InventoryRecord
from cbec.clearance.rules import check_inventory
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.matching import advance
from cbec.clearance.service.release import set_status
from cbec.clearance.service.run import (
    ImportRun,
    eport_number,
    identity_problems,
    original_problems,
    party_problems,
    record,
    refuse_document,
    seal,
    stored,
    text,
)
from cbec.clearance.service.store import order_lock, waybill_lock
from cbec.common.errors import Problem
from cbec.intake import problem
from cbec.messages.documents import AppStatus, AppType, Inventory, MessageType


def handle_inventory(run: ImportRun, inventory: Inventory) -> None:
    """Accept, change or delete an inventory, then try to match it."""
    run.store.lock(
        [
            order_lock(inventory.platform_code, inventory.order_no),
            waybill_lock(inventory.logistics_code, inventory.logistics_no),
        ]
    )
    key = f"{inventory.ecommerce_code}/{inventory.order_no}"
    keys: dict[str, str | None] = {
        "customs_code": inventory.customs_code,
        "platform_code": inventory.platform_code,
        "ecommerce_code": inventory.ecommerce_code,
        "agent_code": inventory.agent_code,
        "enterprise_ref_no": inventory.enterprise_ref_no or inventory.order_no[:20],
        "eport_no": inventory.eport_no,
        "inventory_no": inventory.inventory_no,
    }
    resent = run.store.inventory_by_guid(inventory.declaration.guid)
    if resent is not None:
        record(run, "inventory", key, resent.status, note="resubmission: already processed")
        return
    existing = run.store.live_inventory_for_order(inventory.platform_code, inventory.order_no)
    problems = inventory_change_problems(run, inventory, existing)
    if not problems and inventory.declaration.app_type != AppType.DELETE:
        problems += check_inventory(inventory, signed=run.signed)
        problems += identity_problems(run, "inventory.buyer_id_number", inventory.buyer_id_number)
        problems += party_problems(
            run,
            [
                ("inventory.platform_code", inventory.platform_code, "ecommerce_platform"),
                ("inventory.ecommerce_code", inventory.ecommerce_code, "ecommerce_enterprise"),
                ("inventory.logistics_code", inventory.logistics_code, "logistics_company"),
                ("inventory.agent_code", inventory.agent_code, None),
                ("inventory.guarantor_code", inventory.guarantor_code, None),
            ],
        )
    if problems:
        # The E-port numbers every declaration it receives, refused or not (CEB622 preNo is mandatory).
        keys["eport_no"] = existing.eport_no if existing is not None else eport_number(run)
        keys["inventory_no"] = existing.inventory_no if existing is not None else None
        refuse_document(
            run, "inventory", None, MessageType.INVENTORY_RECEIPT, inventory.declaration.guid, key, problems, keys
        )
        return
    if inventory.declaration.app_type == AppType.DELETE:
        assert existing is not None
        existing.state = DocumentState.DELETED
        set_status(run, existing, ReturnStatus.CONCLUDED, "清单已删除 / inventory deleted")
        record(run, "inventory", key, ReturnStatus.CONCLUDED, note="deleted")
        return
    row = existing if existing is not None else InventoryRecord(received_at=run.now)
    if existing is None:
        row.eport_no = eport_number(run)
        run.quota.fresh(row.eport_no)  # a new E-port number holds no quota yet: no look-up needed
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
    row.agent_code, row.customs_code, row.trade_mode = (
        inventory.agent_code,
        inventory.customs_code,
        inventory.trade_mode,
    )
    row.enterprise_ref_no, row.bill_no = inventory.enterprise_ref_no, inventory.bill_no
    row.buyer_key = run.ctx.cipher.blind_index(inventory.buyer_id_number)
    row.payload, row.message_id = seal(run, inventory), run.message_id
    row.declared_at, row.updated_at, row.problems, row.waiting_for = run.now, run.now, None, None
    row.status, row.status_info = "", ""
    stored(run, row)
    run.store.register_inventory(row, new=existing is None)
    trade_facts.record_stored(run, row, inventory, replaces=existing is not None)
    if row.state == DocumentState.DRAFT:
        set_status(run, row, ReturnStatus.DRAFT, text(ReturnStatus.DRAFT))
        record(run, "inventory", key, ReturnStatus.DRAFT)
        return
    set_status(run, row, ReturnStatus.DECLARING, text(ReturnStatus.DECLARING, "清单新增申报成功"))
    advance(run, row)
    kept: list[dict[str, str | None]] = list(row.problems or [])
    record(run, "inventory", key, row.status, [Problem(**e) for e in kept], row.waiting_for or "")  # type: ignore[arg-type]


def inventory_change_problems(run: ImportRun, inventory: Inventory, existing: InventoryRecord | None) -> list[Problem]:
    """R11/R12 for inventories: one live inventory per order; changes only before a customs decision."""
    app_type = inventory.declaration.app_type
    if app_type == AppType.NEW and existing is not None:
        return [
            problem(
                "R11",
                "inventory.order_no",
                "该订单的清单已申报过",
                "an inventory of this order exists",
                "Send appType 2 to change it, or cancel it first (CEB623).",
                "-621004",
            )
        ]
    if app_type != AppType.NEW:
        foreign = original_problems(run, existing)
        if foreign:
            return foreign
        if existing is None:
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
        if existing.status not in INVENTORY_OPEN:
            return [
                problem(
                    "R12",
                    "inventory.app_type",
                    "清单已进入海关审核，不能变更或删除",
                    "the inventory is past the point where it may change",
                    "Cancel the inventory with CEB623 and declare it again.",
                    "-621012",
                )
            ]
    return []
