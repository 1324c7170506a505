"""Orders, payments and waybills (订单、支付单、运单) and the parcel's signed-for status (运单状态).

Each handler accepts, changes or deletes its document, answers it with a receipt, and advances the inventories
that waited for it (三单对碰, ``cbec.clearance.service.matching``).
"""

from __future__ import annotations

from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import OrderRecord, PaymentRecord, WaybillRecord
from cbec.clearance.rules import check_order, check_payment, check_waybill
from cbec.clearance.service.matching import advance_waiting
from cbec.clearance.service.run import (
    ImportRun,
    change_problems,
    identity_problems,
    issue,
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
from cbec.messages.documents import AppStatus, AppType, ImportOrder, MessageType, Payment, Waybill, WaybillStatus


def handle_order(run: ImportRun, order: ImportOrder) -> None:
    """Accept, change or delete an order, then advance inventories that waited for it."""
    run.store.lock([order_lock(order.platform_code, order.order_no)])
    key = f"{order.platform_code}/{order.order_no}"
    existing = run.store.order(order.platform_code, order.order_no)
    receipt = {
        "platform_code": order.platform_code,
        "ecommerce_code": order.ecommerce_code,
        "order_no": order.order_no,
    }
    if existing is not None and existing.guid == order.declaration.guid:
        record(run, "order", key, existing.state, note="resubmission: already processed")
        return
    problems = change_problems(run, "order", existing, order.declaration.app_type, "-301010", "-301009")
    if not problems and order.declaration.app_type != AppType.DELETE:
        problems += check_order(order)
        problems += identity_problems(run, "order.buyer_id_number", order.buyer_id_number)
        parties = [
            ("order.platform_code", order.platform_code, "ecommerce_platform"),
            ("order.ecommerce_code", order.ecommerce_code, "ecommerce_enterprise"),
        ]
        if order.payment_code:
            parties.append(("order.payment_code", order.payment_code, "payment_company"))
        problems += party_problems(run, parties)
    if not problems and existing is not None and inventory_declared(run, order.platform_code, order.order_no):
        problems.append(declared_problem(run, "order", "-301011"))
    if problems:
        refuse_document(run, "order", None, MessageType.ORDER_RECEIPT, order.declaration.guid, key, problems, receipt)
        return
    state = state_for(order.declaration.app_type, order.declaration.app_status)
    row = existing or OrderRecord(received_at=run.now)
    row.guid, row.app_status, row.state = order.declaration.guid, order.declaration.app_status, state
    row.platform_code, row.order_no, row.ecommerce_code = order.platform_code, order.order_no, order.ecommerce_code
    row.payment_code, row.payment_transaction_id = order.payment_code, order.payment_transaction_id
    row.buyer_key = run.ctx.cipher.blind_index(order.buyer_id_number)
    row.actual_paid, row.payload = order.actual_paid, seal(run, order)
    row.message_id, row.updated_at = run.message_id, run.now
    stored(run, row)
    run.store.register_order(row)
    status = accepted_status(state)
    issue(run, "order", row.id, MessageType.ORDER_RECEIPT, order.declaration.guid, status, text(status), **receipt)
    record(run, "order", key, status)
    if state == DocumentState.ACCEPTED:
        advance_waiting(run, run.store.waiting_inventories_for_order(order.platform_code, order.order_no))


def handle_payment(run: ImportRun, payment: Payment) -> None:
    """Accept, change or delete a payment voucher."""
    run.store.lock([order_lock(payment.platform_code, payment.order_no)])
    key = f"{payment.payment_code}/{payment.payment_transaction_id}"
    existing = run.store.payment(payment.payment_code, payment.payment_transaction_id)
    receipt = {"payment_code": payment.payment_code, "payment_transaction_id": payment.payment_transaction_id}
    if existing is not None and existing.guid == payment.declaration.guid:
        record(run, "payment", key, existing.state, note="resubmission: already processed")
        return
    problems = change_problems(run, "payment", existing, payment.declaration.app_type, "-401007", "-401008")
    if not problems and payment.declaration.app_type != AppType.DELETE:
        problems += check_payment(payment)
        problems += identity_problems(run, "payment.payer_id_number", payment.payer_id_number)
        problems += party_problems(run, [("payment.payment_code", payment.payment_code, "payment_company")])
    if not problems and existing is not None and inventory_declared(run, payment.platform_code, payment.order_no):
        problems.append(declared_problem(run, "payment", "-401008"))
    if problems:
        refuse_document(
            run, "payment", None, MessageType.PAYMENT_RECEIPT, payment.declaration.guid, key, problems, receipt
        )
        return
    state = state_for(payment.declaration.app_type, payment.declaration.app_status)
    row = existing or PaymentRecord(received_at=run.now)
    row.guid, row.app_status, row.state = payment.declaration.guid, payment.declaration.app_status, state
    row.payment_code, row.payment_transaction_id = payment.payment_code, payment.payment_transaction_id
    row.platform_code, row.order_no, row.amount_paid = payment.platform_code, payment.order_no, payment.amount_paid
    row.payload, row.message_id, row.updated_at = seal(run, payment), run.message_id, run.now
    stored(run, row)
    run.store.register_payment(row)
    status = accepted_status(state)
    issue(
        run,
        "payment",
        row.id,
        MessageType.PAYMENT_RECEIPT,
        payment.declaration.guid,
        status,
        text(status),
        **receipt,
    )
    record(run, "payment", key, status)
    if state == DocumentState.ACCEPTED:
        advance_waiting(run, run.store.waiting_inventories_for_order(payment.platform_code, payment.order_no))


def handle_waybill(run: ImportRun, waybill: Waybill) -> None:
    """Accept, change or delete a waybill."""
    run.store.lock([waybill_lock(waybill.logistics_code, waybill.logistics_no)])
    key = f"{waybill.logistics_code}/{waybill.logistics_no}"
    existing = run.store.waybill(waybill.logistics_code, waybill.logistics_no)
    receipt = {"logistics_code": waybill.logistics_code, "logistics_no": waybill.logistics_no}
    if existing is not None and existing.guid == waybill.declaration.guid:
        record(run, "waybill", key, existing.state, note="resubmission: already processed")
        return
    problems = change_problems(run, "waybill", existing, waybill.declaration.app_type, "-504015", "-504016")
    if not problems and waybill.declaration.app_type != AppType.DELETE:
        problems += check_waybill(waybill)
        problems += party_problems(run, [("waybill.logistics_code", waybill.logistics_code, "logistics_company")])
    if problems:
        refuse_document(
            run, "waybill", None, MessageType.WAYBILL_RECEIPT, waybill.declaration.guid, key, problems, receipt
        )
        return
    state = state_for(waybill.declaration.app_type, waybill.declaration.app_status)
    row = existing or WaybillRecord(received_at=run.now)
    row.guid, row.app_status, row.state = waybill.declaration.guid, waybill.declaration.app_status, state
    row.logistics_code, row.logistics_no = waybill.logistics_code, waybill.logistics_no
    row.order_no, row.bill_no = waybill.order_no, waybill.bill_no
    row.payload, row.message_id, row.updated_at = seal(run, waybill), run.message_id, run.now
    stored(run, row)
    run.store.register_waybill(row)
    status = accepted_status(state)
    issue(
        run,
        "waybill",
        row.id,
        MessageType.WAYBILL_RECEIPT,
        waybill.declaration.guid,
        status,
        text(status),
        **receipt,
    )
    record(run, "waybill", key, status)
    if state == DocumentState.ACCEPTED:
        advance_waiting(run, run.store.waiting_inventories_for_waybill(waybill.logistics_code, waybill.logistics_no))


def handle_waybill_status(run: ImportRun, report: WaybillStatus) -> None:
    """Record that a parcel was signed for (CEB513)."""
    key = f"{report.logistics_code}/{report.logistics_no}"
    receipt = {
        "logistics_code": report.logistics_code,
        "logistics_no": report.logistics_no,
        "logistics_status": report.logistics_status,
    }
    row = run.store.waybill(report.logistics_code, report.logistics_no)
    problems: list[Problem] = []
    if row is None or row.state != DocumentState.ACCEPTED:
        problems.append(
            problem(
                "M13",
                "waybill_status.logistics_no",
                "运单不存在",
                "no accepted waybill",
                "Send the waybill (CEB511) before its status.",
                "-505012",
            )
        )
    if report.logistics_status != "S":
        problems.append(
            problem(
                "R5",
                "waybill_status.logistics_status",
                "运单状态只能为S（签收）",
                "the only waybill status is S (signed for)",
                "Send logisticsStatus S.",
            )
        )
    if problems:
        refuse_document(
            run,
            "waybill_status",
            None,
            MessageType.WAYBILL_STATUS_RECEIPT,
            report.declaration.guid,
            key,
            problems,
            receipt,
        )
        return
    assert row is not None
    row.signed_at, row.updated_at = report.status_time, run.now
    status = ReturnStatus.ACCEPTED
    issue(
        run,
        "waybill_status",
        row.id,
        MessageType.WAYBILL_STATUS_RECEIPT,
        report.declaration.guid,
        status,
        text(status),
        **receipt,
    )
    record(run, "waybill_status", key, status)


def inventory_declared(run: ImportRun, platform_code: str, order_no: str) -> bool:
    """Tell whether an inventory of the order is past the point where partners may change."""
    inventory = run.store.live_inventory_for_order(platform_code, order_no)
    return inventory is not None and inventory.status not in (ReturnStatus.DRAFT, ReturnStatus.DECLARING)


def declared_problem(run: ImportRun, kind: str, code: str) -> Problem:
    """R12: refuse changes once the inventory is declared."""
    return problem(
        "R12",
        f"{kind}.app_type",
        "已申报清单，状态不符，不能变更或删除",
        f"the inventory is already declared; the {kind} can no longer change",
        "Cancel the inventory (CEB623) first if the order really changed.",
        code,
    )


def state_for(app_type: AppType, app_status: AppStatus) -> DocumentState:
    """Return the stored state for a declaration action."""
    if app_type == AppType.DELETE:
        return DocumentState.DELETED
    return DocumentState.DRAFT if app_status == AppStatus.DRAFT else DocumentState.ACCEPTED


def accepted_status(state: DocumentState) -> ReturnStatus:
    """Return the receipt status of an accepted document."""
    if state == DocumentState.DRAFT:
        return ReturnStatus.DRAFT
    if state == DocumentState.DELETED:
        return ReturnStatus.CONCLUDED
    return ReturnStatus.ACCEPTED
