"""All SQL of the export store (出口数据仓库); never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.enterprises.lookups import enterprises_in_scope, party_scope
from cbec.enterprises.models import Enterprise
from cbec.exports.models import (
    ExportCancelRecord,
    ExportInventoryLine,
    ExportInventoryRecord,
    ExportRate,
    ExportReturnRecord,
    ExportTaxProfile,
    OverseasWarehouse,
    PaymentReceiptNoteRecord,
    PurchaseInvoiceLink,
    SummaryApplicationRecord,
    SummaryDeclaration,
    SummaryDeclarationLine,
)
from cbec.intake import DocumentState, ReturnStatus


def inventory_scope(scope: Scope | None) -> list[ColumnElement[bool]]:
    """Return the conditions that keep export inventories to a scope: one of its enterprises is a party to them.

    The parties of an export inventory are the platform, the e-commerce enterprise, the logistics company, the
    declaring agent and the producer or seller (生产销售单位), so a city sees every export one of them is party to.
    """
    return party_scope(
        scope,
        (
            ExportInventoryRecord.platform_code,
            ExportInventoryRecord.ecommerce_code,
            ExportInventoryRecord.logistics_code,
            ExportInventoryRecord.agent_code,
            ExportInventoryRecord.owner_code,
        ),
    )


def inventory_in_scope(session: Session, inventory_id: int, scope: Scope | None) -> bool:
    """Tell whether an export inventory lies in a scope."""
    if scope is None or scope.unrestricted:
        return True
    stmt = select(ExportInventoryRecord.id).where(ExportInventoryRecord.id == inventory_id, *inventory_scope(scope))
    return session.scalar(stmt) is not None


def enterprise_in_scope(session: Session, code: str, scope: Scope | None) -> bool:
    """Tell whether the enterprise of a customs or credit code lies in a scope (its tenant, or one of its codes)."""
    if scope is None or scope.unrestricted:
        return True
    stmt = select(Enterprise.id).where(
        or_(Enterprise.customs_code == code, Enterprise.uscc == code), *enterprises_in_scope(scope)
    )
    return session.scalar(stmt.limit(1)) is not None


def receipt_note_by_key(
    session: Session, platform_code: str, ecommerce_code: str, order_no: str
) -> PaymentReceiptNoteRecord | None:
    """Return the receipt of payment of an order."""
    return session.scalar(
        select(PaymentReceiptNoteRecord).where(
            PaymentReceiptNoteRecord.platform_code == platform_code,
            PaymentReceiptNoteRecord.ecommerce_code == ecommerce_code,
            PaymentReceiptNoteRecord.order_no == order_no,
        )
    )


def inventory_by_number(
    session: Session, inventory_no: str, *, for_update: bool = False
) -> ExportInventoryRecord | None:
    """Return an export inventory by its customs number."""
    stmt = select(ExportInventoryRecord).where(ExportInventoryRecord.inventory_no == inventory_no)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def inventory_by_eport_no(session: Session, eport_no: str) -> ExportInventoryRecord | None:
    """Return an export inventory by its E-port number."""
    return session.scalar(select(ExportInventoryRecord).where(ExportInventoryRecord.eport_no == eport_no))


def lines_of(session: Session, inventory_id: int) -> list[ExportInventoryLine]:
    """Return an inventory's lines in gnum order."""
    return list(
        session.scalars(
            select(ExportInventoryLine)
            .where(ExportInventoryLine.inventory_id == inventory_id)
            .order_by(ExportInventoryLine.line_no)
        )
    )


def lines_of_many(session: Session, inventory_ids: Sequence[int]) -> list[ExportInventoryLine]:
    """Return the lines of several inventories."""
    if not inventory_ids:
        return []
    return list(
        session.scalars(
            select(ExportInventoryLine)
            .where(ExportInventoryLine.inventory_id.in_(list(inventory_ids)))
            .order_by(ExportInventoryLine.inventory_id, ExportInventoryLine.line_no)
        )
    )


def delete_lines(session: Session, inventory_id: int) -> None:
    """Remove an inventory's lines before they are written again (a change, appType 2)."""
    for line in lines_of(session, inventory_id):
        session.delete(line)
    session.flush()


def by_guid(session: Session, model: type[Any], guid: str) -> Any:
    """Return a stored export document of a kind by guid."""
    return session.scalar(select(model).where(model.guid == guid).order_by(model.id))


def cancel_by_guid(session: Session, guid: str) -> ExportCancelRecord | None:
    """Return a cancel request by guid."""
    result: ExportCancelRecord | None = by_guid(session, ExportCancelRecord, guid)
    return result


def returns_of_inventory(session: Session, inventory_id: int) -> list[ExportReturnRecord]:
    """Return every return of an inventory, oldest first."""
    return list(
        session.scalars(
            select(ExportReturnRecord)
            .where(ExportReturnRecord.inventory_id == inventory_id)
            .order_by(ExportReturnRecord.id)
        )
    )


def applied_return_for_parcel(session: Session, logistics_code: str, logistics_no: str) -> ExportReturnRecord | None:
    """Return the return waiting for its tally on a parcel."""
    return session.scalar(
        select(ExportReturnRecord)
        .where(
            ExportReturnRecord.logistics_code == logistics_code,
            ExportReturnRecord.logistics_no == logistics_no,
            ExportReturnRecord.tallied_at.is_(None),
            ExportReturnRecord.state == "applied",
        )
        .order_by(ExportReturnRecord.id)
    )


def returns_between(session: Session, ecommerce_code: str | None, start: date, end: date) -> list[ExportReturnRecord]:
    """Return tallied returns applied within a period (of one consignor when given)."""
    stmt = select(ExportReturnRecord).where(
        ExportReturnRecord.applied_on >= start,
        ExportReturnRecord.applied_on <= end,
        ExportReturnRecord.tallied_at.is_not(None),
    )
    if ecommerce_code is not None:
        ids = select(ExportInventoryRecord.id).where(ExportInventoryRecord.ecommerce_code == ecommerce_code)
        stmt = stmt.where(ExportReturnRecord.inventory_id.in_(ids))
    return list(session.scalars(stmt.order_by(ExportReturnRecord.id)))


def inventories_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ExportInventoryRecord]:
    """Return inventories by id."""
    if not ids:
        return {}
    rows = session.scalars(select(ExportInventoryRecord).where(ExportInventoryRecord.id.in_(list(ids))))
    return {row.id: row for row in rows}


def released_between(
    session: Session, start: datetime, end: datetime, *, ecommerce_code: str | None = None
) -> list[ExportInventoryRecord]:
    """Return live inventories released (800 or 899) within [start, end)."""
    stmt = select(ExportInventoryRecord).where(
        ExportInventoryRecord.released_at >= start,
        ExportInventoryRecord.released_at < end,
        ExportInventoryRecord.state == DocumentState.ACCEPTED,
        ExportInventoryRecord.status.in_((ReturnStatus.RELEASED, ReturnStatus.CLOSED)),
    )
    if ecommerce_code is not None:
        stmt = stmt.where(ExportInventoryRecord.ecommerce_code == ecommerce_code)
    return list(session.scalars(stmt.order_by(ExportInventoryRecord.id)))


def closed_unsummarised(
    session: Session, start: datetime, end: datetime, *, ecommerce_code: str | None = None
) -> list[ExportInventoryRecord]:
    """Return summary-flag (B) inventories closed (899) within [start, end) and not in a declaration yet."""
    stmt = select(ExportInventoryRecord).where(
        ExportInventoryRecord.status == ReturnStatus.CLOSED,
        ExportInventoryRecord.state == DocumentState.ACCEPTED,
        ExportInventoryRecord.statistics_flag == "B",
        ExportInventoryRecord.departed_at >= start,
        ExportInventoryRecord.departed_at < end,
        ExportInventoryRecord.declaration_id.is_(None),
    )
    if ecommerce_code is not None:
        stmt = stmt.where(ExportInventoryRecord.ecommerce_code == ecommerce_code)
    return list(session.scalars(stmt.order_by(ExportInventoryRecord.id)))


def unsummarised_before(session: Session, end: datetime) -> list[ExportInventoryRecord]:
    """Return summary-flag (B) inventories closed before a moment and not in a declaration yet."""
    return list(
        session.scalars(
            select(ExportInventoryRecord)
            .where(
                ExportInventoryRecord.status == ReturnStatus.CLOSED,
                ExportInventoryRecord.state == DocumentState.ACCEPTED,
                ExportInventoryRecord.statistics_flag == "B",
                ExportInventoryRecord.departed_at < end,
                ExportInventoryRecord.declaration_id.is_(None),
            )
            .order_by(ExportInventoryRecord.ecommerce_code, ExportInventoryRecord.departed_at)
        )
    )


def pending_summaries(session: Session, month: str | None = None) -> list[SummaryApplicationRecord]:
    """Return accepted summary applications without results yet."""
    stmt = select(SummaryApplicationRecord).where(
        SummaryApplicationRecord.state == DocumentState.ACCEPTED, SummaryApplicationRecord.summarised_at.is_(None)
    )
    if month is not None:
        stmt = stmt.where(SummaryApplicationRecord.month == month)
    return list(session.scalars(stmt.order_by(SummaryApplicationRecord.id)))


def summary_by_no(session: Session, summary_no: str) -> SummaryApplicationRecord | None:
    """Return a summary application by its summary number."""
    return session.scalar(select(SummaryApplicationRecord).where(SummaryApplicationRecord.summary_no == summary_no))


def summaries(session: Session, month: str | None = None, scope: Scope | None = None) -> list[SummaryApplicationRecord]:
    """Return the summary applications of the scope's enterprises, of one month when given."""
    stmt = select(SummaryApplicationRecord).where(*party_scope(scope, (SummaryApplicationRecord.ecommerce_code,)))
    if month is not None:
        stmt = stmt.where(SummaryApplicationRecord.month == month)
    return list(session.scalars(stmt.order_by(SummaryApplicationRecord.id)))


def declarations_of(session: Session, summary_id: int) -> list[SummaryDeclaration]:
    """Return the declarations a summary produced."""
    return list(
        session.scalars(
            select(SummaryDeclaration)
            .where(SummaryDeclaration.summary_id == summary_id)
            .order_by(SummaryDeclaration.id)
        )
    )


def declaration_lines(session: Session, declaration_id: int) -> list[SummaryDeclarationLine]:
    """Return the member lines of a declaration in goods-item order."""
    return list(
        session.scalars(
            select(SummaryDeclarationLine)
            .where(SummaryDeclarationLine.declaration_id == declaration_id)
            .order_by(SummaryDeclarationLine.goods_seq_no, SummaryDeclarationLine.id)
        )
    )


def search_inventories(
    session: Session,
    *,
    status: str | None = None,
    trade_mode: str | None = None,
    order_no: str | None = None,
    logistics_no: str | None = None,
    inventory_no: str | None = None,
    ecommerce_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope | None = None,
) -> tuple[list[ExportInventoryRecord], int]:
    """Return a page of export inventories in the scope matching the filters, newest first, and the total count."""
    stmt = select(ExportInventoryRecord).where(*inventory_scope(scope))
    for column, value in (
        (ExportInventoryRecord.status, status),
        (ExportInventoryRecord.trade_mode, trade_mode),
        (ExportInventoryRecord.order_no, order_no),
        (ExportInventoryRecord.logistics_no, logistics_no),
        (ExportInventoryRecord.inventory_no, inventory_no),
        (ExportInventoryRecord.ecommerce_code, ecommerce_code),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ExportInventoryRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def count_by_status(session: Session, scope: Scope | None = None) -> dict[str, int]:
    """Return how many export inventories of the scope stand in each status (cancelled apart)."""
    rows = session.execute(
        select(ExportInventoryRecord.status, ExportInventoryRecord.state, func.count())
        .where(*inventory_scope(scope))
        .group_by(ExportInventoryRecord.status, ExportInventoryRecord.state)
    )
    counts: dict[str, int] = {}
    for status, state, count in rows:
        bucket = "cancelled" if state == DocumentState.CANCELLED else status
        counts[bucket] = counts.get(bucket, 0) + int(count)
    return counts


def held_inventories(session: Session, scope: Scope | None = None) -> list[ExportInventoryRecord]:
    """Return export inventories of the scope held for review or inspection."""
    return list(
        session.scalars(
            select(ExportInventoryRecord)
            .where(
                ExportInventoryRecord.status.in_((ReturnStatus.MANUAL_REVIEW, ReturnStatus.INSPECTION)),
                ExportInventoryRecord.state == DocumentState.ACCEPTED,
                *inventory_scope(scope),
            )
            .order_by(ExportInventoryRecord.id)
        )
    )


# --- registry, invoices, tax profiles, reference rows -----------------------------------------------------


def warehouse_by_name(session: Session, name: str) -> OverseasWarehouse | None:
    """Return the registered overseas warehouse of a name."""
    return session.scalar(select(OverseasWarehouse).where(OverseasWarehouse.name == name))


def warehouse_by_code(session: Session, code: str) -> OverseasWarehouse | None:
    """Return a registered overseas warehouse by its registry code."""
    return session.scalar(select(OverseasWarehouse).where(OverseasWarehouse.code == code))


def warehouses(session: Session, *, country: str | None = None) -> list[OverseasWarehouse]:
    """Return the registry, of one country when given."""
    stmt = select(OverseasWarehouse)
    if country is not None:
        stmt = stmt.where(OverseasWarehouse.country == country)
    return list(session.scalars(stmt.order_by(OverseasWarehouse.code)))


def warehouse_exports(session: Session) -> list[tuple[int, str, int]]:
    """Return (warehouse id, currency, inventory count) of live 9810 inventories per warehouse."""
    rows = session.execute(
        select(ExportInventoryRecord.warehouse_id, ExportInventoryRecord.currency, func.count())
        .where(
            ExportInventoryRecord.warehouse_id.is_not(None),
            ExportInventoryRecord.state == DocumentState.ACCEPTED,
            ExportInventoryRecord.status != ReturnStatus.REFUSED,
        )
        .group_by(ExportInventoryRecord.warehouse_id, ExportInventoryRecord.currency)
    )
    return [(int(w or 0), str(c), int(n)) for w, c, n in rows]


def invoices_for(session: Session, inventory_nos: Sequence[str]) -> list[PurchaseInvoiceLink]:
    """Return the purchase invoices linked to some inventories."""
    if not inventory_nos:
        return []
    return list(
        session.scalars(
            select(PurchaseInvoiceLink)
            .where(PurchaseInvoiceLink.inventory_no.in_(list(inventory_nos)))
            .order_by(PurchaseInvoiceLink.id)
        )
    )


def invoices_of(
    session: Session, ecommerce_code: str, *, limit: int, offset: int
) -> tuple[list[PurchaseInvoiceLink], int]:
    """Return a page of an enterprise's purchase invoices (newest first, then by id: a stable order) and the count."""
    where = PurchaseInvoiceLink.ecommerce_code == ecommerce_code
    total = session.scalar(select(func.count()).select_from(PurchaseInvoiceLink).where(where)) or 0
    rows = session.scalars(
        select(PurchaseInvoiceLink).where(where).order_by(PurchaseInvoiceLink.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def tax_profile(session: Session, ecommerce_code: str) -> ExportTaxProfile | None:
    """Return an enterprise's export tax profile."""
    return session.get(ExportTaxProfile, ecommerce_code)


def receipt_notes_between(
    session: Session, ecommerce_code: str, start: datetime, end: datetime
) -> list[PaymentReceiptNoteRecord]:
    """Return accepted receipts of payment of a consignor accounted within [start, end)."""
    return list(
        session.scalars(
            select(PaymentReceiptNoteRecord)
            .where(
                PaymentReceiptNoteRecord.ecommerce_code == ecommerce_code,
                PaymentReceiptNoteRecord.state == DocumentState.ACCEPTED,
                PaymentReceiptNoteRecord.accounted_at >= start,
                PaymentReceiptNoteRecord.accounted_at < end,
            )
            .order_by(PaymentReceiptNoteRecord.accounted_at, PaymentReceiptNoteRecord.id)
        )
    )


def rates(session: Session, kind: str) -> list[ExportRate]:
    """Return every stored export reference row of a kind."""
    return list(session.scalars(select(ExportRate).where(ExportRate.kind == kind)))


def rates_in_force(session: Session, kind: str, keys: Sequence[str], on: date) -> list[ExportRate]:
    """Return rows of a kind and keys in force on a date."""
    stmt = select(ExportRate).where(
        ExportRate.kind == kind,
        ExportRate.valid_from <= on,
        or_(ExportRate.valid_to.is_(None), ExportRate.valid_to >= on),
    )
    if keys:
        stmt = stmt.where(ExportRate.key.in_(list(keys)))
    return list(session.scalars(stmt))


def exchanges_between(session: Session, currency: str, start: date, end: date) -> list[ExportRate]:
    """Return the exchange rates of a currency published on days in [start, end), oldest first."""
    return list(
        session.scalars(
            select(ExportRate)
            .where(
                ExportRate.kind == "exchange",
                ExportRate.key == currency,
                ExportRate.valid_from >= start,
                ExportRate.valid_from < end,
            )
            .order_by(ExportRate.valid_from)
        )
    )


def exchange_on_or_after(session: Session, currency: str, day: date) -> ExportRate | None:
    """Return the first published exchange rate of a currency on or after a day."""
    return session.scalar(
        select(ExportRate)
        .where(ExportRate.kind == "exchange", ExportRate.key == currency, ExportRate.valid_from >= day)
        .order_by(ExportRate.valid_from)
        .limit(1)
    )
