"""Parcel movements of export inventories (运抵、总分单、离境): arrival, master bill, departure.

Arrival (CEB507) releases waiting inventories (E4); a master bill (CEB607) ties parcels to a bill of
lading and voyage (E5); departure (CEB509) closes released inventories (899, E6). Nothing here commits.
"""

from __future__ import annotations

from typing import Any

from cbec.exports import repository as repo
from cbec.exports.codes import DEPARTED_TEXT
from cbec.exports.matching_rules import TransportFacts, check_departure_parcel
from cbec.exports.models import (
    DepartureRecord,
    ExportArrivalRecord,
    ExportInventoryRecord,
    ExportParcel,
    MasterBillRecord,
)
from cbec.exports.rules import check_arrival, check_master_bill, check_split
from cbec.exports.service.inventory import advance_all, set_status
from cbec.exports.service.run import (
    ExportRun,
    eport_number,
    issue,
    party_problems,
    record,
    refuse,
    sealed,
    stored,
    text,
    working_set,
)
from cbec.exports.service.store import parcel_lock
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.messages.export_documents import Departure, ExportArrival, ExportMessageType, MasterBill


def already_stored(run: ExportRun, model: type[Any], guid: str) -> bool:
    """Tell whether a document of this kind was stored under this guid (by this message too, not yet written)."""
    pending = any(isinstance(row, model) and row.guid == guid for row in run.session.new)
    return pending or repo.by_guid(run.session, model, guid) is not None


# --- arrival (CEB507) --------------------------------------------------------------------------------


def handle_arrival(run: ExportRun, arrival: ExportArrival) -> None:
    """Record parcels arrived at the supervised site; accepted inventories waiting on them go on (E4)."""
    store = working_set(run)
    store.lock(parcel_lock((arrival.logistics_code, ln.logistics_no)) for ln in arrival.lines)
    key = f"{arrival.operator_code}/{arrival.enterprise_ref_no}"
    if already_stored(run, ExportArrivalRecord, arrival.declaration.guid):
        record(run, "arrival", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | int | None] = {
        "operator_code": arrival.operator_code,
        "logistics_code": arrival.logistics_code,
        "enterprise_ref_no": arrival.enterprise_ref_no,
        "bill_no": arrival.bill_no or "",
        "message_seq_no": arrival.message_seq_no,
    }
    problems = check_arrival(arrival)
    problems += party_problems(
        run,
        [
            ("arrival.operator_code", arrival.operator_code, "supervised_site_operator"),
            ("arrival.logistics_code", arrival.logistics_code, "logistics_company"),
        ],
    )
    for line in arrival.lines:
        if store.parcel("arrival", (arrival.logistics_code, line.logistics_no)) is not None:
            problems.append(
                problem(
                    "R11",
                    f"arrival.lines[{line.line_no}].logistics_no",
                    "该运单已运抵",
                    f"parcel {line.logistics_no} is already recorded as arrived",
                    "List each parcel in one arrival only.",
                    "-800003",
                )
            )
    keys["eport_no"] = arrival.eport_no or eport_number(run)
    if problems:
        refuse(run, "arrival", ExportMessageType.ARRIVAL_RECEIPT, arrival.declaration.guid, key, problems, keys)
        return
    row = ExportArrivalRecord(
        guid=arrival.declaration.guid,
        app_status=arrival.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=sealed(run, arrival),
        operator_code=arrival.operator_code,
        logistics_code=arrival.logistics_code,
        enterprise_ref_no=arrival.enterprise_ref_no,
        eport_no=str(keys["eport_no"]),
        bill_no=arrival.bill_no,
    )
    stored(run, row)
    for line in arrival.lines:
        entry = ExportParcel(
            kind="arrival",
            document_id=row.id,
            logistics_code=arrival.logistics_code,
            logistics_no=line.logistics_no,
            bill_no=arrival.bill_no,
        )
        run.session.add(entry)
        store.register_parcel(entry)
    issue(
        run,
        "arrival",
        row.id,
        ExportMessageType.ARRIVAL_RECEIPT,
        arrival.declaration.guid,
        ReturnStatus.CONCLUDED,
        text(ReturnStatus.CONCLUDED, f"{len(arrival.lines)} 个包裹已运抵"),
        **keys,
    )
    record(run, "arrival", key, ReturnStatus.CONCLUDED, note=f"{len(arrival.lines)} parcels")
    for line in arrival.lines:
        advance_all(run, store.waiting_for_parcel((arrival.logistics_code, line.logistics_no)))


# --- master/house bill (CEB607) -------------------------------------------------------------------------


def handle_master_bill(run: ExportRun, bill: MasterBill) -> None:
    """Tie parcels to a bill of lading and voyage (E5); inventories declared later pick the details up."""
    store = working_set(run)
    store.lock(parcel_lock((bill.logistics_code, ln.logistics_no)) for ln in bill.lines)
    key = f"{bill.agent_code}/{bill.bill_no}"
    if already_stored(run, MasterBillRecord, bill.declaration.guid):
        record(run, "master_bill", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | int | None] = {
        "agent_code": bill.agent_code,
        "logistics_code": bill.logistics_code,
        "enterprise_ref_no": bill.enterprise_ref_no,
        "bill_no": bill.bill_no,
        "message_seq_no": bill.message_seq_no,
    }
    problems = check_master_bill(bill)
    problems += party_problems(
        run,
        [
            ("master_bill.agent_code", bill.agent_code, None),
            ("master_bill.logistics_code", bill.logistics_code, "logistics_company"),
        ],
    )
    rows: list[ExportInventoryRecord | None] = []
    for line in bill.lines:
        inventory = store.live_inventory_for_parcel((bill.logistics_code, line.logistics_no))
        rows.append(inventory)
        earlier = store.parcel("bill", (bill.logistics_code, line.logistics_no))
        where = f"master_bill.lines[{line.line_no}]"
        if earlier is not None and earlier.bill_no != bill.bill_no:
            problems.append(
                problem(
                    "E5",
                    f"{where}.logistics_no",
                    f"运单 {line.logistics_no} 已在总运单 {earlier.bill_no} 下申报",
                    f"parcel {line.logistics_no} is already on bill {earlier.bill_no}",
                    "A parcel travels on one bill of lading.",
                )
            )
        if inventory is not None and line.inventory_no and inventory.inventory_no != line.inventory_no:
            problems.append(
                problem(
                    "E5",
                    f"{where}.inventory_no",
                    f"清单 {line.inventory_no} 不是运单 {line.logistics_no} 的清单 {inventory.inventory_no}",
                    f"inventory {line.inventory_no} is not the inventory of parcel {line.logistics_no}",
                    "Give the invtNo from the CEB604 of this parcel, or leave it out.",
                )
            )
        if inventory is not None and inventory.status == ReturnStatus.CLOSED:
            problems.append(
                problem(
                    "E5",
                    f"{where}.logistics_no",
                    f"运单 {line.logistics_no} 已离境",
                    f"parcel {line.logistics_no} has already left",
                    "Master bills are declared before departure.",
                )
            )
    keys["eport_no"] = bill.eport_no or eport_number(run)
    if problems:
        refuse(run, "master_bill", ExportMessageType.MASTER_BILL_RECEIPT, bill.declaration.guid, key, problems, keys)
        return
    row = MasterBillRecord(
        guid=bill.declaration.guid,
        app_status=bill.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=sealed(run, bill),
        agent_code=bill.agent_code,
        logistics_code=bill.logistics_code,
        enterprise_ref_no=bill.enterprise_ref_no,
        eport_no=str(keys["eport_no"]),
        bill_no=bill.bill_no,
        voyage_no=bill.voyage_no,
    )
    stored(run, row)
    for line, inventory in zip(bill.lines, rows, strict=True):
        if store.parcel("bill", (bill.logistics_code, line.logistics_no)) is None:
            _add_parcel(run, "bill", row.id, bill, line.logistics_no, line.inventory_no)
        if inventory is not None:
            inventory.bill_no, inventory.voyage_no = bill.bill_no, bill.voyage_no
            inventory.transport_name, inventory.updated_at = bill.transport_name, run.now
    issue(
        run,
        "master_bill",
        row.id,
        ExportMessageType.MASTER_BILL_RECEIPT,
        bill.declaration.guid,
        ReturnStatus.CONCLUDED,
        text(ReturnStatus.CONCLUDED),
        **keys,
    )
    record(run, "master_bill", key, ReturnStatus.CONCLUDED, note=f"{len(bill.lines)} parcels")


# --- departure (CEB509) ------------------------------------------------------------------------------


def handle_departure(run: ExportRun, departure: Departure) -> None:
    """Close (899) the released inventories of the departing parcels (E6); refuse the list if one is not ready."""
    store = working_set(run)
    store.lock(parcel_lock((departure.logistics_code, ln.logistics_no)) for ln in departure.lines)
    key = f"{departure.logistics_code}/{departure.enterprise_ref_no}"
    if already_stored(run, DepartureRecord, departure.declaration.guid):
        record(run, "departure", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | int | None] = {
        "logistics_code": departure.logistics_code,
        "enterprise_ref_no": departure.enterprise_ref_no,
        "message_seq_no": departure.message_seq_no,
    }
    problems = check_split("departure", departure.message_count, departure.message_seq_no)
    problems += party_problems(run, [("departure.logistics_code", departure.logistics_code, "logistics_company")])
    inventories: list[ExportInventoryRecord] = []
    for line in departure.lines:
        inventory = store.live_inventory_for_parcel((departure.logistics_code, line.logistics_no))
        facts = TransportFacts(inventory.bill_no, inventory.voyage_no) if inventory is not None else None
        found = check_departure_parcel(
            line.line_no, line.logistics_no, inventory.status if inventory else None, facts, departure
        )
        problems += found
        if inventory is not None and not found:
            inventories.append(inventory)
    keys["eport_no"] = departure.eport_no or eport_number(run)
    if problems:
        refuse(run, "departure", ExportMessageType.DEPARTURE_RECEIPT, departure.declaration.guid, key, problems, keys)
        return
    row = DepartureRecord(
        guid=departure.declaration.guid,
        app_status=departure.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=sealed(run, departure),
        logistics_code=departure.logistics_code,
        enterprise_ref_no=departure.enterprise_ref_no,
        eport_no=str(keys["eport_no"]),
        bill_no=departure.bill_no,
        left_at=departure.left_at,
    )
    stored(run, row)
    issue(
        run,
        "departure",
        row.id,
        ExportMessageType.DEPARTURE_RECEIPT,
        departure.declaration.guid,
        ReturnStatus.CONCLUDED,
        text(ReturnStatus.CONCLUDED, f"{len(departure.lines)} 个包裹已离境"),
        **keys,
    )
    for line, inventory in zip(departure.lines, inventories, strict=True):
        _add_parcel(run, "departure", row.id, departure, line.logistics_no, inventory.inventory_no)
        inventory.departed_at = departure.left_at
        set_status(run, inventory, ReturnStatus.CLOSED, DEPARTED_TEXT)
    record(run, "departure", key, ReturnStatus.CONCLUDED, note=f"{len(inventories)} inventories closed")


def _add_parcel(
    run: ExportRun,
    kind: str,
    document_id: int | None,
    movement: MasterBill | Departure,
    logistics_no: str,
    inventory_no: str | None,
) -> None:
    """Add the entry of one parcel a master bill or a departure names, kept in the run's working set."""
    entry = ExportParcel(
        kind=kind,
        document_id=document_id,
        logistics_code=movement.logistics_code,
        logistics_no=logistics_no,
        inventory_no=inventory_no,
        bill_no=movement.bill_no,
        voyage_no=movement.voyage_no,
        transport_name=movement.transport_name,
    )
    run.session.add(entry)
    working_set(run).register_parcel(entry)
