"""Export documents after the declaration (运抵、总分单、离境、撤单、退货、理货、汇总申请).

Arrival (CEB507) releases waiting inventories (E4); a master bill (CEB607) ties parcels to a bill of
lading and voyage (E5); departure (CEB509) closes released inventories (899, E6); a cancel (CEB605) withdraws
an inventory before departure; a return (CEB213) and its tally (CEB215) bring exported goods back (E9);
a summary application (CEB701) asks for last month's closed inventories to be summarised (E7).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.rules import problem
from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.codes import CANCELLABLE, DEPARTED_TEXT, ReturnState
from cbec.exports.models import (
    DepartureRecord,
    ExportArrivalRecord,
    ExportCancelRecord,
    ExportInventoryRecord,
    ExportParcel,
    ExportReturnRecord,
    MasterBillRecord,
    ReturnTallyRecord,
    SummaryApplicationRecord,
)
from cbec.exports.rules import (
    OriginalLine,
    TransportFacts,
    check_arrival,
    check_departure_parcel,
    check_master_bill,
    check_split,
    check_summary_application,
    match_cancel,
    match_export_return,
)
from cbec.exports.service.base import seal, text, unseal
from cbec.exports.service.inventory import ExportClearance
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportReturn,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
)
from cbec.storage.locks import lock_keys


class ExportMessageProcessor(ExportClearance):
    """The complete export processor: every export declaration type."""

    def handle(self, document: object) -> None:
        """Dispatch one export document to its handler."""
        if isinstance(document, ExportOrder):
            self.handle_order(document)
        elif isinstance(document, PaymentReceiptNote):
            self.handle_receipt_note(document)
        elif isinstance(document, ExportWaybill):
            self.handle_waybill(document)
        elif isinstance(document, ExportInventory):
            self.handle_inventory(document)
        elif isinstance(document, ExportArrival):
            self.handle_arrival(document)
        elif isinstance(document, MasterBill):
            self.handle_master_bill(document)
        elif isinstance(document, Departure):
            self.handle_departure(document)
        elif isinstance(document, ExportCancel):
            self.handle_cancel(document)
        elif isinstance(document, ExportReturn):
            self.handle_return(document)
        elif isinstance(document, ReturnTally):
            self.handle_tally(document)
        elif isinstance(document, SummaryApplication):
            self.handle_summary_application(document)
        else:
            raise TypeError(f"not an export declaration: {type(document).__name__}")

    # --- arrival (CEB507) --------------------------------------------------------------------------------

    def handle_arrival(self, arrival: ExportArrival) -> None:
        """Record parcels arrived at the supervised site; accepted inventories waiting on them go on (E4)."""
        lock_keys(self.session, [f"export-parcel:{arrival.logistics_code}:{ln.logistics_no}" for ln in arrival.lines])
        key = f"{arrival.operator_code}/{arrival.enterprise_ref_no}"
        if repo.by_guid(self.session, ExportArrivalRecord, arrival.declaration.guid) is not None:
            self.record("arrival", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | int | None] = {
            "operator_code": arrival.operator_code,
            "logistics_code": arrival.logistics_code,
            "enterprise_ref_no": arrival.enterprise_ref_no,
            "bill_no": arrival.bill_no or "",
            "message_seq_no": arrival.message_seq_no,
        }
        problems = check_arrival(arrival)
        problems += self.party_problems(
            [
                ("arrival.operator_code", arrival.operator_code, "supervised_site_operator"),
                ("arrival.logistics_code", arrival.logistics_code, "logistics_company"),
            ]
        )
        for line in arrival.lines:
            if repo.parcel(self.session, "arrival", arrival.logistics_code, line.logistics_no) is not None:
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
        keys["eport_no"] = arrival.eport_no or self.eport_number()
        if problems:
            self.refuse("arrival", ExportMessageType.ARRIVAL_RECEIPT, arrival.declaration.guid, key, problems, keys)
            return
        row = ExportArrivalRecord(
            guid=arrival.declaration.guid,
            app_status=arrival.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(arrival),
            operator_code=arrival.operator_code,
            logistics_code=arrival.logistics_code,
            enterprise_ref_no=arrival.enterprise_ref_no,
            eport_no=str(keys["eport_no"]),
            bill_no=arrival.bill_no,
        )
        self.session.add(row)
        self.session.flush()
        for line in arrival.lines:
            self.session.add(
                ExportParcel(
                    kind="arrival",
                    document_id=row.id,
                    logistics_code=arrival.logistics_code,
                    logistics_no=line.logistics_no,
                    bill_no=arrival.bill_no,
                )
            )
        self.session.flush()
        self.issue(
            "arrival",
            row.id,
            ExportMessageType.ARRIVAL_RECEIPT,
            arrival.declaration.guid,
            ReturnStatus.CONCLUDED,
            text(ReturnStatus.CONCLUDED, f"{len(arrival.lines)} 个包裹已运抵"),
            **keys,
        )
        self.record("arrival", key, ReturnStatus.CONCLUDED, note=f"{len(arrival.lines)} parcels")
        for line in arrival.lines:
            self.advance_all(repo.waiting_for_parcel(self.session, arrival.logistics_code, line.logistics_no))

    # --- master/house bill (CEB607) -------------------------------------------------------------------------

    def handle_master_bill(self, bill: MasterBill) -> None:
        """Tie parcels to a bill of lading and voyage (E5); inventories declared later pick the details up."""
        lock_keys(self.session, [f"export-parcel:{bill.logistics_code}:{ln.logistics_no}" for ln in bill.lines])
        key = f"{bill.agent_code}/{bill.bill_no}"
        if repo.by_guid(self.session, MasterBillRecord, bill.declaration.guid) is not None:
            self.record("master_bill", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | int | None] = {
            "agent_code": bill.agent_code,
            "logistics_code": bill.logistics_code,
            "enterprise_ref_no": bill.enterprise_ref_no,
            "bill_no": bill.bill_no,
            "message_seq_no": bill.message_seq_no,
        }
        problems = check_master_bill(bill)
        problems += self.party_problems(
            [
                ("master_bill.agent_code", bill.agent_code, None),
                ("master_bill.logistics_code", bill.logistics_code, "logistics_company"),
            ]
        )
        rows: list[ExportInventoryRecord | None] = []
        for line in bill.lines:
            inventory = repo.live_inventory_for_parcel(self.session, bill.logistics_code, line.logistics_no)
            rows.append(inventory)
            earlier = repo.parcel(self.session, "bill", bill.logistics_code, line.logistics_no)
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
        keys["eport_no"] = bill.eport_no or self.eport_number()
        if problems:
            self.refuse(
                "master_bill", ExportMessageType.MASTER_BILL_RECEIPT, bill.declaration.guid, key, problems, keys
            )
            return
        row = MasterBillRecord(
            guid=bill.declaration.guid,
            app_status=bill.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(bill),
            agent_code=bill.agent_code,
            logistics_code=bill.logistics_code,
            enterprise_ref_no=bill.enterprise_ref_no,
            eport_no=str(keys["eport_no"]),
            bill_no=bill.bill_no,
            voyage_no=bill.voyage_no,
        )
        self.session.add(row)
        self.session.flush()
        for line, inventory in zip(bill.lines, rows, strict=True):
            if repo.parcel(self.session, "bill", bill.logistics_code, line.logistics_no) is None:
                self.session.add(
                    ExportParcel(
                        kind="bill",
                        document_id=row.id,
                        logistics_code=bill.logistics_code,
                        logistics_no=line.logistics_no,
                        inventory_no=line.inventory_no,
                        bill_no=bill.bill_no,
                        voyage_no=bill.voyage_no,
                        transport_name=bill.transport_name,
                    )
                )
            if inventory is not None:
                inventory.bill_no, inventory.voyage_no = bill.bill_no, bill.voyage_no
                inventory.transport_name, inventory.updated_at = bill.transport_name, self.now
        self.session.flush()
        self.issue(
            "master_bill",
            row.id,
            ExportMessageType.MASTER_BILL_RECEIPT,
            bill.declaration.guid,
            ReturnStatus.CONCLUDED,
            text(ReturnStatus.CONCLUDED),
            **keys,
        )
        self.record("master_bill", key, ReturnStatus.CONCLUDED, note=f"{len(bill.lines)} parcels")

    # --- departure (CEB509) ------------------------------------------------------------------------------

    def handle_departure(self, departure: Departure) -> None:
        """Close (899) the released inventories of the departing parcels (E6); refuse the list if one is not ready."""
        lock_keys(
            self.session, [f"export-parcel:{departure.logistics_code}:{ln.logistics_no}" for ln in departure.lines]
        )
        key = f"{departure.logistics_code}/{departure.enterprise_ref_no}"
        if repo.by_guid(self.session, DepartureRecord, departure.declaration.guid) is not None:
            self.record("departure", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | int | None] = {
            "logistics_code": departure.logistics_code,
            "enterprise_ref_no": departure.enterprise_ref_no,
            "message_seq_no": departure.message_seq_no,
        }
        problems = check_split("departure", departure.message_count, departure.message_seq_no)
        problems += self.party_problems([("departure.logistics_code", departure.logistics_code, "logistics_company")])
        inventories: list[ExportInventoryRecord] = []
        for line in departure.lines:
            inventory = repo.live_inventory_for_parcel(self.session, departure.logistics_code, line.logistics_no)
            facts = TransportFacts(inventory.bill_no, inventory.voyage_no) if inventory is not None else None
            found = check_departure_parcel(
                line.line_no, line.logistics_no, inventory.status if inventory else None, facts, departure
            )
            problems += found
            if inventory is not None and not found:
                inventories.append(inventory)
        keys["eport_no"] = departure.eport_no or self.eport_number()
        if problems:
            self.refuse(
                "departure", ExportMessageType.DEPARTURE_RECEIPT, departure.declaration.guid, key, problems, keys
            )
            return
        row = DepartureRecord(
            guid=departure.declaration.guid,
            app_status=departure.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(departure),
            logistics_code=departure.logistics_code,
            enterprise_ref_no=departure.enterprise_ref_no,
            eport_no=str(keys["eport_no"]),
            bill_no=departure.bill_no,
            left_at=departure.left_at,
        )
        self.session.add(row)
        self.session.flush()
        self.issue(
            "departure",
            row.id,
            ExportMessageType.DEPARTURE_RECEIPT,
            departure.declaration.guid,
            ReturnStatus.CONCLUDED,
            text(ReturnStatus.CONCLUDED, f"{len(departure.lines)} 个包裹已离境"),
            **keys,
        )
        for line, inventory in zip(departure.lines, inventories, strict=True):
            self.session.add(
                ExportParcel(
                    kind="departure",
                    document_id=row.id,
                    logistics_code=departure.logistics_code,
                    logistics_no=line.logistics_no,
                    inventory_no=inventory.inventory_no,
                    bill_no=departure.bill_no,
                    voyage_no=departure.voyage_no,
                    transport_name=departure.transport_name,
                )
            )
            inventory.departed_at = departure.left_at
            self.set_status(inventory, ReturnStatus.CLOSED, DEPARTED_TEXT)
        self.record("departure", key, ReturnStatus.CONCLUDED, note=f"{len(inventories)} inventories closed")

    # --- cancel (CEB605) ----------------------------------------------------------------------------------

    def handle_cancel(self, cancel: ExportCancel) -> None:
        """Withdraw an export inventory before its goods leave."""
        key = cancel.inventory_no
        if repo.cancel_by_guid(self.session, cancel.declaration.guid) is not None:
            self.record("cancel", key, "resent", note="resubmission: already processed")
            return
        inventory = repo.inventory_by_number(self.session, cancel.inventory_no, for_update=True)
        keys: dict[str, str | int | None] = {
            "agent_code": cancel.agent_code,
            "enterprise_ref_no": cancel.enterprise_ref_no,
            "eport_no": inventory.eport_no if inventory is not None else (cancel.eport_no or self.eport_number()),
            "inventory_no": cancel.inventory_no,
        }
        problems: list[Problem] = []
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
            problems += self.party_problems([("cancel.agent_code", cancel.agent_code, None)])
        if problems:
            self.refuse("cancel", ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, key, problems, keys)
            return
        assert inventory is not None
        row = ExportCancelRecord(
            guid=cancel.declaration.guid,
            app_status=cancel.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(cancel),
            inventory_id=inventory.id,
            inventory_no=cancel.inventory_no,
        )
        self.session.add(row)
        self.session.flush()
        before = {"status": inventory.status, "state": inventory.state}
        inventory.state, inventory.cancelled_at, inventory.updated_at = DocumentState.CANCELLED, self.now, self.now
        inventory.waiting_for = None
        self.audit(
            "exports.inventory.cancelled",
            inventory.eport_no,
            before,
            {"status": inventory.status, "state": inventory.state},
            cancel.reason,
            cancel.agent_code,
        )
        self.issue(
            "cancel", row.id, ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, "120", text("120"), **keys
        )
        info = f"[Code:2300;Desc:审核通过],撤单申请审核通过,清单[{inventory.inventory_no}]已成功撤单"
        self.issue("cancel", row.id, ExportMessageType.CANCEL_RECEIPT, cancel.declaration.guid, "399", info, **keys)
        self.record("cancel", key, ReturnStatus.CONCLUDED)

    # --- return (CEB213) and tally (CEB215) -------------------------------------------------------------------

    def handle_return(self, request: ExportReturn) -> None:
        """Register the return of exported goods (E9, R16); the site's tally completes it."""
        key = request.inventory_no
        if repo.by_guid(self.session, ExportReturnRecord, request.declaration.guid) is not None:
            self.record("return", key, "resent", note="resubmission: already processed")
            return
        inventory = repo.inventory_by_number(self.session, request.inventory_no, for_update=True)
        keys: dict[str, str | int | None] = {
            "platform_code": request.platform_code,
            "ecommerce_code": request.ecommerce_code,
            "agent_code": request.agent_code,
            "enterprise_ref_no": request.enterprise_ref_no,
            "eport_no": request.eport_no or self.eport_number(),
            "inventory_no": request.inventory_no,
        }
        problems: list[Problem] = []
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
            returned = {line.line_no: line.returned_quantity for line in repo.lines_of(self.session, inventory.id)}
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
            problems += self.party_problems(
                [
                    ("return.agent_code", request.agent_code, None),
                    ("return.ecommerce_code", request.ecommerce_code, "ecommerce_enterprise"),
                ]
            )
        if problems:
            self.refuse("return", ExportMessageType.RETURN_RECEIPT, request.declaration.guid, key, problems, keys)
            return
        assert inventory is not None
        row = ExportReturnRecord(
            guid=request.declaration.guid,
            app_status=request.declaration.app_status,
            state=ReturnState.APPLIED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(request),
            inventory_id=inventory.id,
            inventory_no=request.inventory_no,
            logistics_code=request.logistics_code,
            logistics_no=request.logistics_no,
            eport_no=str(keys["eport_no"]),
            applied_on=business_date(request.declaration.app_time),
            returned_lines={str(line.line_no): str(line.quantity) for line in request.lines},
        )
        self.session.add(row)
        self.session.flush()
        by_no = {line.line_no: line for line in repo.lines_of(self.session, inventory.id)}
        for line in request.lines:
            by_no[line.line_no].returned_quantity += line.quantity
        self.audit(
            "exports.return.applied",
            inventory.eport_no,
            None,
            {"return_id": row.id, "lines": row.returned_lines},
            request.reason,
        )
        self.issue(
            "return",
            row.id,
            ExportMessageType.RETURN_RECEIPT,
            request.declaration.guid,
            ReturnStatus.ACCEPTED,
            text(ReturnStatus.ACCEPTED, "退货申请已受理，待监管场所理货"),
            **keys,
        )
        self.record("return", key, ReturnStatus.ACCEPTED, note="waiting for the tally (CEB215)")

    def handle_tally(self, tally: ReturnTally) -> None:
        """Record returned parcels tallied at the site (CEB215); the return they complete is released (800)."""
        key = f"{tally.logistics_code}/{tally.logistics_no}"
        if repo.by_guid(self.session, ReturnTallyRecord, tally.declaration.guid) is not None:
            self.record("tally", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | int | None] = {
            "operator_code": tally.operator_code,
            "logistics_code": tally.logistics_code,
            "logistics_no": tally.logistics_no,
            "enterprise_ref_no": tally.enterprise_ref_no,
            "eport_no": tally.eport_no or self.eport_number(),
        }
        problems = self.party_problems([("tally.operator_code", tally.operator_code, "supervised_site_operator")])
        pending = repo.applied_return_for_parcel(self.session, tally.logistics_code, tally.logistics_no)
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
            self.refuse("tally", ExportMessageType.RETURN_TALLY_RECEIPT, tally.declaration.guid, key, problems, keys)
            return
        assert pending is not None
        row = ReturnTallyRecord(
            guid=tally.declaration.guid,
            app_status=tally.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(tally),
            operator_code=tally.operator_code,
            logistics_code=tally.logistics_code,
            logistics_no=tally.logistics_no,
            eport_no=str(keys["eport_no"]),
            return_id=pending.id,
        )
        self.session.add(row)
        self.session.flush()
        pending.state, pending.tallied_at, pending.updated_at = ReturnState.TALLIED, self.now, self.now
        self.issue(
            "tally", row.id, ExportMessageType.RETURN_TALLY_RECEIPT, tally.declaration.guid, "399", text("399"), **keys
        )
        request = unseal(ExportReturn, pending.payload)
        self.issue(
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
        self.audit(
            "exports.return.tallied", pending.inventory_no, None, {"return_id": pending.id}, actor=tally.operator_code
        )
        self.record("tally", key, "399", note=f"return {pending.id} complete")

    # --- summary application (CEB701) ------------------------------------------------------------------------

    def handle_summary_application(self, application: SummaryApplication) -> None:
        """Accept an application to summarise closed summary-flag (B) inventories (answered by `summarise`)."""
        key = f"{application.ecommerce_code}/{application.enterprise_ref_no}"
        if repo.by_guid(self.session, SummaryApplicationRecord, application.declaration.guid) is not None:
            self.record("summary", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | int | None] = {
            "agent_code": application.agent_code,
            "ecommerce_code": application.ecommerce_code,
            "enterprise_ref_no": application.enterprise_ref_no,
            "eport_no": application.eport_no or self.eport_number(),
            "message_seq_no": application.message_seq_no,
        }
        problems = check_summary_application(application)
        problems += self.party_problems(
            [
                ("summary.agent_code", application.agent_code, None),
                ("summary.ecommerce_code", application.ecommerce_code, "ecommerce_enterprise"),
                ("summary.declaring_agent_code", application.declaring_agent_code, None),
            ]
        )
        members: list[ExportInventoryRecord] = []
        if not problems:
            members, found = self.summary_members(application)
            problems += found
        if problems:
            self.refuse(
                "summary",
                ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
                application.declaration.guid,
                key,
                problems,
                keys,
            )
            return
        summary_no = self.customs_number(application.customs_code, "S")
        latest = max(m.departed_at for m in members if m.departed_at is not None)
        row = SummaryApplicationRecord(
            guid=application.declaration.guid,
            app_status=application.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=seal(application),
            customs_code=application.customs_code,
            agent_code=application.agent_code,
            agent_name=application.agent_name,
            ecommerce_code=application.ecommerce_code,
            ecommerce_name=application.ecommerce_name,
            declaring_agent_code=application.declaring_agent_code,
            declaring_agent_name=application.declaring_agent_name,
            summary_flag=application.summary_flag,
            item_name_flag=application.item_name_flag,
            enterprise_ref_no=application.enterprise_ref_no,
            eport_no=str(keys["eport_no"]),
            summary_no=summary_no,
            month=latest.astimezone(SHANGHAI).strftime("%Y-%m"),
            inventory_nos=[m.inventory_no or "" for m in members],
        )
        self.session.add(row)
        self.session.flush()
        keys["summary_no"] = summary_no
        self.issue(
            "summary",
            row.id,
            ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
            application.declaration.guid,
            ReturnStatus.ACCEPTED,
            text(ReturnStatus.ACCEPTED, f"汇总申请已受理，{len(members)} 份清单"),
            **keys,
        )
        self.record("summary", key, ReturnStatus.ACCEPTED, note=f"{len(members)} inventories, summary {summary_no}")

    def summary_members(self, application: SummaryApplication) -> tuple[list[ExportInventoryRecord], list[Problem]]:
        """Return the inventories an application covers, or the reasons some cannot be summarised."""
        problems: list[Problem] = []
        if application.start_time is not None and application.end_time is not None:
            end = application.end_time + timedelta(seconds=1)
            members = repo.closed_unsummarised(
                self.session, application.start_time, end, ecommerce_code=application.ecommerce_code
            )
            members = [m for m in members if not self.pending_elsewhere(m)]
            if not members:
                problems.append(
                    problem(
                        "E7",
                        "summary.start_time",
                        "时间范围内没有可汇总的已结关汇总申报清单",
                        "no closed, unsummarised summary-flag (B) inventory in the time range",
                        "Summarise last month's closed (899) inventories declared with statisticsFlag B.",
                    )
                )
            return members, problems
        members = []
        for number in application.inventory_nos:
            inventory = repo.inventory_by_number(self.session, number)
            reason = _not_summarisable(inventory, application.ecommerce_code)
            if reason is None and inventory is not None and self.pending_elsewhere(inventory):
                reason = ("已在其他汇总申请中", "already in another pending summary application")
            if reason is not None:
                problems.append(
                    problem(
                        "E7",
                        f"summary.inventory_nos[{number}]",
                        f"清单 {number} {reason[0]}",
                        f"inventory {number}: {reason[1]}",
                        "List only closed (899) statisticsFlag B inventories of this consignor not summarised yet.",
                    )
                )
            elif inventory is not None:
                members.append(inventory)
        return members, problems

    def pending_elsewhere(self, inventory: ExportInventoryRecord) -> bool:
        """Tell whether an inventory is already listed by a pending summary application."""
        return any(inventory.inventory_no in s.inventory_nos for s in repo.pending_summaries(self.session))


def _not_summarisable(inventory: ExportInventoryRecord | None, ecommerce_code: str) -> tuple[str, str] | None:
    if inventory is None:
        return ("不存在", "does not exist")
    if inventory.ecommerce_code != ecommerce_code:
        return ("不属于该收发货人", "belongs to another consignor")
    if inventory.state != DocumentState.ACCEPTED or inventory.status != ReturnStatus.CLOSED:
        return (f"未结关（状态 {inventory.status}）", f"is not closed (status {inventory.status})")
    if inventory.statistics_flag != "B":
        return ("为简化申报（A），不汇总", "is a simplified (A) declaration, which is not summarised")
    if inventory.declaration_id is not None:
        return ("已汇总", "is already summarised")
    return None
