"""An officer's dossier (审单卷宗): a held inventory beside its order, payment and waybill; misuse reports.

The four documents are lined up field by field, agreement judged on the clear values and shown masked; the
zone office's list of consumers' misuse reports is read here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cbec.clearance.views import summarize
from cbec.common.errors import NotFound, Problem
from cbec.common.money import ZERO
from cbec.common.personal import PersonalDataCipher, mask_address, mask_id_number, mask_name, mask_phone
from cbec.common.scope import EVERYTHING, Scope
from cbec.messages import MessageType, document_from_json
from cbec.statistics import repository as repo
from cbec.statistics.queries.documents import _receipt_view
from cbec.statistics.views import ComparisonRow, Dossier, GoodsLine, ReportView
from cbec.storage.context import Context


def inventory_dossier(ctx: Context, number: str, *, scope: Scope = EVERYTHING) -> Dossier:
    """Return a held inventory with its order, payment and waybill side by side, personal data masked."""
    with ctx.uow() as uow:
        session = uow.session
        row = repo.inventory_by_number(session, number.strip(), scope)
        if row is None:
            raise NotFound(f"inventory {number} not found", number=number)
        order_row, payment_row, waybill_row = repo.partners_of(session, row)
        inventory = _open(ctx.cipher, MessageType.INVENTORY, row.payload)
        order = _open(ctx.cipher, MessageType.ORDER, order_row.payload) if order_row else None
        payment = _open(ctx.cipher, MessageType.PAYMENT, payment_row.payload) if payment_row else None
        waybill = _open(ctx.cipher, MessageType.WAYBILL, waybill_row.payload) if waybill_row else None
        missing = tuple(
            kind
            for kind, found in (("order", order_row), ("payment", payment_row), ("waybill", waybill_row))
            if found is None
        )
        summary = summarize(row)
        reasons = tuple(p.get("message", "") for p in summary.problems) or (row.status_info,)
        return Dossier(
            summary=summary,
            reasons=tuple(r for r in reasons if r),
            comparison=_comparison(order, payment, waybill, inventory),
            order_lines=tuple(
                GoodsLine(x.line_no, x.item_name, None, x.origin_country, x.quantity, x.unit_price, x.total_price)
                for x in (order.lines if order else ())
            ),
            inventory_lines=tuple(
                GoodsLine(x.line_no, x.goods_name, x.hs_code, x.origin_country, x.quantity, x.unit_price, x.total_price)
                for x in inventory.lines
            ),
            missing=missing,
            receipts=tuple(_receipt_view(r) for r in repo.receipts_of(session, "inventory", row.id)),
        )


def _open(cipher: PersonalDataCipher, message_type: MessageType, payload: str) -> Any:
    return document_from_json(message_type, json.loads(cipher.decrypt(payload)))


Reader = Callable[[Any], Any]


def _comparison(order: Any, payment: Any, waybill: Any, inventory: Any) -> tuple[ComparisonRow, ...]:
    """Line the four documents up field by field; agreement is judged on the clear values, shown masked."""

    def get(document: Any, attribute: str | None) -> Any:
        return getattr(document, attribute) if document is not None and attribute else None

    inventory_total = sum((line.total_price for line in inventory.lines), ZERO)
    rows: list[tuple[str, tuple[Any, Any, Any, Any], Callable[[Any], str]]] = [
        (
            "buyer_name",
            (get(order, "buyer_name"), get(payment, "payer_name"), None, inventory.buyer_name),
            mask_name,
        ),
        (
            "buyer_id_number",
            (get(order, "buyer_id_number"), get(payment, "payer_id_number"), None, inventory.buyer_id_number),
            mask_id_number,
        ),
        (
            "buyer_phone",
            (get(order, "buyer_phone"), get(payment, "payer_phone"), None, inventory.buyer_phone),
            mask_phone,
        ),
        ("consignee", (get(order, "consignee"), None, get(waybill, "consignee"), None), mask_name),
        (
            "consignee_phone",
            (get(order, "consignee_phone"), None, get(waybill, "consignee_phone"), None),
            mask_phone,
        ),
        (
            "consignee_address",
            (
                get(order, "consignee_address"),
                None,
                get(waybill, "consignee_address"),
                inventory.consignee_address,
            ),
            mask_address,
        ),
        (
            "order_no",
            (get(order, "order_no"), get(payment, "order_no"), get(waybill, "order_no"), inventory.order_no),
            str,
        ),
        (
            "ecommerce_code",
            (get(order, "ecommerce_code"), None, None, inventory.ecommerce_code),
            str,
        ),
        (
            "platform_code",
            (get(order, "platform_code"), get(payment, "platform_code"), None, inventory.platform_code),
            str,
        ),
        ("payment_code", (get(order, "payment_code"), get(payment, "payment_code"), None, None), str),
        (
            "payment_transaction_id",
            (get(order, "payment_transaction_id"), get(payment, "payment_transaction_id"), None, None),
            str,
        ),
        ("amount_paid", (get(order, "actual_paid"), get(payment, "amount_paid"), None, None), _amount),
        ("goods_value", (get(order, "goods_value"), None, None, inventory_total), _amount),
        ("freight", (get(order, "freight"), None, get(waybill, "freight"), inventory.freight), _amount),
        ("logistics_no", (None, None, get(waybill, "logistics_no"), inventory.logistics_no), str),
        ("bill_no", (None, None, get(waybill, "bill_no"), inventory.bill_no), str),
    ]
    result = []
    for name, values, mask in rows:
        present = [v for v in values if v is not None]
        shown = [None if v is None else mask(v) for v in values]
        result.append(
            ComparisonRow(
                field=name,
                order=shown[0],
                payment=shown[1],
                waybill=shown[2],
                inventory=shown[3],
                consistent=len({_same(v) for v in present}) <= 1,
            )
        )
    return tuple(result)


def _amount(value: Any) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


def _same(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return str(value).strip().upper()


def problems_of(summary_problems: list[dict[str, Any]]) -> list[Problem]:
    """Return the stored problems of an inventory as Problems."""
    return [
        Problem(
            rule_id=str(p.get("rule_id", "")),
            field=str(p.get("field", "")),
            message=str(p.get("message", "")),
            hint=str(p.get("hint", "")),
            code=p.get("code"),
        )
        for p in summary_problems
    ]


def list_reports(
    ctx: Context, *, status: str | None = None, limit: int = 50, offset: int = 0, scope: Scope | None = None
) -> tuple[list[ReportView], int]:
    """Return consumers' misuse reports of inventories in the scope, newest first, with the inventory they name."""
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    with ctx.uow() as uow:
        rows, total = repo.reports(uow.session, status=status or None, limit=limit, offset=offset, scope=scope)
        inventories = repo.inventories_by_eport(uow.session, [r.inventory_ref for r in rows])
        views = []
        for row in rows:
            inventory = inventories.get(row.inventory_ref)
            views.append(
                ReportView(
                    reference_no=row.reference_no or "",
                    inventory_ref=row.inventory_ref,
                    inventory_no=inventory.inventory_no if inventory else None,
                    order_no=row.order_no,
                    ecommerce_code=inventory.ecommerce_code if inventory else None,
                    platform_code=inventory.platform_code if inventory else None,
                    status=row.status,
                    note=ctx.cipher.decrypt(row.note) if row.note else None,
                    reported_at=row.reported_at,
                    reviewed_at=row.reviewed_at,
                    reviewed_by=row.reviewed_by,
                    review_comment=row.review_comment,
                    outcome=row.outcome,
                )
            )
        return views, total
