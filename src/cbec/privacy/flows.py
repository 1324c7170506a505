"""Per-order view of the three flows (三流合一): information, money and goods, with timestamps.

Information flow: the order, its inventories and every receipt. Money flow: the payment voucher and
the electronic tax bills. Goods flow: the waybill, the parcel's arrival at the supervised site, the
signed-for status, cancels and returns. Personal data is masked throughout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cbec.clearance import repository as clearance_repo
from cbec.clearance.models import (
    ArrivalParcel,
    ArrivalRecordRow,
    CancelRecord,
    InventoryRecord,
    OrderRecord,
    PaymentRecord,
    ReturnRecord,
    TaxBillRecord,
    WaybillRecord,
)
from cbec.common.errors import NotFound
from cbec.common.personal import PersonalDataCipher
from cbec.common.scope import Scope
from cbec.enterprises.lookups import party_scope
from cbec.intake.models import IssuedReceipt
from cbec.sharing.rules import mask_personal
from cbec.storage.context import Context

INFORMATION, MONEY, GOODS = "information", "money", "goods"


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One dated step of one flow."""

    at: datetime
    flow: str
    what: str
    reference: str
    status: str | None = None
    detail: str = ""


@dataclass(slots=True)
class OrderFlows:
    """Everything the platform knows about one order, grouped by flow, personal data masked."""

    platform_code: str
    order_no: str
    information: dict[str, Any] = field(default_factory=dict)
    money: dict[str, Any] = field(default_factory=dict)
    goods: dict[str, Any] = field(default_factory=dict)
    timeline: list[FlowStep] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return _jsonable(
            {
                "platform_code": self.platform_code,
                "order_no": self.order_no,
                "information": self.information,
                "money": self.money,
                "goods": self.goods,
                "timeline": [
                    {
                        "at": s.at,
                        "flow": s.flow,
                        "what": s.what,
                        "reference": s.reference,
                        "status": s.status,
                        "detail": s.detail,
                    }
                    for s in self.timeline
                ],
            }
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _twin(cipher: PersonalDataCipher, payload: str) -> dict[str, Any]:
    """Return a stored document's JSON twin with personal data masked."""
    masked: dict[str, Any] = mask_personal(json.loads(cipher.decrypt(payload)))
    return masked


def _receipts(session: Session, kind: str, document_id: int) -> list[IssuedReceipt]:
    return list(
        session.scalars(
            select(IssuedReceipt)
            .where(IssuedReceipt.document_kind == kind, IssuedReceipt.document_id == document_id)
            .order_by(IssuedReceipt.id)
        )
    )


def _receipt_view(row: IssuedReceipt) -> dict[str, Any]:
    return {"message_type": row.message_type, "status": row.status, "info": row.info, "returned_at": row.returned_at}


class _Builder:
    """Collects the sections and the timeline of one order."""

    def __init__(self, session: Session, cipher: PersonalDataCipher, flows: OrderFlows) -> None:
        self.session, self.cipher, self.flows = session, cipher, flows

    def step(
        self, at: datetime | None, flow: str, what: str, reference: str, status: str | None = None, detail: str = ""
    ) -> None:
        if at is not None:
            self.flows.timeline.append(FlowStep(at, flow, what, reference, status, detail))

    def receipts(self, flow: str, kind: str, document_id: int, reference: str) -> list[dict[str, Any]]:
        rows = _receipts(self.session, kind, document_id)
        for row in rows:
            self.step(row.returned_at, flow, f"{row.message_type} receipt", reference, row.status, row.info[:200])
        return [_receipt_view(r) for r in rows]

    def order(self, order: OrderRecord) -> None:
        twin = _twin(self.cipher, order.payload)
        ref = f"{order.platform_code}/{order.order_no}"
        self.step(order.received_at, INFORMATION, "order received (CEB311)", ref, order.state)
        self.flows.information["order"] = {
            "state": order.state,
            "received_at": order.received_at,
            "updated_at": order.updated_at,
            "document": twin,
            "receipts": self.receipts(INFORMATION, "order", order.id, ref),
        }

    def payments(self, rows: list[PaymentRecord]) -> None:
        views = []
        for payment in rows:
            twin = _twin(self.cipher, payment.payload)
            ref = f"{payment.payment_code}/{payment.payment_transaction_id}"
            self.step(payment.received_at, MONEY, "payment voucher received (CEB411)", ref, payment.state)
            paid_at = twin.get("paid_at")
            if isinstance(paid_at, str):
                self.step(datetime.fromisoformat(paid_at), MONEY, "buyer paid", ref, None, f"{twin.get('amount_paid')}")
            views.append(
                {
                    "state": payment.state,
                    "received_at": payment.received_at,
                    "document": twin,
                    "receipts": self.receipts(MONEY, "payment", payment.id, ref),
                }
            )
        self.flows.money["payments"] = views

    def waybills(self, rows: list[WaybillRecord]) -> None:
        views = []
        for waybill in rows:
            twin = _twin(self.cipher, waybill.payload)
            ref = f"{waybill.logistics_code}/{waybill.logistics_no}"
            self.step(waybill.received_at, GOODS, "waybill received (CEB511)", ref, waybill.state)
            self.step(waybill.signed_at, GOODS, "parcel signed for (CEB513)", ref, "S")
            parcel = self.session.scalar(
                select(ArrivalParcel).where(
                    ArrivalParcel.logistics_code == waybill.logistics_code,
                    ArrivalParcel.logistics_no == waybill.logistics_no,
                )
            )
            arrival = None
            if parcel is not None:
                record = self.session.get(ArrivalRecordRow, parcel.arrival_id)
                if record is not None:
                    self.step(record.received_at, GOODS, "arrived at the supervised site (CEB711)", record.entry_no)
                    arrival = {
                        "entry_no": record.entry_no,
                        "operator_code": record.operator_code,
                        "bill_no": record.bill_no,
                        "arrived_at": record.received_at,
                    }
            views.append(
                {
                    "state": waybill.state,
                    "received_at": waybill.received_at,
                    "signed_at": waybill.signed_at,
                    "document": twin,
                    "arrival": arrival,
                    "receipts": self.receipts(GOODS, "waybill", waybill.id, ref)
                    + self.receipts(GOODS, "waybill_status", waybill.id, ref),
                }
            )
        self.flows.goods["waybills"] = views

    def inventories(self, rows: list[InventoryRecord]) -> None:
        views, bills, cancels, returns = [], [], [], []
        for inventory in rows:
            ref = inventory.inventory_no or inventory.eport_no
            self.step(inventory.declared_at, INFORMATION, "inventory declared (CEB621)", ref, inventory.status)
            self.step(inventory.released_at, GOODS, "released (放行)", ref, "800")
            self.step(inventory.cancelled_at, GOODS, "cancelled (撤单)", ref)
            self.step(inventory.closed_at, INFORMATION, "closed (结关)", ref, "899")
            views.append(
                {
                    "eport_no": inventory.eport_no,
                    "inventory_no": inventory.inventory_no,
                    "status": inventory.status,
                    "state": inventory.state,
                    "status_info": inventory.status_info,
                    "waiting_for": inventory.waiting_for,
                    "trade_mode": inventory.trade_mode,
                    "declared_at": inventory.declared_at,
                    "released_at": inventory.released_at,
                    "cancelled_at": inventory.cancelled_at,
                    "closed_at": inventory.closed_at,
                    "document": _twin(self.cipher, inventory.payload),
                    "receipts": self.receipts(INFORMATION, "inventory", inventory.id, ref),
                }
            )
            for bill in self.session.scalars(
                select(TaxBillRecord).where(TaxBillRecord.inventory_id == inventory.id).order_by(TaxBillRecord.id)
            ):
                self.step(bill.returned_at, MONEY, "tax bill (CEB816)", bill.tax_no, bill.status)
                bills.append(
                    {
                        "tax_no": bill.tax_no,
                        "inventory_no": inventory.inventory_no,
                        "status": bill.status,
                        "customs_duty": bill.customs_duty,
                        "vat": bill.vat,
                        "consumption_tax": bill.consumption_tax,
                        "returned_at": bill.returned_at,
                    }
                )
            for cancel in self.session.scalars(
                select(CancelRecord).where(CancelRecord.inventory_id == inventory.id).order_by(CancelRecord.id)
            ):
                self.step(cancel.received_at, INFORMATION, "cancel requested (CEB623)", ref, cancel.state)
                cancels.append(
                    {
                        "inventory_no": cancel.inventory_no,
                        "state": cancel.state,
                        "received_at": cancel.received_at,
                        "receipts": self.receipts(INFORMATION, "cancel", cancel.id, ref),
                    }
                )
            for back in self.session.scalars(
                select(ReturnRecord).where(ReturnRecord.inventory_id == inventory.id).order_by(ReturnRecord.id)
            ):
                self.step(back.received_at, GOODS, "return applied (CEB625)", ref, back.state)
                self.step(back.arrived_at, GOODS, "returned goods back in the site", ref, back.state)
                returns.append(
                    {
                        "inventory_no": back.inventory_no,
                        "state": back.state,
                        "applied_on": back.applied_on.isoformat(),
                        "arrive_by": back.arrive_by.isoformat() if back.arrive_by else None,
                        "arrived_at": back.arrived_at,
                        "lines": back.returned_lines,
                        "restored_value": back.restored_value,
                        "receipts": self.receipts(GOODS, "return", back.id, ref),
                    }
                )
        self.flows.information["inventories"] = views
        self.flows.money["tax_bills"] = bills
        self.flows.money["tax"] = [
            {
                "inventory_no": i.inventory_no,
                "tax_path": i.tax_path,
                "dutiable_value": i.dutiable_value,
                "customs_duty": i.customs_duty,
                "vat": i.vat,
                "consumption_tax": i.consumption_tax,
            }
            for i in rows
        ]
        self.flows.information["cancels"] = cancels
        self.flows.goods["returns"] = returns


def _order_in_scope(session: Session, platform_code: str, order_no: str, scope: Scope | None) -> bool:
    """Tell whether an enterprise of the scope is a party to the order or to one of its inventories."""
    if scope is None or scope.unrestricted:
        return True
    order = select(OrderRecord.id).where(
        OrderRecord.platform_code == platform_code,
        OrderRecord.order_no == order_no,
        *party_scope(scope, (OrderRecord.platform_code, OrderRecord.ecommerce_code)),
    )
    inventory = select(InventoryRecord.id).where(
        InventoryRecord.platform_code == platform_code,
        InventoryRecord.order_no == order_no,
        *clearance_repo.inventory_scope(scope),
    )
    return session.scalar(order.limit(1)) is not None or session.scalar(inventory.limit(1)) is not None


def order_flows(ctx: Context, platform_code: str, order_no: str, *, scope: Scope | None = None) -> OrderFlows:
    """Return one order's information, money and goods flows with a dated timeline (personal data masked).

    An order none of whose parties lies in the scope is not found.
    """
    platform_code, order_no = platform_code.strip().upper(), order_no.strip()
    with ctx.uow() as uow:
        session = uow.session
        order = session.scalar(
            select(OrderRecord).where(OrderRecord.platform_code == platform_code, OrderRecord.order_no == order_no)
        )
        inventories = list(
            session.scalars(
                select(InventoryRecord)
                .where(InventoryRecord.platform_code == platform_code, InventoryRecord.order_no == order_no)
                .order_by(InventoryRecord.id)
            )
        )
        if (order is None and not inventories) or not _order_in_scope(session, platform_code, order_no, scope):
            raise NotFound(
                f"order {platform_code}/{order_no} not found", platform_code=platform_code, order_no=order_no
            )
        flows = OrderFlows(platform_code, order_no)
        build = _Builder(session, ctx.cipher, flows)
        if order is not None:
            build.order(order)
        else:
            flows.information["order"] = None
        build.payments(
            list(
                session.scalars(
                    select(PaymentRecord)
                    .where(PaymentRecord.platform_code == platform_code, PaymentRecord.order_no == order_no)
                    .order_by(PaymentRecord.id)
                )
            )
        )
        waybill_keys = {(i.logistics_code, i.logistics_no) for i in inventories}
        # The inventory names the parcel; without one, the waybill is found by the order number it carries.
        conditions: list[ColumnElement[bool]] = [
            (WaybillRecord.logistics_code == code) & (WaybillRecord.logistics_no == number)
            for code, number in waybill_keys
        ] or [WaybillRecord.order_no == order_no]
        build.waybills(list(session.scalars(select(WaybillRecord).where(or_(*conditions)).order_by(WaybillRecord.id))))
        build.inventories(inventories)
        flows.timeline.sort(key=lambda s: s.at)  # stable: same-moment steps stay in order, order before inventory
        return flows
