"""Read models of the clearance store (通关查询视图): receipts, tax bills and masked inventory views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cbec.clearance import repository as repo
from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.messages.documents import TaxBill, TaxBillLine


def tax_bill_from_row(session: Session, bill: TaxBillRecord) -> TaxBill:
    """Return the CEB816 document of a stored tax bill."""
    inventory = repo.inventory_by_id(session, bill.inventory_id)
    assert inventory is not None and inventory.inventory_no is not None
    return TaxBill(
        guid=bill.guid,
        returned_at=bill.returned_at,
        inventory_no=inventory.inventory_no,
        tax_no=bill.tax_no,
        customs_duty=bill.customs_duty,
        vat=bill.vat,
        consumption_tax=bill.consumption_tax,
        status=bill.status,
        lines=tuple(
            TaxBillLine(
                line_no=int(line["line_no"]),
                hs_code=line["hs_code"],
                dutiable_value=Decimal(line["dutiable_value"]),
                customs_duty=Decimal(line["customs_duty"]),
                vat=Decimal(line["vat"]),
                consumption_tax=Decimal(line["consumption_tax"]),
            )
            for line in bill.lines
        ),
        guarantor_code=None,
        ecommerce_code=inventory.ecommerce_code,
        logistics_code=inventory.logistics_code,
        agent_code=inventory.agent_code,
        customs_code=inventory.customs_code,
    )


@dataclass(frozen=True, slots=True)
class InventorySummary:
    """An inventory as listed to officers and enterprises (no personal data)."""

    id: int
    eport_no: str
    inventory_no: str | None
    order_no: str
    logistics_no: str
    platform_code: str
    ecommerce_code: str
    agent_code: str
    trade_mode: str
    status: str
    status_info: str
    waiting_for: str | None
    tax_path: str | None
    dutiable_value: Decimal | None
    customs_duty: Decimal | None
    vat: Decimal | None
    consumption_tax: Decimal | None
    declared_at: datetime
    released_at: datetime | None
    cancelled: bool
    problems: list[dict[str, Any]]
    priority: bool = False  # first in the officers' queue (a facilitation measure)
    guarantee: str | None = None  # the guarantee its decision asked: exempt | full (None: the ordinary one)


def summarize(row: InventoryRecord) -> InventorySummary:
    """Return the listing view of an inventory."""
    return InventorySummary(
        id=row.id,
        eport_no=row.eport_no,
        inventory_no=row.inventory_no,
        order_no=row.order_no,
        logistics_no=row.logistics_no,
        platform_code=row.platform_code,
        ecommerce_code=row.ecommerce_code,
        agent_code=row.agent_code,
        trade_mode=row.trade_mode,
        status=row.status,
        status_info=row.status_info,
        waiting_for=row.waiting_for,
        tax_path=row.tax_path,
        dutiable_value=row.dutiable_value,
        customs_duty=row.customs_duty,
        vat=row.vat,
        consumption_tax=row.consumption_tax,
        declared_at=row.declared_at,
        released_at=row.released_at,
        cancelled=row.cancelled_at is not None,
        problems=list(row.problems or []),
        priority=bool(row.priority),
        guarantee=row.guarantee,
    )
