"""A party's documents (企业单证查询): inventories, receipts and tax bills in the workspace and the console search.

A party sees the documents naming it in any role (or an enterprise that delegates to it); refusals come with
their problems explained.
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from typing import Any

from cbec.clearance.views import summarize, tax_bill_from_row
from cbec.common.errors import NotFound
from cbec.common.scope import EVERYTHING, Scope
from cbec.intake.models import IssuedReceipt
from cbec.intake.receipts import receipt_from_row
from cbec.statistics import repository as repo
from cbec.statistics.rules import is_refusal, parse_return_info
from cbec.statistics.views import DocumentHistory, ReceiptView, TaxBillView
from cbec.storage.context import Context

RECEIPT_SCAN = 5000  # receipts looked at per listing; the page says how far back it reached


def exports_available() -> bool:
    """Tell whether the export side (出口, 9710/9810) is installed."""
    return importlib.util.find_spec("cbec.exports") is not None


def party_inventories(
    ctx: Context,
    *,
    scope: Scope = EVERYTHING,
    number: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Any], int]:
    """Return inventories naming a party of the scope in any role, found by any of their numbers."""
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    number = number.strip() if number else None
    with ctx.uow() as uow:
        rows, total = repo.party_inventories(
            uow.session, scope, number=number or None, status=status or None, limit=limit, offset=offset
        )
        return [summarize(row) for row in rows], total


def document_history(ctx: Context, number: str, *, scope: Scope = EVERYTHING) -> DocumentHistory:
    """Return an inventory's receipts in order with every refusal explained; outside the scope it is not found."""
    with ctx.uow() as uow:
        session = uow.session
        row = repo.inventory_by_number(session, number.strip(), scope)
        if row is None:
            raise NotFound(f"inventory {number} not found", number=number)
        bill = repo.tax_bill_of(session, row.id)
        return DocumentHistory(
            summary=summarize(row),
            logistics_code=row.logistics_code,
            receipts=tuple(_receipt_view(r) for r in repo.receipts_of(session, "inventory", row.id)),
            tax_bill=tax_bill_from_row(session, bill) if bill is not None and row.inventory_no else None,
        )


def _receipt_view(row: IssuedReceipt) -> ReceiptView:
    refused = is_refusal(row.status)
    return ReceiptView(
        receipt=receipt_from_row(row),
        document_kind=row.document_kind,
        refused=refused,
        problems=tuple(parse_return_info(row.info)) if refused else (),
    )


def party_receipts(ctx: Context, *, scope: Scope = EVERYTHING, days: int = 7, limit: int = 100) -> list[ReceiptView]:
    """Return the latest receipts naming a party of the scope, newest first, refusals explained.

    Receipts of documents that were refused and never stored are found here too, through the codes they name.
    """
    since = ctx.clock.now() - timedelta(days=days)
    with ctx.uow() as uow:
        found: list[ReceiptView] = []
        for row in repo.recent_receipts(uow.session, since, scan=RECEIPT_SCAN):
            if scope.admits_party(_codes_named(row.keys)):
                found.append(_receipt_view(row))
                if len(found) >= limit:
                    break
        return found


def _codes_named(keys: dict[str, Any]) -> set[str]:
    return {str(v) for k, v in keys.items() if k.endswith("_code") and k != "customs_code"}


def party_tax_bills(
    ctx: Context, *, scope: Scope = EVERYTHING, limit: int = 50, offset: int = 0
) -> tuple[list[TaxBillView], int]:
    """Return the electronic tax bills (电子税单) of inventories naming a party of the scope, newest first."""
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    with ctx.uow() as uow:
        rows, total = repo.party_tax_bills(uow.session, scope, limit=limit, offset=offset)
        return [
            TaxBillView(
                tax_no=bill.tax_no,
                inventory_no=inventory.inventory_no or inventory.eport_no,
                order_no=inventory.order_no,
                status=bill.status,
                customs_duty=bill.customs_duty,
                vat=bill.vat,
                consumption_tax=bill.consumption_tax,
                total=bill.customs_duty + bill.vat + bill.consumption_tax,
                issued_at=bill.returned_at,
            )
            for bill, inventory in rows
        ], total
