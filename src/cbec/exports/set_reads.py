"""Set-based reads of the export store (出口集合查询): many keys in one statement, for a message's working set.

Each reads the rows of many business keys at once: (platform, e-commerce enterprise, order number) orders,
(logistics company, logistics number) parcels, declaration guids. A key of two or three columns is asked as one
set per column (``cbec.storage.sets.one_of``: one SQL text whatever the count on PostgreSQL), which returns a
superset of the rows wanted; the caller keeps those whose key it asked for. Never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cbec.exports.models import (
    ExportInventoryLine,
    ExportInventoryRecord,
    ExportOrderRecord,
    ExportParcel,
    ExportWaybillRecord,
    PaymentReceiptNoteRecord,
)
from cbec.storage.sets import any_key, one_of

OrderKey = tuple[str, str, str]  # platform code, e-commerce enterprise code, order number
ParcelKey = tuple[str, str]  # logistics company code, logistics (waybill) number


def _order_columns(model: Any) -> tuple[Any, Any, Any]:
    return (model.platform_code, model.ecommerce_code, model.order_no)


def _parcel_columns(model: Any) -> tuple[Any, Any]:
    return (model.logistics_code, model.logistics_no)


def orders_by_keys(session: Session, keys: Sequence[OrderKey]) -> list[ExportOrderRecord]:
    """Return the orders with any of these keys (a superset; filter exactly)."""
    conditions = any_key(session, _order_columns(ExportOrderRecord), keys)
    return list(session.scalars(select(ExportOrderRecord).where(*conditions))) if conditions else []


def receipt_notes_by_keys(session: Session, keys: Sequence[OrderKey]) -> list[PaymentReceiptNoteRecord]:
    """Return the receipts of payment of any of these orders (a superset; filter exactly)."""
    conditions = any_key(session, _order_columns(PaymentReceiptNoteRecord), keys)
    return list(session.scalars(select(PaymentReceiptNoteRecord).where(*conditions))) if conditions else []


def waybills_by_keys(session: Session, keys: Sequence[ParcelKey]) -> list[ExportWaybillRecord]:
    """Return the waybills with any of these keys (a superset; filter exactly)."""
    conditions = any_key(session, _parcel_columns(ExportWaybillRecord), keys)
    return list(session.scalars(select(ExportWaybillRecord).where(*conditions))) if conditions else []


def parcels_by_keys(session: Session, keys: Sequence[ParcelKey]) -> list[ExportParcel]:
    """Return the arrival, bill and departure entries of any of these parcels (a superset; filter exactly)."""
    conditions = any_key(session, _parcel_columns(ExportParcel), keys)
    return list(session.scalars(select(ExportParcel).where(*conditions))) if conditions else []


def _inventory_conditions(
    session: Session, order_keys: Sequence[OrderKey], parcel_keys: Sequence[ParcelKey], guids: Sequence[str]
) -> list[ColumnElement[bool]]:
    conditions = any_key(session, _order_columns(ExportInventoryRecord), order_keys)
    conditions += any_key(session, _parcel_columns(ExportInventoryRecord), parcel_keys)
    if guids:
        conditions.append(one_of(session, ExportInventoryRecord.guid, sorted(set(guids))))
    return conditions


def inventory_keys(
    session: Session, order_keys: Sequence[OrderKey], parcel_keys: Sequence[ParcelKey]
) -> list[tuple[OrderKey, ParcelKey]]:
    """Return the (order, parcel) keys of the inventories of these orders and parcels (a superset).

    Read without loading rows into the session: it only tells which keys to lock before the rows are read.
    """
    conditions = _inventory_conditions(session, order_keys, parcel_keys, ())
    if not conditions:
        return []
    columns = (*_order_columns(ExportInventoryRecord), *_parcel_columns(ExportInventoryRecord))
    return [((a, b, c), (d, e)) for a, b, c, d, e in session.execute(select(*columns).where(or_(*conditions)))]


def inventories_of(
    session: Session,
    order_keys: Sequence[OrderKey] = (),
    parcel_keys: Sequence[ParcelKey] = (),
    guids: Sequence[str] = (),
) -> list[ExportInventoryRecord]:
    """Return every inventory, in any state, of any of these orders or parcels or declared under these guids.

    One query (a superset for the keys; filter exactly).
    """
    conditions = _inventory_conditions(session, order_keys, parcel_keys, guids)
    if not conditions:
        return []
    return list(session.scalars(select(ExportInventoryRecord).where(or_(*conditions))))


def lines_of_inventories(session: Session, inventory_ids: Sequence[int]) -> list[ExportInventoryLine]:
    """Return the lines of these inventories, by inventory and gnum."""
    if not inventory_ids:
        return []
    return list(
        session.scalars(
            select(ExportInventoryLine)
            .where(one_of(session, ExportInventoryLine.inventory_id, sorted(set(inventory_ids))))
            .order_by(ExportInventoryLine.inventory_id, ExportInventoryLine.line_no)
        )
    )
