"""Read-only clearance use cases (通关查询): search, one inventory with receipts and tax bill, held queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.clearance import repository as repo
from cbec.clearance.views import InventorySummary, receipt_from_row, summarize, tax_bill_from_row
from cbec.common.errors import NotFound
from cbec.messages.documents import Receipt, TaxBill
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class InventoryDetail:
    """One inventory with its receipts and tax bill."""

    summary: InventorySummary
    receipts: list[Receipt]
    tax_bill: TaxBill | None
    returns: list[dict[str, Any]]


def search_inventories(ctx: Context, **filters: Any) -> tuple[list[InventorySummary], int]:
    """Return a page of inventories matching the filters and the total count."""
    with ctx.uow() as uow:
        rows, total = repo.search_inventories(uow.session, **filters)
        return [summarize(row) for row in rows], total


def status_counts(ctx: Context) -> dict[str, int]:
    """Return how many inventories stand in each status."""
    with ctx.uow() as uow:
        return repo.count_by_status(uow.session)


def held_queue(ctx: Context, *, limit: int = 50, offset: int = 0) -> list[InventorySummary]:
    """Return inventories waiting for an officer (300 manual review, 500 inspection)."""
    with ctx.uow() as uow:
        return [summarize(row) for row in repo.held_inventories(uow.session, limit=limit, offset=offset)]


def inventory_detail(ctx: Context, number: str) -> InventoryDetail:
    """Return an inventory by customs number or E-port number, with receipts, tax bill and returns."""
    with ctx.uow() as uow:
        session = uow.session
        row = repo.inventory_by_number(session, number) or repo.inventory_by_eport_no(session, number)
        if row is None:
            raise NotFound(f"inventory {number} not found", number=number)
        bill = repo.tax_bill_for(session, row.id)
        return InventoryDetail(
            summary=summarize(row),
            receipts=[receipt_from_row(r) for r in repo.receipts_for(session, "inventory", row.id)],
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
