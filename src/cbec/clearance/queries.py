"""Read-only clearance use cases (通关查询): search, one inventory with receipts and tax bill, held queue, returns.

Each takes the caller's ``Scope``; the repository filters by it, so nothing outside it is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cbec.clearance import repository as repo
from cbec.clearance.views import InventorySummary, summarize, tax_bill_from_row
from cbec.common.errors import NotFound
from cbec.common.scope import Scope
from cbec.intake.log import receipts_for
from cbec.intake.receipts import receipt_from_row
from cbec.messages.documents import Receipt, TaxBill
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class InventoryDetail:
    """One inventory with its receipts and tax bill."""

    summary: InventorySummary
    receipts: list[Receipt]
    tax_bill: TaxBill | None
    returns: list[dict[str, Any]]


def search_inventories(
    ctx: Context, *, scope: Scope | None = None, **filters: Any
) -> tuple[list[InventorySummary], int]:
    """Return a page of inventories in the scope matching the filters and the total count."""
    with ctx.uow() as uow:
        rows, total = repo.search_inventories(uow.session, scope=scope, **filters)
        return [summarize(row) for row in rows], total


def status_counts(ctx: Context, *, scope: Scope | None = None) -> dict[str, int]:
    """Return how many inventories in the scope stand in each status."""
    with ctx.uow() as uow:
        return repo.count_by_status(uow.session, scope)


def held_queue(ctx: Context, *, limit: int = 50, offset: int = 0, scope: Scope | None = None) -> list[InventorySummary]:
    """Return inventories in the scope waiting for an officer (300 manual review, 500 inspection)."""
    with ctx.uow() as uow:
        rows = repo.held_inventories(uow.session, limit=limit, offset=offset, scope=scope)
        return [summarize(row) for row in rows]


@dataclass(frozen=True, slots=True)
class ReturnSummary:
    """A return request as listed (退货申请): its state and the goods' deadline, no personal data."""

    id: int
    inventory_no: str
    order_no: str | None
    ecommerce_code: str | None
    state: str  # applied (goods not back yet) | completed | lapsed | refused …
    applied_on: date
    arrive_by: date | None
    arrived_at: datetime | None
    lines: dict[str, str]  # line number -> quantity returned
    restored_value: Decimal | None


def list_returns(
    ctx: Context, *, state: str | None = None, limit: int = 50, offset: int = 0, scope: Scope | None = None
) -> list[ReturnSummary]:
    """Return the return requests of inventories in the scope, newest first (``state='applied'``: goods awaited)."""
    with ctx.uow() as uow:
        rows = repo.returns_page(uow.session, state=state, limit=limit, offset=offset, scope=scope)
        return [
            ReturnSummary(
                id=ret.id,
                inventory_no=ret.inventory_no,
                order_no=inventory.order_no if inventory is not None else None,
                ecommerce_code=inventory.ecommerce_code if inventory is not None else None,
                state=str(ret.state),
                applied_on=ret.applied_on,
                arrive_by=ret.arrive_by,
                arrived_at=ret.arrived_at,
                lines=dict(ret.returned_lines),
                restored_value=ret.restored_value,
            )
            for ret, inventory in rows
        ]


def tax_bills(
    ctx: Context, *, limit: int = 50, offset: int = 0, scope: Scope | None = None
) -> tuple[list[TaxBill], int]:
    """Return a page of electronic tax bills (电子税单) of inventories in the scope, newest first, and the total."""
    with ctx.uow() as uow:
        rows, total = repo.tax_bills_page(uow.session, limit=limit, offset=offset, scope=scope)
        return [tax_bill_from_row(uow.session, row) for row in rows], total


def inventory_detail(ctx: Context, number: str, *, scope: Scope | None = None) -> InventoryDetail:
    """Return an inventory by customs number or E-port number, with receipts, tax bill and returns."""
    with ctx.uow() as uow:
        session = uow.session
        row = repo.inventory_by_number(session, number) or repo.inventory_by_eport_no(session, number)
        if row is not None and not repo.inventory_in_scope(session, row.id, scope):
            row = None  # outside the caller's scope an inventory is not found, so its existence does not leak
        if row is None:
            raise NotFound(f"inventory {number} not found", number=number)
        bill = repo.tax_bill_for(session, row.id)
        return InventoryDetail(
            summary=summarize(row),
            receipts=[receipt_from_row(r) for r in receipts_for(session, "inventory", row.id)],
            tax_bill=tax_bill_from_row(session, bill) if bill is not None and row.inventory_no else None,
            returns=[
                {
                    "id": r.id,
                    "state": r.state,
                    "applied_on": r.applied_on.isoformat(),
                    "arrive_by": r.arrive_by.isoformat() if r.arrive_by else None,
                    "lines": r.returned_lines,
                    "restored_value": str(r.restored_value) if r.restored_value is not None else None,
                }
                for r in repo.returns_of_inventory(session, row.id)
            ],
        )
