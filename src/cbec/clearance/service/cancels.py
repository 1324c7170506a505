"""Cancels (撤单, CEB623): a declared inventory is withdrawn, its quota given back and its tax bill voided."""

from __future__ import annotations

from cbec.clearance import repository as repo
from cbec.clearance.codes import CANCELLABLE, QUOTA_HOLDING, DocumentState, ReturnStatus
from cbec.clearance.models import CancelRecord
from cbec.clearance.rules import match_cancel
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.release import release_quantities, release_quota, void_tax_bill
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
from cbec.common.errors import Problem
from cbec.intake import problem
from cbec.messages.documents import CancelRequest, MessageType


def handle_cancel(run: ImportRun, cancel: CancelRequest) -> None:
    """Cancel a declared inventory: quota back, tax bill void."""
    key = cancel.inventory_no
    keys = request_keys(cancel)
    # Looked up in the database (and locked): write what the message changed so far first.
    run.session.flush()
    if repo.cancel_by_guid(run.session, cancel.declaration.guid) is not None:
        record(run, "cancel", key, "resent", note="resubmission: already processed")
        return
    inventory = repo.inventory_by_number(run.session, cancel.inventory_no, for_update=True)
    problems: list[Problem] = original_problems(run, inventory, what="inventory")
    if inventory is None:
        problems.append(
            problem(
                "M15",
                "cancel.inventory_no",
                "清单不存在",
                "no inventory with this number",
                "Name the customs inventory number (invtNo) from the CEB622 receipt.",
                "-623003",
            )
        )
    else:
        if inventory.status not in CANCELLABLE or inventory.state == DocumentState.CANCELLED:
            problems.append(
                problem(
                    "M15",
                    "cancel.inventory_no",
                    f"清单状态 {inventory.status} 不符合撤单要求",
                    f"an inventory in status {inventory.status} cannot be cancelled",
                    "Only declared, held or released inventories can be cancelled.",
                    "-623005",
                )
            )
        problems += match_cancel(cancel, open_payload(run, MessageType.INVENTORY, inventory.payload))
        problems += party_problems(run, [("cancel.agent_code", cancel.agent_code, None)])
    keys["eport_no"] = inventory.eport_no if inventory is not None else eport_number(run)
    keys["inventory_no"] = inventory.inventory_no if inventory is not None else None
    if problems:
        refuse_document(run, "cancel", None, MessageType.CANCEL_RECEIPT, cancel.declaration.guid, key, problems, keys)
        return
    assert inventory is not None
    row = CancelRecord(
        guid=cancel.declaration.guid,
        app_status=cancel.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(run, cancel),
        inventory_id=inventory.id,
        inventory_no=cancel.inventory_no,
    )
    run.session.add(row)
    run.session.flush()
    if inventory.status in QUOTA_HOLDING and inventory.dutiable_value:
        release_quota(run, inventory, inventory.dutiable_value, "cancel")
        release_quantities(run, inventory, "cancel")
    void_tax_bill(run, inventory)
    before = {"status": inventory.status, "state": inventory.state}
    inventory.state, inventory.cancelled_at, inventory.updated_at = DocumentState.CANCELLED, run.now, run.now
    trade_facts.record_moved(run, inventory)
    audit(
        run,
        "clearance.inventory.cancelled",
        "inventory",
        inventory.eport_no,
        before,
        {"status": inventory.status, "state": inventory.state},
        cancel.reason,
        cancel.agent_code,
    )
    issue(
        run,
        "cancel",
        row.id,
        MessageType.CANCEL_RECEIPT,
        cancel.declaration.guid,
        ReturnStatus.ACCEPTED,
        text(ReturnStatus.ACCEPTED),
        **keys,
    )
    info = f"[Code:2300;Desc:审核通过],撤单申请审核通过,清单[{inventory.inventory_no}]已成功撤单"
    issue(
        run, "cancel", row.id, MessageType.CANCEL_RECEIPT, cancel.declaration.guid, ReturnStatus.CONCLUDED, info, **keys
    )
    record(run, "cancel", key, ReturnStatus.CONCLUDED)
