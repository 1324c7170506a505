"""All SQL of the clearance store (通关数据仓库); never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from cbec.clearance.codes import DocumentState, ReturnStatus
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
from cbec.common.scope import Scope
from cbec.enterprises.lookups import party_scope
from cbec.storage.sets import any_key, one_of

LIVE = (DocumentState.ACCEPTED, DocumentState.DRAFT)


def order_by_key(session: Session, platform_code: str, order_no: str) -> OrderRecord | None:
    """Return the order of a platform by its number."""
    return session.scalar(
        select(OrderRecord).where(OrderRecord.platform_code == platform_code, OrderRecord.order_no == order_no)
    )


def payment_by_key(session: Session, payment_code: str, transaction_id: str) -> PaymentRecord | None:
    """Return a payment by payment company and transaction id."""
    return session.scalar(
        select(PaymentRecord).where(
            PaymentRecord.payment_code == payment_code, PaymentRecord.payment_transaction_id == transaction_id
        )
    )


def payment_for_order(session: Session, platform_code: str, order_no: str) -> PaymentRecord | None:
    """Return the accepted payment of an order."""
    return session.scalar(
        select(PaymentRecord)
        .where(
            PaymentRecord.platform_code == platform_code,
            PaymentRecord.order_no == order_no,
            PaymentRecord.state == DocumentState.ACCEPTED,
        )
        .order_by(PaymentRecord.id.desc())
    )


def waybill_by_key(session: Session, logistics_code: str, logistics_no: str) -> WaybillRecord | None:
    """Return a waybill by logistics company and waybill number."""
    return session.scalar(
        select(WaybillRecord).where(
            WaybillRecord.logistics_code == logistics_code, WaybillRecord.logistics_no == logistics_no
        )
    )


def live_inventory_for_order(session: Session, platform_code: str, order_no: str) -> InventoryRecord | None:
    """Return the inventory of an order that is neither refused nor cancelled."""
    return session.scalar(
        select(InventoryRecord)
        .where(
            InventoryRecord.platform_code == platform_code,
            InventoryRecord.order_no == order_no,
            InventoryRecord.state.in_(LIVE),
            InventoryRecord.status != ReturnStatus.REFUSED,
        )
        .order_by(InventoryRecord.id.desc())
    )


def inventory_by_guid(session: Session, guid: str) -> InventoryRecord | None:
    """Return an inventory by its declaration guid."""
    return session.scalar(select(InventoryRecord).where(InventoryRecord.guid == guid).order_by(InventoryRecord.id))


def inventory_by_number(session: Session, inventory_no: str, *, for_update: bool = False) -> InventoryRecord | None:
    """Return an inventory by its customs number."""
    stmt = select(InventoryRecord).where(InventoryRecord.inventory_no == inventory_no)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def inventory_by_eport_no(session: Session, eport_no: str) -> InventoryRecord | None:
    """Return an inventory by its E-port number."""
    return session.scalar(select(InventoryRecord).where(InventoryRecord.eport_no == eport_no))


def inventory_by_id(session: Session, inventory_id: int, *, for_update: bool = False) -> InventoryRecord | None:
    """Return an inventory by id."""
    if not for_update:
        return session.get(InventoryRecord, inventory_id)  # no SQL when the transaction has it already
    return session.scalar(select(InventoryRecord).where(InventoryRecord.id == inventory_id).with_for_update())


def waiting_inventories_for_order(session: Session, platform_code: str, order_no: str) -> list[InventoryRecord]:
    """Return inventories of an order still waiting for partner documents."""
    return list(
        session.scalars(
            select(InventoryRecord).where(
                InventoryRecord.platform_code == platform_code,
                InventoryRecord.order_no == order_no,
                InventoryRecord.status == ReturnStatus.DECLARING,
                InventoryRecord.state == DocumentState.ACCEPTED,
            )
        )
    )


def waiting_inventories_for_waybill(session: Session, logistics_code: str, logistics_no: str) -> list[InventoryRecord]:
    """Return inventories of a waybill still waiting for partners or for arrival."""
    return list(
        session.scalars(
            select(InventoryRecord).where(
                InventoryRecord.logistics_code == logistics_code,
                InventoryRecord.logistics_no == logistics_no,
                InventoryRecord.status.in_((ReturnStatus.DECLARING, ReturnStatus.ACCEPTED)),
                InventoryRecord.state == DocumentState.ACCEPTED,
            )
        )
    )


def arrival_parcel(session: Session, logistics_code: str, logistics_no: str) -> ArrivalParcel | None:
    """Return the arrival entry of a parcel."""
    return session.scalar(
        select(ArrivalParcel).where(
            ArrivalParcel.logistics_code == logistics_code, ArrivalParcel.logistics_no == logistics_no
        )
    )


def arrival_by_guid(session: Session, guid: str) -> ArrivalRecordRow | None:
    """Return an arrival record by guid."""
    return session.scalar(select(ArrivalRecordRow).where(ArrivalRecordRow.guid == guid))


def cancel_by_guid(session: Session, guid: str) -> CancelRecord | None:
    """Return a cancel request by guid."""
    return session.scalar(select(CancelRecord).where(CancelRecord.guid == guid))


def return_by_guid(session: Session, guid: str) -> ReturnRecord | None:
    """Return a return request by guid."""
    return session.scalar(select(ReturnRecord).where(ReturnRecord.guid == guid))


def returns_of_inventory(session: Session, inventory_id: int) -> list[ReturnRecord]:
    """Return every return request of an inventory, oldest first."""
    return list(
        session.scalars(select(ReturnRecord).where(ReturnRecord.inventory_id == inventory_id).order_by(ReturnRecord.id))
    )


def return_by_id(session: Session, return_id: int, *, for_update: bool = False) -> ReturnRecord | None:
    """Return a return request by id."""
    stmt = select(ReturnRecord).where(ReturnRecord.id == return_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def returns_page(
    session: Session, *, state: str | None, limit: int, offset: int, scope: Scope | None = None
) -> list[tuple[ReturnRecord, InventoryRecord | None]]:
    """Return return requests of inventories in the scope (optionally in one state), newest first."""
    stmt = (
        select(ReturnRecord, InventoryRecord)
        .outerjoin(InventoryRecord, InventoryRecord.id == ReturnRecord.inventory_id)
        .order_by(ReturnRecord.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if state is not None:
        stmt = stmt.where(ReturnRecord.state == state)
    if scope is not None and not scope.unrestricted:
        stmt = stmt.where(*inventory_scope(scope))
    return [(row[0], row[1]) for row in session.execute(stmt).all()]


def open_returns(session: Session) -> list[ReturnRecord]:
    """Return the returns whose goods are not back yet."""
    return list(session.scalars(select(ReturnRecord).where(ReturnRecord.state == DocumentState.APPLIED)))


def tax_bill_for(session: Session, inventory_id: int) -> TaxBillRecord | None:
    """Return the latest tax bill of an inventory."""
    return session.scalar(
        select(TaxBillRecord).where(TaxBillRecord.inventory_id == inventory_id).order_by(TaxBillRecord.id.desc())
    )


def tax_bills_of_message(session: Session, inventory_ids: Sequence[int]) -> list[TaxBillRecord]:
    """Return the tax bills of several inventories."""
    if not inventory_ids:
        return []
    return list(
        session.scalars(
            select(TaxBillRecord).where(TaxBillRecord.inventory_id.in_(inventory_ids)).order_by(TaxBillRecord.id)
        )
    )


def inventory_scope(scope: Scope | None) -> list[ColumnElement[bool]]:
    """Return the conditions that keep inventories to a scope: one of its enterprises is a party to them.

    A document belongs to the tenants of the enterprises named on it (platform, e-commerce enterprise,
    logistics company, declaring agent), so a city sees every inventory one of its enterprises is party to.
    """
    return party_scope(
        scope,
        (
            InventoryRecord.platform_code,
            InventoryRecord.ecommerce_code,
            InventoryRecord.logistics_code,
            InventoryRecord.agent_code,
        ),
    )


def inventory_in_scope(session: Session, inventory_id: int, scope: Scope | None) -> bool:
    """Tell whether an inventory lies in a scope."""
    if scope is None or scope.unrestricted:
        return True
    stmt = select(InventoryRecord.id).where(InventoryRecord.id == inventory_id, *inventory_scope(scope))
    return session.scalar(stmt) is not None


def held_inventories(session: Session, *, limit: int, offset: int, scope: Scope | None = None) -> list[InventoryRecord]:
    """Return inventories in the scope held for manual review or inspection: priority ones first (a facilitation
    measure, 优先办理), then oldest first."""
    return list(
        session.scalars(
            select(InventoryRecord)
            .where(InventoryRecord.status.in_((ReturnStatus.MANUAL_REVIEW, ReturnStatus.INSPECTION)))
            .where(*inventory_scope(scope))
            .order_by(InventoryRecord.priority.desc(), InventoryRecord.id)
            .limit(limit)
            .offset(offset)
        )
    )


def tax_bills_page(
    session: Session, *, limit: int, offset: int, scope: Scope | None = None
) -> tuple[list[TaxBillRecord], int]:
    """Return a page of tax bills of inventories in the scope, newest first, and the total count."""
    stmt: Select[TaxBillRecord] = (
        select(TaxBillRecord)
        .join(InventoryRecord, InventoryRecord.id == TaxBillRecord.inventory_id)
        .where(*inventory_scope(scope))
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(TaxBillRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def search_inventories(
    session: Session,
    *,
    status: str | None = None,
    order_no: str | None = None,
    logistics_no: str | None = None,
    inventory_no: str | None = None,
    ecommerce_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope | None = None,
) -> tuple[list[InventoryRecord], int]:
    """Return a page of inventories in the scope matching the filters, newest first, and the total count."""
    stmt = select(InventoryRecord).where(*inventory_scope(scope))
    for column, value in (
        (InventoryRecord.status, status),
        (InventoryRecord.order_no, order_no),
        (InventoryRecord.logistics_no, logistics_no),
        (InventoryRecord.inventory_no, inventory_no),
        (InventoryRecord.ecommerce_code, ecommerce_code),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(InventoryRecord.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def count_by_status(session: Session, scope: Scope | None = None) -> dict[str, int]:
    """Return how many inventories in the scope stand in each status."""
    rows = session.execute(
        select(InventoryRecord.status, InventoryRecord.state, func.count())
        .where(*inventory_scope(scope))
        .group_by(InventoryRecord.status, InventoryRecord.state)
    )
    counts: dict[str, int] = {}
    for status, state, count in rows:
        bucket = "cancelled" if state == DocumentState.CANCELLED else status
        counts[bucket] = counts.get(bucket, 0) + int(count)
    return counts


def releasable_for_closing(session: Session) -> list[InventoryRecord]:
    """Return released inventories not yet closed."""
    return list(session.scalars(select(InventoryRecord).where(InventoryRecord.status == ReturnStatus.RELEASED)))


# --- set-based reads for one message's working set (see clearance.service.store) -------------------------


def _any_pair(
    session: Session,
    first: InstrumentedAttribute[str],
    second: InstrumentedAttribute[str],
    keys: Sequence[tuple[str, str]],
) -> list[ColumnElement[bool]]:
    """Return the condition "(first, second) is one of these pairs" as a superset, or none for no keys."""
    return any_key(session, (first, second), keys)


def orders_by_keys(session: Session, keys: Sequence[tuple[str, str]]) -> list[OrderRecord]:
    """Return the orders with any of these (platform code, order number) keys (a superset; filter exactly)."""
    return list(session.scalars(select(OrderRecord).where(*_any_pair(session, *_ORDER, keys)))) if keys else []


def payments_of(
    session: Session, order_keys: Sequence[tuple[str, str]] = (), payment_keys: Sequence[tuple[str, str]] = ()
) -> list[PaymentRecord]:
    """Return every payment of these (platform code, order number) orders or with these (payment company,
    transaction id) keys, in one query (a superset; filter exactly)."""
    conditions = _any_pair(session, PaymentRecord.platform_code, PaymentRecord.order_no, order_keys) + _any_pair(
        session, PaymentRecord.payment_code, PaymentRecord.payment_transaction_id, payment_keys
    )
    if not conditions:
        return []
    return list(session.scalars(select(PaymentRecord).where(or_(*conditions))))


def waybills_by_keys(session: Session, keys: Sequence[tuple[str, str]]) -> list[WaybillRecord]:
    """Return the waybills with any of these (logistics company, waybill number) keys (a superset)."""
    return list(session.scalars(select(WaybillRecord).where(*_any_pair(session, *_WAYBILL, keys)))) if keys else []


def inventory_keys(
    session: Session, order_keys: Sequence[tuple[str, str]], waybill_keys: Sequence[tuple[str, str]]
) -> list[tuple[str, str, str, str]]:
    """Return (platform, order number, logistics company, waybill number) of the inventories of these keys.

    Read without loading rows into the session: it only tells which keys to lock before the rows are read.
    """
    columns = (
        InventoryRecord.platform_code,
        InventoryRecord.order_no,
        InventoryRecord.logistics_code,
        InventoryRecord.logistics_no,
    )
    conditions = _any_pair(session, InventoryRecord.platform_code, InventoryRecord.order_no, order_keys) + _any_pair(
        session, InventoryRecord.logistics_code, InventoryRecord.logistics_no, waybill_keys
    )
    if not conditions:
        return []
    return [(a, b, c, d) for a, b, c, d in session.execute(select(*columns).where(or_(*conditions)))]


# The keys of a message's documents, and the order and waybill keys of the inventories of its orders and waybills,
# each locked once in sorted order: the select list's volatile lock function is evaluated after the sort.
_LOCK_WITH_INVENTORY_KEYS = text(
    "SELECT k, pg_advisory_xact_lock(hashtextextended(k, 0)) FROM ("
    " SELECT unnest(CAST(:keys AS text[])) AS k"
    " UNION SELECT found.k FROM import_inventory CROSS JOIN LATERAL (VALUES"
    " ('order:' || platform_code || ':' || order_no), ('waybill:' || logistics_code || ':' || logistics_no))"
    " AS found (k) WHERE {found}"
    ") AS wanted ORDER BY k".format(
        found="(platform_code = ANY(CAST(:platforms AS varchar[])) AND order_no = ANY(CAST(:orders AS varchar[])))"
        " OR (logistics_code = ANY(CAST(:companies AS varchar[])) AND logistics_no = ANY(CAST(:waybills AS varchar[])))"
    )
)


def lock_with_inventory_keys(
    session: Session,
    keys: Sequence[str],
    order_keys: Sequence[tuple[str, str]],
    waybill_keys: Sequence[tuple[str, str]],
) -> list[str] | None:
    """Lock these keys and the order and waybill keys of the inventories of these orders and waybills, in one statement.

    What ``inventory_keys`` and ``cbec.storage.locks.lock_keys`` do in two round trips: the inventories' keys are
    found (a superset of the pairs, as ``inventory_keys`` reads them) and every key is locked once in sorted order
    (PostgreSQL evaluates a volatile function of the select list after the sort), so the one lock order of every
    intake transaction holds. One SQL text, made once. Returns the keys locked; None where the database takes no
    such locks (SQLite: writers are serialised), and the caller looks up the keys itself.
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    if not keys and not order_keys and not waybill_keys:
        return []
    params = {
        "keys": sorted(set(keys)),
        "platforms": sorted({platform for platform, _ in order_keys}),
        "orders": sorted({number for _, number in order_keys}),
        "companies": sorted({company for company, _ in waybill_keys}),
        "waybills": sorted({number for _, number in waybill_keys}),
    }
    return [str(k) for k, _locked in session.execute(_LOCK_WITH_INVENTORY_KEYS, params)]


def inventories_of(
    session: Session,
    order_keys: Sequence[tuple[str, str]] = (),
    waybill_keys: Sequence[tuple[str, str]] = (),
    guids: Sequence[str] = (),
) -> list[InventoryRecord]:
    """Return every inventory, in any state, of any of these orders or waybills or declared under these guids.

    One query (a superset for the key pairs; filter exactly): (platform code, order number) orders,
    (logistics company, waybill number) waybills, declaration guids.
    """
    conditions = _any_pair(session, InventoryRecord.platform_code, InventoryRecord.order_no, order_keys) + _any_pair(
        session, InventoryRecord.logistics_code, InventoryRecord.logistics_no, waybill_keys
    )
    if guids:
        conditions.append(one_of(session, InventoryRecord.guid, sorted(set(guids))))
    if not conditions:
        return []
    return list(session.scalars(select(InventoryRecord).where(or_(*conditions))))


def arrival_parcels_by_keys(session: Session, keys: Sequence[tuple[str, str]]) -> list[ArrivalParcel]:
    """Return the arrival entries of any of these (logistics company, waybill number) parcels (a superset)."""
    if not keys:
        return []
    pair = _any_pair(session, ArrivalParcel.logistics_code, ArrivalParcel.logistics_no, keys)
    return list(session.scalars(select(ArrivalParcel).where(*pair)))


def tax_bills_of_inventories(session: Session, inventory_ids: Sequence[int]) -> list[TaxBillRecord]:
    """Return every tax bill of these inventories, oldest first."""
    if not inventory_ids:
        return []
    return list(
        session.scalars(
            select(TaxBillRecord)
            .where(one_of(session, TaxBillRecord.inventory_id, sorted(set(inventory_ids))))
            .order_by(TaxBillRecord.id)
        )
    )


_ORDER = (OrderRecord.platform_code, OrderRecord.order_no)
_WAYBILL = (WaybillRecord.logistics_code, WaybillRecord.logistics_no)
