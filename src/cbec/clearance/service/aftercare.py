"""Cancels, returns and arrivals (撤单、退货、入库): documents that act on declared inventories."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from cbec.clearance import repository as repo
from cbec.clearance.codes import CANCELLABLE, QUOTA_HOLDING, DocumentState, ReturnStatus
from cbec.clearance.models import ArrivalParcel, ArrivalRecordRow, CancelRecord, InventoryRecord, ReturnRecord
from cbec.clearance.rules import ReturnedSoFar, check_return_window, match_cancel, match_return, problem
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.inventory import InventoryProcessor
from cbec.clearance.service.store import waybill_lock
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.money import to_fen
from cbec.intake import numbers
from cbec.messages.documents import (
    ArrivalRecord,
    CancelRequest,
    ImportDocument,
    ImportOrder,
    Inventory,
    MessageType,
    Payment,
    ReturnRequest,
    Waybill,
    WaybillStatus,
)
from cbec.quota.errors import QuotaConsumptionNotFound
from cbec.quota.service import restore, restore_all_quantities, restore_quantity
from cbec.reference import tax_parameters


class MessageProcessor(InventoryProcessor):
    """The complete processor: every import declaration type."""

    def handle(self, document: ImportDocument) -> None:
        """Dispatch one document to its handler."""
        if isinstance(document, ImportOrder):
            self.handle_order(document)
        elif isinstance(document, Payment):
            self.handle_payment(document)
        elif isinstance(document, Waybill):
            self.handle_waybill(document)
        elif isinstance(document, WaybillStatus):
            self.handle_waybill_status(document)
        elif isinstance(document, Inventory):
            self.handle_inventory(document)
        elif isinstance(document, CancelRequest):
            self.handle_cancel(document)
        elif isinstance(document, ReturnRequest):
            self.handle_return(document)
        else:
            self.handle_arrival(document)

    # --- quota and tax unwinding ------------------------------------------------------------------

    def release_quota(self, inventory: InventoryRecord, amount: Decimal, ref_suffix: str) -> None:
        """Give back quota an inventory had consumed."""
        if amount > 0:
            restore(
                self.session,
                inventory_ref=inventory.eport_no,
                amount=amount,
                at=self.now,
                restore_ref=f"{inventory.eport_no}:{ref_suffix}",
            )

    def release_quantities(self, inventory: InventoryRecord, ref_suffix: str) -> None:
        """Give back every per-person quantity (e.g. kg of sugar) an inventory had consumed."""
        restore_all_quantities(
            self.session,
            inventory_ref=inventory.eport_no,
            restore_ref=f"{inventory.eport_no}:{ref_suffix}",
            at=self.now,
        )

    def void_tax_bill(self, inventory: InventoryRecord) -> None:
        """Void the inventory's current tax bill (status 3)."""
        bill = self.store.tax_bill_for(inventory.id)
        if bill is not None and bill.status != "3":
            bill.status, bill.returned_at = "3", self.now
            self.tax_bills.append(bill)
            self.publish_tax_bill(bill, inventory)

    # --- cancel (CEB623) ----------------------------------------------------------------------------

    def handle_cancel(self, cancel: CancelRequest) -> None:
        """Cancel a declared inventory: quota back, tax bill void."""
        key = cancel.inventory_no
        keys: dict[str, str | None] = {
            "customs_code": cancel.customs_code,
            "agent_code": cancel.agent_code,
            "platform_code": cancel.platform_code,
            "ecommerce_code": cancel.ecommerce_code,
            "enterprise_ref_no": cancel.enterprise_ref_no or cancel.inventory_no,
            "eport_no": cancel.eport_no,
            "inventory_no": cancel.inventory_no,
        }
        # Looked up in the database (and locked): write what the message changed so far first.
        self.session.flush()
        if repo.cancel_by_guid(self.session, cancel.declaration.guid) is not None:
            self.record("cancel", key, "resent", note="resubmission: already processed")
            return
        inventory = repo.inventory_by_number(self.session, cancel.inventory_no, for_update=True)
        problems: list[Problem] = self.original_problems(inventory, what="inventory")
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
            problems += match_cancel(cancel, self.open(MessageType.INVENTORY, inventory.payload))
            problems += self.party_problems([("cancel.agent_code", cancel.agent_code, None)])
        keys["eport_no"] = inventory.eport_no if inventory is not None else self.eport_number()
        keys["inventory_no"] = inventory.inventory_no if inventory is not None else None
        if problems:
            self.refuse_document(
                "cancel", None, MessageType.CANCEL_RECEIPT, cancel.declaration.guid, key, problems, keys
            )
            return
        assert inventory is not None
        row = CancelRecord(
            guid=cancel.declaration.guid,
            app_status=cancel.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=self.seal(cancel),
            inventory_id=inventory.id,
            inventory_no=cancel.inventory_no,
        )
        self.session.add(row)
        self.session.flush()
        if inventory.status in QUOTA_HOLDING and inventory.dutiable_value:
            self.release_quota(inventory, inventory.dutiable_value, "cancel")
            self.release_quantities(inventory, "cancel")
        self.void_tax_bill(inventory)
        before = {"status": inventory.status, "state": inventory.state}
        inventory.state, inventory.cancelled_at, inventory.updated_at = DocumentState.CANCELLED, self.now, self.now
        trade_facts.record_moved(self, inventory)
        self.audit(
            "clearance.inventory.cancelled",
            "inventory",
            inventory.eport_no,
            before,
            {"status": inventory.status, "state": inventory.state},
            cancel.reason,
            cancel.agent_code,
        )
        self.issue(
            "cancel",
            row.id,
            MessageType.CANCEL_RECEIPT,
            cancel.declaration.guid,
            ReturnStatus.ACCEPTED,
            self.text(ReturnStatus.ACCEPTED),
            **keys,
        )
        info = f"[Code:2300;Desc:审核通过],撤单申请审核通过,清单[{inventory.inventory_no}]已成功撤单"
        self.issue(
            "cancel", row.id, MessageType.CANCEL_RECEIPT, cancel.declaration.guid, ReturnStatus.CONCLUDED, info, **keys
        )
        self.record("cancel", key, ReturnStatus.CONCLUDED)

    # --- return (CEB625) ---------------------------------------------------------------------------

    def handle_return(self, request: ReturnRequest) -> None:
        """Register a return within the 30-day window; the quota comes back once the goods do."""
        key = request.inventory_no
        keys: dict[str, str | None] = {
            "customs_code": request.customs_code,
            "agent_code": request.agent_code,
            "platform_code": request.platform_code,
            "ecommerce_code": request.ecommerce_code,
            "enterprise_ref_no": request.enterprise_ref_no or request.inventory_no,
            "eport_no": request.eport_no,
            "inventory_no": request.inventory_no,
        }
        # Looked up in the database (and locked): write what the message changed so far first.
        self.session.flush()
        if repo.return_by_guid(self.session, request.declaration.guid) is not None:
            self.record("return", key, "resent", note="resubmission: already processed")
            return
        inventory = repo.inventory_by_number(self.session, request.inventory_no, for_update=True)
        problems: list[Problem] = self.original_problems(inventory, what="inventory")
        applied_on = business_date(request.declaration.app_time)
        params = tax_parameters(self.session, applied_on)
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
            returned = ReturnedSoFar(self.returned_quantities(inventory))
            problems += match_return(request, self.open(MessageType.INVENTORY, inventory.payload), returned)
            problems += check_return_window(
                business_date(inventory.released_at), applied_on, apply_days=int(params["return_apply_days"])
            )
            problems += self.party_problems([("return.agent_code", request.agent_code, None)])
        keys["eport_no"] = inventory.eport_no if inventory is not None else self.eport_number()
        keys["inventory_no"] = inventory.inventory_no if inventory is not None else None
        if problems:
            self.refuse_document(
                "return", None, MessageType.RETURN_RECEIPT, request.declaration.guid, key, problems, keys
            )
            return
        assert inventory is not None and inventory.released_at is not None
        arrive_by = business_date(inventory.released_at) + timedelta(days=int(params["return_arrive_days"]))
        row = ReturnRecord(
            guid=request.declaration.guid,
            app_status=request.declaration.app_status,
            state=DocumentState.APPLIED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=self.seal(request),
            inventory_id=inventory.id,
            inventory_no=request.inventory_no,
            applied_on=applied_on,
            arrive_by=arrive_by,
            returned_lines={str(line.line_no): str(line.quantity) for line in request.lines},
        )
        self.session.add(row)
        self.session.flush()
        self.audit(
            "clearance.return.applied",
            "inventory",
            inventory.eport_no,
            None,
            {"return_id": row.id, "lines": row.returned_lines},
            request.reason,
            request.agent_code,
        )
        self.issue(
            "return",
            row.id,
            MessageType.RETURN_RECEIPT,
            request.declaration.guid,
            ReturnStatus.ACCEPTED,
            self.text(ReturnStatus.ACCEPTED, f"退货申请已受理，货物须于 {arrive_by.isoformat()} 前退回监管场所"),
            **keys,
        )
        self.record("return", key, ReturnStatus.ACCEPTED, note=f"goods due back by {arrive_by.isoformat()}")

    def returned_quantities(self, inventory: InventoryRecord) -> dict[int, Decimal]:
        """Return the quantities per line already returned or being returned."""
        total: dict[int, Decimal] = {}
        for earlier in repo.returns_of_inventory(self.session, inventory.id):
            if earlier.state in (DocumentState.APPLIED, DocumentState.COMPLETED):
                for line_no, quantity in earlier.returned_lines.items():
                    total[int(line_no)] = total.get(int(line_no), Decimal(0)) + Decimal(quantity)
        return total

    def complete_return(self, row: ReturnRecord, inventory: InventoryRecord, *, actor: str) -> None:
        """Goods are back in time: restore the returned lines' value to the quota and cancel their taxes."""
        declared: Inventory = self.open(MessageType.INVENTORY, inventory.payload)
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
        self.release_quota(inventory, restored, f"return:{row.id}")
        for line in declared.lines:
            back = Decimal(row.returned_lines.get(str(line.line_no), "0"))
            if back <= 0:
                continue
            try:
                restore_quantity(
                    self.session,
                    inventory_ref=inventory.eport_no,
                    hs8=line.hs_code[:8],
                    restore_ref=f"{inventory.eport_no}:return:{row.id}",
                    quantity=line.legal_quantity * back / line.quantity,
                    at=self.now,
                )
            except QuotaConsumptionNotFound:
                continue  # the goods have no per-person quantity cap
        self.void_tax_bill(inventory)
        inventory.tax_lines = remaining
        for name in ("customs_duty", "vat", "consumption_tax"):
            setattr(inventory, name, to_fen(sum((Decimal(x[name]) for x in remaining), Decimal(0))))
        inventory.dutiable_value = to_fen(sum((Decimal(x["dutiable_value"]) for x in remaining), Decimal(0)))
        if any(Decimal(x["dutiable_value"]) > 0 for x in remaining):
            self.issue_tax_bill(inventory)
        trade_facts.record_returned(self, inventory, row.returned_lines)
        row.state, row.arrived_at, row.restored_value, row.updated_at = (
            DocumentState.COMPLETED,
            self.now,
            restored,
            self.now,
        )
        self.audit(
            "clearance.return.completed",
            "inventory",
            inventory.eport_no,
            None,
            {"return_id": row.id, "restored_value": str(restored)},
            None,
            actor,
        )
        self.issue(
            "return",
            row.id,
            MessageType.RETURN_RECEIPT,
            row.guid,
            ReturnStatus.CONCLUDED,
            self.text(ReturnStatus.CONCLUDED, f"退货完成，恢复额度 {restored}"),
            **self.return_keys(inventory),
        )

    def lapse_return(self, row: ReturnRecord, inventory: InventoryRecord) -> None:
        """Goods did not come back in time: the return lapses and the tax stands."""
        row.state, row.updated_at = DocumentState.LAPSED, self.now
        self.audit("clearance.return.lapsed", "inventory", inventory.eport_no, None, {"return_id": row.id})
        self.issue(
            "return",
            row.id,
            MessageType.RETURN_RECEIPT,
            row.guid,
            ReturnStatus.REFUSED,
            f"[Code:-625014;Desc:退货商品未在{row.arrive_by}前退回监管场所，退货失效]",
            **self.return_keys(inventory),
        )

    @staticmethod
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

    # --- arrival (CEB711) --------------------------------------------------------------------------

    def handle_arrival(self, arrival: ArrivalRecord) -> None:
        """Record parcels arrived at the supervised site; direct-purchase inventories waiting on them go on."""
        self.store.lock([waybill_lock(arrival.logistics_code, line.logistics_no) for line in arrival.lines])
        key = f"{arrival.operator_code}/{arrival.bill_no}"
        if repo.arrival_by_guid(self.session, arrival.declaration.guid) is not None:
            self.record("arrival", key, "resent", note="resubmission: already processed")
            return
        keys: dict[str, str | None] = {
            "customs_code": arrival.customs_code,
            "operator_code": arrival.operator_code,
            "enterprise_ref_no": arrival.enterprise_ref_no,
            "eport_no": arrival.eport_no,
        }
        problems = self.party_problems([("arrival.operator_code", arrival.operator_code, "supervised_site_operator")])
        for line in arrival.lines:
            if self.store.arrival_parcel(arrival.logistics_code, line.logistics_no) is not None:
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
            self.refuse_document(
                "arrival", None, MessageType.ARRIVAL_RECEIPT, arrival.declaration.guid, key, problems, keys
            )
            return
        day = business_date(self.now).strftime("%Y%m%d")
        entry_no = f"R{day}{numbers.next_number(self.session, 'arrival', day):09d}"
        row = ArrivalRecordRow(
            guid=arrival.declaration.guid,
            app_status=arrival.declaration.app_status,
            state=DocumentState.ACCEPTED,
            message_id=self.message_id,
            received_at=self.now,
            updated_at=self.now,
            payload=self.seal(arrival),
            operator_code=arrival.operator_code,
            customs_code=arrival.customs_code,
            bill_no=arrival.bill_no,
            entry_no=entry_no,
        )
        self.session.add(row)
        self.session.flush()
        for line in arrival.lines:
            parcel = ArrivalParcel(
                arrival_id=row.id,
                logistics_code=arrival.logistics_code,
                logistics_no=line.logistics_no,
                bill_no=arrival.bill_no,
            )
            self.session.add(parcel)
            self.store.register_parcel(parcel)
        self.session.flush()
        keys["entry_no"] = entry_no
        self.issue(
            "arrival",
            row.id,
            MessageType.ARRIVAL_RECEIPT,
            arrival.declaration.guid,
            ReturnStatus.ACCEPTED,
            self.text(ReturnStatus.ACCEPTED),
            **keys,
        )
        self.record("arrival", key, ReturnStatus.ACCEPTED, note=f"{len(arrival.lines)} parcels")
        for line in arrival.lines:
            waiting = self.store.waiting_inventories_for_waybill(arrival.logistics_code, line.logistics_no)
            for inventory in waiting:
                if inventory.bill_no and inventory.bill_no != arrival.bill_no:
                    self.refuse_inventory(
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
                self.advance(inventory)
