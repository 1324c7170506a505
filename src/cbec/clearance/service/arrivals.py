"""Arrivals (入库明细单, CEB711): parcels recorded at the supervised site; direct-purchase inventories go on."""

from __future__ import annotations

from cbec.clearance import repository as repo
from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import ArrivalParcel, ArrivalRecordRow
from cbec.clearance.service.matching import advance
from cbec.clearance.service.release import refuse_inventory
from cbec.clearance.service.run import ImportRun, issue, party_problems, record, refuse_document, seal, text
from cbec.clearance.service.store import waybill_lock
from cbec.common.clock import business_date
from cbec.intake import numbers, problem
from cbec.messages.documents import ArrivalRecord, MessageType


def handle_arrival(run: ImportRun, arrival: ArrivalRecord) -> None:
    """Record parcels arrived at the supervised site; direct-purchase inventories waiting on them go on."""
    run.store.lock([waybill_lock(arrival.logistics_code, line.logistics_no) for line in arrival.lines])
    key = f"{arrival.operator_code}/{arrival.bill_no}"
    if repo.arrival_by_guid(run.session, arrival.declaration.guid) is not None:
        record(run, "arrival", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | None] = {
        "customs_code": arrival.customs_code,
        "operator_code": arrival.operator_code,
        "enterprise_ref_no": arrival.enterprise_ref_no,
        "eport_no": arrival.eport_no,
    }
    problems = party_problems(run, [("arrival.operator_code", arrival.operator_code, "supervised_site_operator")])
    for line in arrival.lines:
        if run.store.arrival_parcel(arrival.logistics_code, line.logistics_no) is not None:
            problems.append(
                problem(
                    "R11",
                    f"arrival.lines[{line.line_no}].logistics_no",
                    "该运单已入库",
                    f"parcel {line.logistics_no} is already recorded as arrived",
                    "List each parcel in one arrival record only.",
                    "-800003",
                )
            )
    if problems:
        refuse_document(
            run, "arrival", None, MessageType.ARRIVAL_RECEIPT, arrival.declaration.guid, key, problems, keys
        )
        return
    day = business_date(run.now).strftime("%Y%m%d")
    entry_no = f"R{day}{numbers.next_number(run.session, 'arrival', day):09d}"
    row = ArrivalRecordRow(
        guid=arrival.declaration.guid,
        app_status=arrival.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(run, arrival),
        operator_code=arrival.operator_code,
        customs_code=arrival.customs_code,
        bill_no=arrival.bill_no,
        entry_no=entry_no,
    )
    run.session.add(row)
    run.session.flush()
    for line in arrival.lines:
        parcel = ArrivalParcel(
            arrival_id=row.id,
            logistics_code=arrival.logistics_code,
            logistics_no=line.logistics_no,
            bill_no=arrival.bill_no,
        )
        run.session.add(parcel)
        run.store.register_parcel(parcel)
    run.session.flush()
    keys["entry_no"] = entry_no
    issue(
        run,
        "arrival",
        row.id,
        MessageType.ARRIVAL_RECEIPT,
        arrival.declaration.guid,
        ReturnStatus.ACCEPTED,
        text(ReturnStatus.ACCEPTED),
        **keys,
    )
    record(run, "arrival", key, ReturnStatus.ACCEPTED, note=f"{len(arrival.lines)} parcels")
    for line in arrival.lines:
        waiting = run.store.waiting_inventories_for_waybill(arrival.logistics_code, line.logistics_no)
        for inventory in waiting:
            if inventory.bill_no and inventory.bill_no != arrival.bill_no:
                refuse_inventory(
                    run,
                    inventory,
                    [
                        problem(
                            "M14",
                            "arrival.bill_no",
                            "入库明细单提运单号与清单不一致",
                            "the arrival's bill of lading differs from the inventory's",
                            "Declare the inventory and the arrival under the same master bill.",
                        )
                    ],
                )
                continue
            advance(run, inventory)
