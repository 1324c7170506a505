"""Export cancels (撤单, CEB605): an inventory withdrawn before its goods leave.

Only inventories not yet departed can be cancelled; departed goods come back by a return (``returns``).
Nothing here commits.
"""

from __future__ import annotations

from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.codes import CANCELLABLE
from cbec.exports.matching_rules import match_cancel
from cbec.exports.models import ExportCancelRecord
from cbec.exports.service import facts as trade_facts
from cbec.exports.service.run import (
    ExportRun,
    audit,
    eport_number,
    issue,
    original_problems,
    party_problems,
    record,
    refuse,
    seal,
    text,
    unseal,
)
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.messages.export_documents import ExportCancel, ExportInventory, ExportMessageType


def handle_cancel(run: ExportRun, cancel: ExportCancel) -> None:
    """Withdraw an export inventory before its goods leave."""
    key = cancel.inventory_no
    if repo.cancel_by_guid(run.session, cancel.declaration.guid) is not None:
        record(run, "cancel", key, "resent", note="resubmission: already processed")
        return
    inventory = repo.inventory_by_number(run.session, cancel.inventory_no, for_update=True)
    keys: dict[str, str | int | None] = {
        "agent_code": cancel.agent_code,
        "enterprise_ref_no": cancel.enterprise_ref_no,
        "eport_no": inventory.eport_no if inventory is not None else (cancel.eport_no or eport_number(run)),
        "inventory_no": cancel.inventory_no,
    }
    problems: list[Problem] = original_problems(run, inventory, what="inventory")
    if inventory is None:
        problems.append(
            problem(
                "E9",
                "cancel.inventory_no",
                "清单不存在",
                "no export inventory with this number",
                "Name the inventory number (invtNo) from the CEB604 receipt.",
                "-623003",
            )
        )
    else:
        if inventory.status not in CANCELLABLE or inventory.state == DocumentState.CANCELLED:
            problems.append(
                problem(
                    "E9",
                    "cancel.inventory_no",
                    f"清单状态 {inventory.status} 不符合撤单要求",
                    f"an inventory in status {inventory.status} cannot be cancelled",
                    "Only inventories not yet departed can be cancelled; departed goods come back by a return.",
                    "-623005",
                )
            )
        problems += match_cancel(cancel, unseal(ExportInventory, inventory.payload))
        problems += party_problems(run, [("cancel.agent_code", cancel.agent_code, None)])
    if problems:
        refuse(run, "cancel", ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, key, problems, keys)
        return
    assert inventory is not None
    row = ExportCancelRecord(
        guid=cancel.declaration.guid,
        app_status=cancel.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(cancel),
        inventory_id=inventory.id,
        inventory_no=cancel.inventory_no,
    )
    run.session.add(row)
    run.session.flush()
    before = {"status": inventory.status, "state": inventory.state}
    inventory.state, inventory.cancelled_at, inventory.updated_at = DocumentState.CANCELLED, run.now, run.now
    trade_facts.record_moved(run, inventory)
    inventory.waiting_for = None
    audit(
        run,
        "exports.inventory.cancelled",
        inventory.eport_no,
        before,
        {"status": inventory.status, "state": inventory.state},
        cancel.reason,
        cancel.agent_code,
    )
    issue(run, "cancel", row.id, ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, "120", text("120"), **keys)
    info = f"[Code:2300;Desc:审核通过],撤单申请审核通过,清单[{inventory.inventory_no}]已成功撤单"
    issue(run, "cancel", row.id, ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, "399", info, **keys)
    record(run, "cancel", key, ReturnStatus.CONCLUDED)
