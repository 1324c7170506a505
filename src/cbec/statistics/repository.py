"""All SQL of statistics monitoring (统计监测): reads of the clearance and export stores, and its own two tables;
never commits.

Amounts are added up in Python: SQLite keeps exact amounts as text, and SUM over text would be a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import InventoryRecord, OrderRecord, PaymentRecord, TaxBillRecord, WaybillRecord
from cbec.clearance.repository import inventory_scope
from cbec.common.scope import Scope
from cbec.exports.models import ExportInventoryRecord
from cbec.exports.repository import inventory_scope as export_inventory_scope
from cbec.intake.models import IssuedReceipt
from cbec.messages import ExportMessageType, MessageType
from cbec.statistics.models import ConsumerReport, ZoneTarget
from cbec.statistics.rules import Period

# --- clearance figures --------------------------------------------------------------------------


def declared_by_mode(session: Session, period: Period, scope: Scope | None = None) -> dict[str, int]:
    """Return how many inventories in the scope were declared (stored) in a period, per regulatory mode."""
    return _declared_by_mode(session, InventoryRecord, period, inventory_scope(scope))


def _declared_by_mode(
    session: Session,
    model: type[InventoryRecord] | type[ExportInventoryRecord],
    period: Period,
    in_scope: list[ColumnElement[bool]],
) -> dict[str, int]:
    """Count an inventory table's rows declared in a period, per regulatory mode."""
    rows = session.execute(
        select(model.trade_mode, func.count())
        .where(model.declared_at >= period.start, model.declared_at < period.end, *in_scope)
        .group_by(model.trade_mode)
    )
    return {mode: int(count) for mode, count in rows}


def released_rows(
    session: Session, period: Period, scope: Scope | None = None
) -> list[tuple[str, datetime, Decimal | None, Decimal | None, Decimal | None, Decimal | None]]:
    """Return mode, release time, dutiable value and taxes of each inventory in the scope released in a period."""
    rows = session.execute(
        select(
            InventoryRecord.trade_mode,
            InventoryRecord.released_at,
            InventoryRecord.dutiable_value,
            InventoryRecord.customs_duty,
            InventoryRecord.vat,
            InventoryRecord.consumption_tax,
        ).where(
            InventoryRecord.released_at >= period.start,
            InventoryRecord.released_at < period.end,
            InventoryRecord.state != DocumentState.CANCELLED,
            *inventory_scope(scope),
        )
    )
    return [(m, at, value, duty, vat, ct) for m, at, value, duty, vat, ct in rows if at is not None]


def inventory_refusals(session: Session, period: Period, scope: Scope | None = None) -> list[tuple[int | None, str]]:
    """Return (inventory id, or None when never stored, and returnInfo) of every inventory refusal in a period.

    A restricted scope sees only refusals of stored inventories: one refused before being stored names its
    parties only inside the receipt.
    """
    stmt = select(IssuedReceipt.document_id, IssuedReceipt.info).where(
        IssuedReceipt.message_type == MessageType.INVENTORY_RECEIPT.value,
        IssuedReceipt.returned_at >= period.start,
        IssuedReceipt.returned_at < period.end,
        or_(IssuedReceipt.status == ReturnStatus.REFUSED.value, IssuedReceipt.status.like("-%")),
    )
    if scope is not None and not scope.unrestricted:
        stmt = stmt.join(InventoryRecord, InventoryRecord.id == IssuedReceipt.document_id).where(
            *inventory_scope(scope)
        )
    return [(document_id, info) for document_id, info in session.execute(stmt.order_by(IssuedReceipt.id))]


def open_counts(session: Session, scope: Scope | None = None) -> dict[str, int]:
    """Return how many live import and export inventories in the scope wait now.

    Waiting means for partners (2), for manual review (300) or for inspection (500).
    """
    waiting = (ReturnStatus.DECLARING.value, ReturnStatus.MANUAL_REVIEW.value, ReturnStatus.INSPECTION.value)
    counts: dict[str, int] = {}
    for model, conditions in (
        (InventoryRecord, inventory_scope(scope)),
        (ExportInventoryRecord, export_inventory_scope(scope)),
    ):
        rows = session.execute(
            select(model.status, func.count())
            .where(model.status.in_(waiting), model.state == DocumentState.ACCEPTED, *conditions)
            .group_by(model.status)
        )
        for status, count in rows:
            counts[status] = counts.get(status, 0) + int(count)
    return counts


# --- export figures ----------------------------------------------------------------------------


def _export_released(period: Period) -> list[ColumnElement[bool]]:
    """Return the conditions of an export inventory released (800, or 899 once departed) in a period, not cancelled."""
    return [
        ExportInventoryRecord.released_at >= period.start,
        ExportInventoryRecord.released_at < period.end,
        ExportInventoryRecord.status.in_((ReturnStatus.RELEASED.value, ReturnStatus.CLOSED.value)),
        ExportInventoryRecord.state == DocumentState.ACCEPTED,
        ExportInventoryRecord.cancelled_at.is_(None),
    ]


def export_declared_by_mode(session: Session, period: Period, scope: Scope | None = None) -> dict[str, int]:
    """Return how many export inventories in the scope were declared (stored) in a period, per regulatory mode."""
    return _declared_by_mode(session, ExportInventoryRecord, period, export_inventory_scope(scope))


def export_released_rows(
    session: Session, period: Period, scope: Scope | None = None
) -> list[tuple[str, datetime, datetime, str, Decimal]]:
    """Return mode, release time, declaration time, currency and goods value of each export released in a period."""
    rows = session.execute(
        select(
            ExportInventoryRecord.trade_mode,
            ExportInventoryRecord.released_at,
            ExportInventoryRecord.declared_at,
            ExportInventoryRecord.currency,
            ExportInventoryRecord.goods_value,
        )
        .where(*_export_released(period), *export_inventory_scope(scope))
        .order_by(ExportInventoryRecord.id)
    )
    return [(m, at, declared, cur, value) for m, at, declared, cur, value in rows if at is not None]


def export_inventory_refusals(
    session: Session, period: Period, scope: Scope | None = None
) -> list[tuple[int | None, str]]:
    """Return (export inventory id, or None when never stored, and returnInfo) of every CEB604 refusal in a period.

    As for imports, a restricted scope sees only refusals of stored export inventories.
    """
    stmt = select(IssuedReceipt.document_id, IssuedReceipt.info).where(
        IssuedReceipt.message_type == ExportMessageType.INVENTORY_RECEIPT.value,
        IssuedReceipt.returned_at >= period.start,
        IssuedReceipt.returned_at < period.end,
        or_(IssuedReceipt.status == ReturnStatus.REFUSED.value, IssuedReceipt.status.like("-%")),
    )
    if scope is not None and not scope.unrestricted:
        stmt = stmt.join(ExportInventoryRecord, ExportInventoryRecord.id == IssuedReceipt.document_id).where(
            *export_inventory_scope(scope)
        )
    return [(document_id, info) for document_id, info in session.execute(stmt.order_by(IssuedReceipt.id))]


# --- a party's documents --------------------------------------------------------------------------


def party_inventories(
    session: Session,
    scope: Scope | None,
    *,
    number: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InventoryRecord], int]:
    """Return a page of inventories in the scope, newest first, and the total.

    ``number`` matches the order, waybill, customs inventory or E-port number exactly.
    """
    stmt = select(InventoryRecord).where(*inventory_scope(scope))
    if number:
        stmt = stmt.where(
            or_(
                InventoryRecord.order_no == number,
                InventoryRecord.logistics_no == number,
                InventoryRecord.inventory_no == number,
                InventoryRecord.eport_no == number,
            )
        )
    if status:
        stmt = stmt.where(InventoryRecord.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(InventoryRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


def inventory_by_number(session: Session, number: str, scope: Scope | None = None) -> InventoryRecord | None:
    """Return an inventory in the scope by customs number or E-port number."""
    return session.scalar(
        select(InventoryRecord).where(
            or_(InventoryRecord.inventory_no == number, InventoryRecord.eport_no == number), *inventory_scope(scope)
        )
    )


def recent_receipts(session: Session, since: datetime, *, scan: int) -> list[IssuedReceipt]:
    """Return at most ``scan`` receipts issued since a moment, newest first."""
    return list(
        session.scalars(
            select(IssuedReceipt)
            .where(IssuedReceipt.returned_at >= since)
            .order_by(IssuedReceipt.id.desc())
            .limit(scan)
        )
    )


def party_tax_bills(
    session: Session, scope: Scope | None, *, limit: int, offset: int
) -> tuple[list[tuple[TaxBillRecord, InventoryRecord]], int]:
    """Return a page of tax bills of inventories in the scope, newest first, and the total."""
    stmt = select(TaxBillRecord, InventoryRecord).join(
        InventoryRecord, InventoryRecord.id == TaxBillRecord.inventory_id
    )
    stmt = stmt.where(*inventory_scope(scope))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(TaxBillRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


def partners_of(
    session: Session, inventory: InventoryRecord
) -> tuple[OrderRecord | None, PaymentRecord | None, WaybillRecord | None]:
    """Return the order, the latest accepted payment and the waybill an inventory names."""
    order = session.scalar(
        select(OrderRecord).where(
            OrderRecord.platform_code == inventory.platform_code, OrderRecord.order_no == inventory.order_no
        )
    )
    payment = session.scalar(
        select(PaymentRecord)
        .where(
            PaymentRecord.platform_code == inventory.platform_code,
            PaymentRecord.order_no == inventory.order_no,
            PaymentRecord.state == DocumentState.ACCEPTED,
        )
        .order_by(PaymentRecord.id.desc())
    )
    waybill = session.scalar(
        select(WaybillRecord).where(
            WaybillRecord.logistics_code == inventory.logistics_code,
            WaybillRecord.logistics_no == inventory.logistics_no,
        )
    )
    return order, payment, waybill


def tax_bill_of(session: Session, inventory_id: int) -> TaxBillRecord | None:
    """Return the latest tax bill of an inventory."""
    return session.scalar(
        select(TaxBillRecord).where(TaxBillRecord.inventory_id == inventory_id).order_by(TaxBillRecord.id.desc())
    )


def receipts_of(session: Session, kind: str, document_id: int) -> list[IssuedReceipt]:
    """Return the receipts issued for one stored document, oldest first."""
    return list(
        session.scalars(
            select(IssuedReceipt)
            .where(IssuedReceipt.document_kind == kind, IssuedReceipt.document_id == document_id)
            .order_by(IssuedReceipt.id)
        )
    )


# --- targets ------------------------------------------------------------------------------------------


def targets_of_year(session: Session, year: int) -> list[ZoneTarget]:
    """Return the targets set for a year."""
    return list(session.scalars(select(ZoneTarget).where(ZoneTarget.year == year).order_by(ZoneTarget.indicator)))


def target(session: Session, year: int, indicator: str) -> ZoneTarget | None:
    """Return the target of one indicator in one year."""
    return session.scalar(select(ZoneTarget).where(ZoneTarget.year == year, ZoneTarget.indicator == indicator))


# --- consumer reports -----------------------------------------------------------------------------------


def add_report(session: Session, **values: Any) -> ConsumerReport:
    """Add a consumer report and give it its id."""
    row = ConsumerReport(**values)
    session.add(row)
    session.flush()
    return row


def report_scope(scope: Scope | None) -> list[ColumnElement[bool]]:
    """Return the conditions that keep consumer reports to a scope: the inventory they name lies in it."""
    if scope is None or scope.unrestricted:
        return []
    in_scope = select(InventoryRecord.eport_no).where(*inventory_scope(scope))
    return [ConsumerReport.inventory_ref.in_(in_scope)]


def report_by_reference(session: Session, reference_no: str, scope: Scope | None = None) -> ConsumerReport | None:
    """Return a consumer report in the scope by its reference number."""
    return session.scalar(
        select(ConsumerReport).where(ConsumerReport.reference_no == reference_no, *report_scope(scope))
    )


def open_report(session: Session, buyer_key: str, inventory_ref: str) -> ConsumerReport | None:
    """Return the open report a buyer already made about an inventory."""
    return session.scalar(
        select(ConsumerReport).where(
            ConsumerReport.buyer_key == buyer_key,
            ConsumerReport.inventory_ref == inventory_ref,
            ConsumerReport.status == "open",
        )
    )


def reports(
    session: Session, *, status: str | None, limit: int, offset: int, scope: Scope | None = None
) -> tuple[list[ConsumerReport], int]:
    """Return a page of consumer reports in the scope, newest first, and the total."""
    stmt = select(ConsumerReport).where(*report_scope(scope))
    if status:
        stmt = stmt.where(ConsumerReport.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ConsumerReport.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


def inventories_by_eport(session: Session, eport_nos: Sequence[str]) -> dict[str, InventoryRecord]:
    """Return inventories by E-port number."""
    if not eport_nos:
        return {}
    rows = session.scalars(select(InventoryRecord).where(InventoryRecord.eport_no.in_(list(eport_nos))))
    return {row.eport_no: row for row in rows}
