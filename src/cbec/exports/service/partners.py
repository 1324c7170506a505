"""Partner documents of export inventories (关联单证): orders and bookings, receipts of payment, waybills.

Each is accepted, changed or deleted on its own (R11/R12, M12), then the inventories that waited for it go on
(``inventory.advance_all``). Nothing here commits.
"""

from __future__ import annotations

from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.models import (
    ExportOrderRecord,
    ExportWaybillRecord,
    OverseasWarehouse,
    PaymentReceiptNoteRecord,
)
from cbec.exports.rules import (
    check_export_order,
    check_export_waybill,
    check_payment_receipt_note,
)
from cbec.exports.service.inventory import advance_all
from cbec.exports.service.run import (
    ExportRun,
    accepted_status,
    change_problems,
    issue,
    party_problems,
    record,
    refuse,
    sealed,
    state_for,
    stored,
    text,
    working_set,
)
from cbec.exports.service.store import order_lock, parcel_lock
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.messages.documents import AppType
from cbec.messages.export_documents import (
    ExportMessageType,
    ExportOrder,
    ExportOrderType,
    ExportWaybill,
    PaymentReceiptNote,
)


def handle_order(run: ExportRun, order: ExportOrder) -> None:
    """Accept, change or delete an export order or booking, then advance inventories that waited for it."""
    store = working_set(run)
    order_key = (order.platform_code, order.ecommerce_code, order.order_no)
    store.lock([order_lock(order_key)])  # held already when the message was prepared
    key = f"{order.platform_code}/{order.order_no}"
    keys = {
        "platform_code": order.platform_code,
        "ecommerce_code": order.ecommerce_code,
        "order_no": order.order_no,
    }
    existing = store.order(order_key)
    if existing is not None and existing.guid == order.declaration.guid:
        record(run, "order", key, existing.state, note="resubmission: already processed")
        return
    app_type = order.declaration.app_type
    problems = change_problems(run, "order", existing, app_type, "-301010", "-301009")
    if not problems and app_type != AppType.DELETE:
        problems += check_export_order(order)
        problems += party_problems(
            run,
            [
                ("order.platform_code", order.platform_code, "ecommerce_platform"),
                ("order.ecommerce_code", order.ecommerce_code, "ecommerce_enterprise"),
            ],
        )
    if (
        not problems
        and existing is not None
        and declared(run, order.platform_code, order.ecommerce_code, order.order_no)
    ):
        problems.append(declared_problem("order", "-301011"))
    if problems:
        refuse(run, "order", ExportMessageType.ORDER_RECEIPT, order.declaration.guid, key, problems, keys)
        return
    state = state_for(app_type, order.declaration.app_status)
    row = existing or ExportOrderRecord(received_at=run.now)
    row.guid, row.app_status, row.state = order.declaration.guid, order.declaration.app_status, state
    row.order_type, row.platform_code, row.ecommerce_code = (
        order.order_type,
        order.platform_code,
        order.ecommerce_code,
    )
    row.order_no, row.currency, row.goods_value, row.freight = (
        order.order_no,
        order.currency,
        order.goods_value,
        order.freight,
    )
    note = ""
    row.warehouse_id = None
    if order.order_type == ExportOrderType.OVERSEAS_WAREHOUSE:
        warehouse = warehouse_named(run, order.platform_name)
        row.warehouse_id = warehouse.id if warehouse is not None else None
        if warehouse is None:
            # Ruling 12: filing is no customs precondition since 2024-12-15; the booking is kept unlinked.
            note = f"overseas warehouse {order.platform_name!r} is not in the zone registry"
    row.payload, row.message_id, row.updated_at = sealed(run, order), run.message_id, run.now
    stored(run, row)
    store.register_order(row)
    status = accepted_status(state)
    issue(run, "order", row.id, ExportMessageType.ORDER_RECEIPT, order.declaration.guid, status, text(status), **keys)
    record(run, "order", key, status, note=note)
    if state == DocumentState.ACCEPTED:
        advance_all(run, store.waiting_for_order(order_key))


def handle_receipt_note(run: ExportRun, note: PaymentReceiptNote) -> None:
    """Accept, change or delete a receipt of payment (收款单)."""
    store = working_set(run)
    order_key = (note.platform_code, note.ecommerce_code, note.order_no)
    store.lock([order_lock(order_key)])
    key = f"{note.ecommerce_code}/{note.order_no}"
    keys = {"ecommerce_code": note.ecommerce_code, "order_no": note.order_no, "payment_no": note.payment_no}
    existing = store.receipt_note(order_key)
    if existing is not None and existing.guid == note.declaration.guid:
        record(run, "payment_receipt", key, existing.state, note="resubmission: already processed")
        return
    app_type = note.declaration.app_type
    problems = change_problems(run, "payment_receipt", existing, app_type, "-401007", "-401008")
    if not problems and app_type != AppType.DELETE:
        problems += check_payment_receipt_note(note)
        parties = [("payment_receipt.ecommerce_code", note.ecommerce_code, "ecommerce_enterprise")]
        if note.payment_code:
            parties.append(("payment_receipt.payment_code", note.payment_code, "payment_company"))
        problems += party_problems(run, parties)
    if not problems and existing is not None and declared(run, note.platform_code, note.ecommerce_code, note.order_no):
        problems.append(declared_problem("payment_receipt", "-401008"))
    if problems:
        refuse(
            run,
            "payment_receipt",
            ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
            note.declaration.guid,
            key,
            problems,
            keys,
        )
        return
    state = state_for(app_type, note.declaration.app_status)
    row = existing or PaymentReceiptNoteRecord(received_at=run.now)
    row.guid, row.app_status, row.state = note.declaration.guid, note.declaration.app_status, state
    row.platform_code, row.ecommerce_code, row.order_no = note.platform_code, note.ecommerce_code, note.order_no
    row.payment_code, row.payment_no = note.payment_code, note.payment_no
    row.amount, row.currency, row.accounted_at = note.amount, note.currency, note.accounted_at
    row.payload, row.message_id, row.updated_at = sealed(run, note), run.message_id, run.now
    stored(run, row)
    store.register_receipt_note(row)
    status = accepted_status(state)
    issue(
        run,
        "payment_receipt",
        row.id,
        ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
        note.declaration.guid,
        status,
        text(status),
        **keys,
    )
    record(run, "payment_receipt", key, status)
    if state == DocumentState.ACCEPTED:
        advance_all(run, store.waiting_for_order(order_key))


def handle_waybill(run: ExportRun, waybill: ExportWaybill) -> None:
    """Accept, change or delete an export waybill."""
    store = working_set(run)
    parcel = (waybill.logistics_code, waybill.logistics_no)
    store.lock([parcel_lock(parcel)])
    key = f"{waybill.logistics_code}/{waybill.logistics_no}"
    keys = {"logistics_code": waybill.logistics_code, "logistics_no": waybill.logistics_no}
    existing = store.waybill(parcel)
    if existing is not None and existing.guid == waybill.declaration.guid:
        record(run, "waybill", key, existing.state, note="resubmission: already processed")
        return
    app_type = waybill.declaration.app_type
    problems = change_problems(run, "waybill", existing, app_type, "-504015", "-504016")
    if not problems and app_type != AppType.DELETE:
        problems += check_export_waybill(waybill)
        problems += party_problems(run, [("waybill.logistics_code", waybill.logistics_code, "logistics_company")])
    if problems:
        refuse(run, "waybill", ExportMessageType.WAYBILL_RECEIPT, waybill.declaration.guid, key, problems, keys)
        return
    state = state_for(app_type, waybill.declaration.app_status)
    row = existing or ExportWaybillRecord(received_at=run.now)
    row.guid, row.app_status, row.state = waybill.declaration.guid, waybill.declaration.app_status, state
    row.logistics_code, row.logistics_no = waybill.logistics_code, waybill.logistics_no
    row.freight, row.insured_fee, row.currency = waybill.freight, waybill.insured_fee, waybill.currency
    row.payload, row.message_id, row.updated_at = sealed(run, waybill), run.message_id, run.now
    stored(run, row)
    store.register_waybill(row)
    status = accepted_status(state)
    issue(
        run,
        "waybill",
        row.id,
        ExportMessageType.WAYBILL_RECEIPT,
        waybill.declaration.guid,
        status,
        text(status),
        **keys,
    )
    record(run, "waybill", key, status)
    if state == DocumentState.ACCEPTED:
        advance_all(run, store.waiting_for_parcel(parcel))


def warehouse_named(run: ExportRun, name: str) -> OverseasWarehouse | None:
    """Return the registered overseas warehouse of a name, looked up once per run."""
    key = ("warehouse", name)
    if key not in run.memo:
        run.memo[key] = repo.warehouse_by_name(run.session, name)
    found: OverseasWarehouse | None = run.memo[key]
    return found


def declared(run: ExportRun, platform_code: str, ecommerce_code: str, order_no: str) -> bool:
    """Tell whether an inventory of the order is past the point where its partners may change."""
    inventory = working_set(run).live_inventory_for_order((platform_code, ecommerce_code, order_no))
    return inventory is not None and inventory.status not in (ReturnStatus.DRAFT, ReturnStatus.DECLARING)


def declared_problem(kind: str, code: str) -> Problem:
    """R12: refuse changes once the inventory is declared."""
    return problem(
        "R12",
        f"{kind}.app_type",
        "已申报清单，状态不符，不能变更或删除",
        f"the inventory is already declared; the {kind} can no longer change",
        "Cancel the inventory (CEB605) first if the order really changed.",
        code,
    )
