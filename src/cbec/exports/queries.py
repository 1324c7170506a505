"""Read-only export use cases (出口查询): search, one inventory with receipts and returns, summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.common.errors import NotFound
from cbec.common.scope import Scope
from cbec.exports import repository as repo
from cbec.exports.views import ExportInventorySummary, summarize
from cbec.intake.log import receipts_for
from cbec.intake.receipts import receipt_from_row
from cbec.messages.documents import Receipt
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class ExportInventoryDetail:
    """One export inventory with its lines, receipts, returns and summary declaration."""

    summary: ExportInventorySummary
    lines: list[dict[str, Any]]
    receipts: list[Receipt]
    returns: list[dict[str, Any]]


def search_export_inventories(
    ctx: Context, *, scope: Scope | None = None, **filters: Any
) -> tuple[list[ExportInventorySummary], int]:
    """Return a page of export inventories in the scope matching the filters and the total count."""
    with ctx.uow() as uow:
        rows, total = repo.search_inventories(uow.session, scope=scope, **filters)
        return [summarize(row) for row in rows], total


def export_status_counts(ctx: Context, *, scope: Scope | None = None) -> dict[str, int]:
    """Return how many export inventories of the scope stand in each status."""
    with ctx.uow() as uow:
        return repo.count_by_status(uow.session, scope)


def held_export_inventories(ctx: Context, *, scope: Scope | None = None) -> list[ExportInventorySummary]:
    """Return export inventories of the scope waiting for an officer (300/500)."""
    with ctx.uow() as uow:
        return [summarize(row) for row in repo.held_inventories(uow.session, scope)]


def export_inventory_detail(ctx: Context, number: str, *, scope: Scope | None = None) -> ExportInventoryDetail:
    """Return an export inventory by customs or E-port number with lines, receipts and returns (else not found)."""
    with ctx.uow() as uow:
        session = uow.session
        row = repo.inventory_by_number(session, number) or repo.inventory_by_eport_no(session, number)
        if row is None or not repo.inventory_in_scope(session, row.id, scope):
            raise NotFound(f"export inventory {number} not found", number=number)
        return ExportInventoryDetail(
            summary=summarize(row),
            lines=[
                {
                    "line_no": line.line_no,
                    "item_no": line.item_no,
                    "hs_code": line.hs_code,
                    "goods_name": line.goods_name,
                    "destination_country": line.destination_country,
                    "currency": line.currency,
                    "quantity": str(line.quantity),
                    "total_price": str(line.total_price),
                    "returned_quantity": str(line.returned_quantity),
                }
                for line in repo.lines_of(session, row.id)
            ],
            receipts=[receipt_from_row(r) for r in receipts_for(session, "export_inventory", row.id)],
            returns=[
                {
                    "id": r.id,
                    "state": r.state,
                    "applied_on": r.applied_on.isoformat(),
                    "lines": r.returned_lines,
                    "tallied_at": r.tallied_at.isoformat() if r.tallied_at else None,
                }
                for r in repo.returns_of_inventory(session, row.id)
            ],
        )


def summary_declarations(ctx: Context, month: str | None = None, *, scope: Scope | None = None) -> list[dict[str, Any]]:
    """Return the scope's summary applications with their declarations and member lines (CEB701 → CEB792)."""
    with ctx.uow() as uow:
        session = uow.session
        found = []
        for application in repo.summaries(session, month, scope):
            declarations = []
            for declaration in repo.declarations_of(session, application.id):
                declarations.append(
                    {
                        "declaration_seq_no": declaration.declaration_seq_no,
                        "entry_id": declaration.entry_id,
                        "group": declaration.group_key,
                        "gross_weight": str(declaration.gross_weight),
                        "net_weight": str(declaration.net_weight),
                        "lines": [
                            {
                                "goods_seq_no": line.goods_seq_no,
                                "inventory_no": line.inventory_no,
                                "logistics_no": line.logistics_no,
                                "line_no": line.line_no,
                                "hs_code": line.hs_code,
                            }
                            for line in repo.declaration_lines(session, declaration.id)
                        ],
                    }
                )
            found.append(
                {
                    "summary_no": application.summary_no,
                    "ecommerce_code": application.ecommerce_code,
                    "month": application.month,
                    "summary_flag": application.summary_flag,
                    "item_name_flag": application.item_name_flag,
                    "inventory_nos": application.inventory_nos,
                    "summarised_at": application.summarised_at.isoformat() if application.summarised_at else None,
                    "declarations": declarations,
                }
            )
        return found


@dataclass(frozen=True, slots=True)
class TaxFile:
    """An enterprise's export tax profile (None when none was recorded) and a page of its linked purchase invoices."""

    ecommerce_code: str
    profile: dict[str, Any] | None
    invoices: list[dict[str, Any]]
    invoice_total: int


def export_tax_file(
    ctx: Context, ecommerce_code: str, *, scope: Scope | None = None, limit: int = 50, offset: int = 0
) -> TaxFile:
    """Return an enterprise's export tax profile and purchase invoices, newest first (not found outside the scope)."""
    with ctx.uow() as uow:
        session = uow.session
        if not repo.enterprise_in_scope(session, ecommerce_code, scope):
            raise NotFound(f"enterprise {ecommerce_code} is not in the scope", ecommerce_code=ecommerce_code)
        row = repo.tax_profile(session, ecommerce_code)
        profile = (
            None
            if row is None
            else {
                "refund_qualified": row.refund_qualified,
                "tax_registered": row.tax_registered,
                "employees": row.employees,
                "total_assets": row.total_assets,
                "restricted_industry": row.restricted_industry,
                "updated_at": row.updated_at,
            }
        )
        invoices, total = repo.invoices_of(session, ecommerce_code, limit=limit, offset=max(0, offset))
        return TaxFile(
            ecommerce_code=ecommerce_code,
            profile=profile,
            invoices=[
                {
                    "invoice_no": i.invoice_no,
                    "invoice_date": i.invoice_date,
                    "inventory_no": i.inventory_no,
                    "line_no": i.line_no,
                    "amount": i.amount,
                    "vat_rate": i.vat_rate,
                    "registered_at": i.registered_at,
                }
                for i in invoices
            ],
            invoice_total=total,
        )
