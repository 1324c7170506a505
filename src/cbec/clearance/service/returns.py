"""Returns (退货, CEB625): applied for within the window; completed when the goods are back, or lapsed.

``handle_return`` registers the application from a message; ``complete_return`` and ``lapse_return`` are run by
an officer's confirmation and the daily jobs (``cbec.clearance.service.officer``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cbec.clearance import repository as repo
from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import InventoryRecord, ReturnRecord
from cbec.clearance.rules import ReturnedSoFar, check_return_window, match_return
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.release import issue_tax_bill, release_quota, void_tax_bill
from cbec.clearance.service.run import (
    ImportRun,
    audit,
    eport_number,
    issue,
    open_payload,
    original_problems,
    party_problems,
    record,
    refuse_document,
    request_keys,
    seal,
    text,
)
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.money import to_fen
from cbec.intake import problem
from cbec.messages.documents import Inventory, MessageType, ReturnRequest
from cbec.quota.errors import QuotaConsumptionNotFound
from cbec.quota.service import restore_quantity
from cbec.reference import tax_parameters


def handle_return(run: ImportRun, request: ReturnRequest) -> None:
    """Register a return within the 30-day window; the quota comes back once the goods do."""
    key = request.inventory_no
    keys = request_keys(request)
    # Looked up in the database (and locked): write what the message changed so far first.
    run.session.flush()
    if repo.return_by_guid(run.session, request.declaration.guid) is not None:
        record(run, "return", key, "resent", note="resubmission: already processed")
        return
    inventory = repo.inventory_by_number(run.session, request.inventory_no, for_update=True)
    problems: list[Problem] = original_problems(run, inventory, what="inventory")
    applied_on = business_date(request.declaration.app_time)
    params = tax_parameters(run.session, applied_on)
    if inventory is None or inventory.released_at is None or inventory.state == DocumentState.CANCELLED:
        problems.append(
            problem(
                "M16",
                "return.inventory_no",
                "清单不存在或未放行",
                "no released inventory with this number",
                "Returns apply to released inventories; name the invtNo of the CEB622.",
                "-625005",
            )
        )
    else:
        returned = ReturnedSoFar(returned_quantities(run, inventory))
        problems += match_return(request, open_payload(run, MessageType.INVENTORY, inventory.payload), returned)
        problems += check_return_window(
            business_date(inventory.released_at), applied_on, apply_days=int(params["return_apply_days"])
        )
        problems += party_problems(run, [("return.agent_code", request.agent_code, None)])
    keys["eport_no"] = inventory.eport_no if inventory is not None else eport_number(run)
    keys["inventory_no"] = inventory.inventory_no if inventory is not None else None
    if problems:
        refuse_document(run, "return", None, MessageType.RETURN_RECEIPT, request.declaration.guid, key, problems, keys)
        return
    assert inventory is not None and inventory.released_at is not None
    arrive_by = business_date(inventory.released_at) + timedelta(days=int(params["return_arrive_days"]))
    row = ReturnRecord(
        guid=request.declaration.guid,
        app_status=request.declaration.app_status,
        state=DocumentState.APPLIED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(run, request),
        inventory_id=inventory.id,
        inventory_no=request.inventory_no,
        applied_on=applied_on,
        arrive_by=arrive_by,
        returned_lines={str(line.line_no): str(line.quantity) for line in request.lines},
    )
    run.session.add(row)
    run.session.flush()
    audit(
        run,
        "clearance.return.applied",
        "inventory",
        inventory.eport_no,
        None,
        {"return_id": row.id, "lines": row.returned_lines},
        request.reason,
        request.agent_code,
    )
    issue(
        run,
        "return",
        row.id,
        MessageType.RETURN_RECEIPT,
        request.declaration.guid,
        ReturnStatus.ACCEPTED,
        text(ReturnStatus.ACCEPTED, f"退货申请已受理，货物须于 {arrive_by.isoformat()} 前退回监管场所"),
        **keys,
    )
    record(run, "return", key, ReturnStatus.ACCEPTED, note=f"goods due back by {arrive_by.isoformat()}")


def returned_quantities(run: ImportRun, inventory: InventoryRecord) -> dict[int, Decimal]:
    """Return the quantities per line already returned or being returned."""
    total: dict[int, Decimal] = {}
    for earlier in repo.returns_of_inventory(run.session, inventory.id):
        if earlier.state in (DocumentState.APPLIED, DocumentState.COMPLETED):
            for line_no, quantity in earlier.returned_lines.items():
                total[int(line_no)] = total.get(int(line_no), Decimal(0)) + Decimal(quantity)
    return total


def complete_return(run: ImportRun, row: ReturnRecord, inventory: InventoryRecord, *, actor: str) -> None:
    """Goods are back in time: restore the returned lines' value to the quota and cancel their taxes."""
    declared: Inventory = open_payload(run, MessageType.INVENTORY, inventory.payload)
    quantities = {line.line_no: line.quantity for line in declared.lines}
    remaining: list[dict[str, str]] = []
    restored = Decimal(0)
    for tax_line in inventory.tax_lines or []:
        line_no = int(tax_line["line_no"])
        back = Decimal(row.returned_lines.get(str(line_no), "0"))
        share = back / quantities[line_no] if quantities.get(line_no) else Decimal(0)
        # The returned part is rounded; the kept part is what remains, so the two add up exactly.
        returned = {
            name: to_fen(Decimal(tax_line[name]) * share)
            for name in ("dutiable_value", "customs_duty", "vat", "consumption_tax")
        }
        restored += returned["dutiable_value"]
        remaining.append(
            {
                "line_no": tax_line["line_no"],
                "hs_code": tax_line["hs_code"],
                **{name: str(Decimal(tax_line[name]) - value) for name, value in returned.items()},
            }
        )
    release_quota(run, inventory, restored, f"return:{row.id}")
    for line in declared.lines:
        back = Decimal(row.returned_lines.get(str(line.line_no), "0"))
        if back <= 0:
            continue
        try:
            restore_quantity(
                run.session,
                inventory_ref=inventory.eport_no,
                hs8=line.hs_code[:8],
                restore_ref=f"{inventory.eport_no}:return:{row.id}",
                quantity=line.legal_quantity * back / line.quantity,
                at=run.now,
            )
        except QuotaConsumptionNotFound:
            continue  # the goods have no per-person quantity cap
    void_tax_bill(run, inventory)
    inventory.tax_lines = remaining
    for name in ("customs_duty", "vat", "consumption_tax"):
        setattr(inventory, name, to_fen(sum((Decimal(x[name]) for x in remaining), Decimal(0))))
    inventory.dutiable_value = to_fen(sum((Decimal(x["dutiable_value"]) for x in remaining), Decimal(0)))
    if any(Decimal(x["dutiable_value"]) > 0 for x in remaining):
        issue_tax_bill(run, inventory)
    trade_facts.record_returned(run, inventory, row.returned_lines)
    row.state, row.arrived_at, row.restored_value, row.updated_at = (
        DocumentState.COMPLETED,
        run.now,
        restored,
        run.now,
    )
    audit(
        run,
        "clearance.return.completed",
        "inventory",
        inventory.eport_no,
        None,
        {"return_id": row.id, "restored_value": str(restored)},
        None,
        actor,
    )
    issue(
        run,
        "return",
        row.id,
        MessageType.RETURN_RECEIPT,
        row.guid,
        ReturnStatus.CONCLUDED,
        text(ReturnStatus.CONCLUDED, f"退货完成，恢复额度 {restored}"),
        **return_keys(inventory),
    )


def lapse_return(run: ImportRun, row: ReturnRecord, inventory: InventoryRecord) -> None:
    """Goods did not come back in time: the return lapses and the tax stands."""
    row.state, row.updated_at = DocumentState.LAPSED, run.now
    audit(run, "clearance.return.lapsed", "inventory", inventory.eport_no, None, {"return_id": row.id})
    issue(
        run,
        "return",
        row.id,
        MessageType.RETURN_RECEIPT,
        row.guid,
        ReturnStatus.REFUSED,
        f"[Code:-625014;Desc:退货商品未在{row.arrive_by}前退回监管场所，退货失效]",
        **return_keys(inventory),
    )


def return_keys(inventory: InventoryRecord) -> dict[str, str | None]:
    """Return the key fields of a CEB626 receipt."""
    return {
        "customs_code": inventory.customs_code,
        "agent_code": inventory.agent_code,
        "platform_code": inventory.platform_code,
        "ecommerce_code": inventory.ecommerce_code,
        "enterprise_ref_no": inventory.enterprise_ref_no or inventory.eport_no,
        "eport_no": inventory.eport_no,
        "inventory_no": inventory.inventory_no,
    }
