"""Export returns (退货、理货, CEB213/CEB215): exported goods brought back into the zone.

A return application names lines of a departed (899) inventory, the same goods and no more than was exported
(E9, R16); the supervised site's tally of the returned parcel completes it (800). Nothing here commits.
"""

from __future__ import annotations

from decimal import Decimal

from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.codes import ReturnState
from cbec.exports.matching_rules import OriginalLine, match_export_return
from cbec.exports.models import ExportReturnRecord, ReturnTallyRecord
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
from cbec.messages.export_documents import ExportInventory, ExportMessageType, ExportReturn, ReturnTally


def handle_return(run: ExportRun, request: ExportReturn) -> None:
    """Register the return of exported goods (E9, R16); the site's tally completes it."""
    key = request.inventory_no
    if repo.by_guid(run.session, ExportReturnRecord, request.declaration.guid) is not None:
        record(run, "return", key, "resent", note="resubmission: already processed")
        return
    inventory = repo.inventory_by_number(run.session, request.inventory_no, for_update=True)
    keys: dict[str, str | int | None] = {
        "platform_code": request.platform_code,
        "ecommerce_code": request.ecommerce_code,
        "agent_code": request.agent_code,
        "enterprise_ref_no": request.enterprise_ref_no,
        "eport_no": request.eport_no or eport_number(run),
        "inventory_no": request.inventory_no,
    }
    problems: list[Problem] = original_problems(run, inventory, what="inventory")
    if inventory is None or inventory.status != ReturnStatus.CLOSED or inventory.state != DocumentState.ACCEPTED:
        problems.append(
            problem(
                "E9",
                "return.inventory_no",
                "原出口清单不存在或货物未离境",
                "no export inventory with this number whose goods have left",
                "Name the invtNo of a departed (899) export inventory.",
                "-625005",
            )
        )
    else:
        if request.ecommerce_code != inventory.ecommerce_code:
            problems.append(
                problem(
                    "E9",
                    "return.ecommerce_code",
                    "退货申请单电商企业与原清单不一致",
                    "the return's e-commerce enterprise differs from the inventory's",
                    "Repeat the ebcCode of the original inventory.",
                )
            )
        original = unseal(ExportInventory, inventory.payload)
        returned = {line.line_no: line.returned_quantity for line in repo.lines_of(run.session, inventory.id)}
        lines = {
            ln.line_no: OriginalLine(
                ln.line_no,
                ln.hs_code,
                ln.goods_name,
                ln.specification,
                ln.unit,
                ln.legal_unit,
                ln.second_unit,
                ln.quantity,
                ln.legal_quantity,
                ln.second_quantity,
                returned.get(ln.line_no, Decimal(0)),
            )
            for ln in original.lines
        }
        problems += match_export_return(request, lines)
        problems += party_problems(
            run,
            [
                ("return.agent_code", request.agent_code, None),
                ("return.ecommerce_code", request.ecommerce_code, "ecommerce_enterprise"),
            ],
        )
    if problems:
        refuse(run, "return", ExportMessageType.RETURN_RECEIPT, request.declaration.guid, key, problems, keys)
        return
    assert inventory is not None
    row = ExportReturnRecord(
        guid=request.declaration.guid,
        app_status=request.declaration.app_status,
        state=ReturnState.APPLIED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(request),
        inventory_id=inventory.id,
        inventory_no=request.inventory_no,
        logistics_code=request.logistics_code,
        logistics_no=request.logistics_no,
        eport_no=str(keys["eport_no"]),
        applied_on=business_date(request.declaration.app_time),
        returned_lines={str(line.line_no): str(line.quantity) for line in request.lines},
    )
    run.session.add(row)
    run.session.flush()
    by_no = {line.line_no: line for line in repo.lines_of(run.session, inventory.id)}
    for line in request.lines:
        by_no[line.line_no].returned_quantity += line.quantity
    audit(
        run,
        "exports.return.applied",
        inventory.eport_no,
        None,
        {"return_id": row.id, "lines": row.returned_lines},
        request.reason,
    )
    issue(
        run,
        "return",
        row.id,
        ExportMessageType.RETURN_RECEIPT,
        request.declaration.guid,
        ReturnStatus.ACCEPTED,
        text(ReturnStatus.ACCEPTED, "退货申请已受理，待监管场所理货"),
        **keys,
    )
    record(run, "return", key, ReturnStatus.ACCEPTED, note="waiting for the tally (CEB215)")


def handle_tally(run: ExportRun, tally: ReturnTally) -> None:
    """Record returned parcels tallied at the site (CEB215); the return they complete is released (800)."""
    key = f"{tally.logistics_code}/{tally.logistics_no}"
    if repo.by_guid(run.session, ReturnTallyRecord, tally.declaration.guid) is not None:
        record(run, "tally", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | int | None] = {
        "operator_code": tally.operator_code,
        "logistics_code": tally.logistics_code,
        "logistics_no": tally.logistics_no,
        "enterprise_ref_no": tally.enterprise_ref_no,
        "eport_no": tally.eport_no or eport_number(run),
    }
    problems = party_problems(run, [("tally.operator_code", tally.operator_code, "supervised_site_operator")])
    pending = repo.applied_return_for_parcel(run.session, tally.logistics_code, tally.logistics_no)
    if pending is None:
        problems.append(
            problem(
                "E9",
                "tally.logistics_no",
                f"运单 {tally.logistics_no} 无待理货的出口退货申请",
                f"no export return waits for parcel {tally.logistics_no}",
                "Send the return application (CEB213) before the tally.",
            )
        )
    elif tally.inventory_no and tally.inventory_no != pending.inventory_no:
        problems.append(
            problem(
                "E9",
                "tally.inventory_no",
                "理货单原清单编号与退货申请单不一致",
                "the tally names another inventory than the return",
                "Give the invtNo of the return application.",
            )
        )
    if problems:
        refuse(run, "tally", ExportMessageType.RETURN_TALLY_RECEIPT, tally.declaration.guid, key, problems, keys)
        return
    assert pending is not None
    row = ReturnTallyRecord(
        guid=tally.declaration.guid,
        app_status=tally.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(tally),
        operator_code=tally.operator_code,
        logistics_code=tally.logistics_code,
        logistics_no=tally.logistics_no,
        eport_no=str(keys["eport_no"]),
        return_id=pending.id,
    )
    run.session.add(row)
    run.session.flush()
    pending.state, pending.tallied_at, pending.updated_at = ReturnState.TALLIED, run.now, run.now
    trade_facts.record_returned(run, pending.inventory_id, pending.returned_lines)
    issue(
        run, "tally", row.id, ExportMessageType.RETURN_TALLY_RECEIPT, tally.declaration.guid, "399", text("399"), **keys
    )
    request = unseal(ExportReturn, pending.payload)
    issue(
        run,
        "return",
        pending.id,
        ExportMessageType.RETURN_RECEIPT,
        pending.guid,
        ReturnStatus.RELEASED,
        text(ReturnStatus.RELEASED, "退货商品已理货入区"),
        platform_code=request.platform_code,
        ecommerce_code=request.ecommerce_code,
        agent_code=request.agent_code,
        enterprise_ref_no=request.enterprise_ref_no,
        eport_no=pending.eport_no,
        inventory_no=pending.inventory_no,
    )
    audit(
        run, "exports.return.tallied", pending.inventory_no, None, {"return_id": pending.id}, actor=tally.operator_code
    )
    record(run, "tally", key, "399", note=f"return {pending.id} complete")
