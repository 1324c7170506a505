"""The working set of one message (报文工作集): its rows fetched in a few set-based queries, kept coherent.

A CEB message carries up to 100 documents. Instead of one SELECT per key per document, the run (``ImportRun``) takes
every business-key lock the message needs in one statement (sorted, so concurrent messages never deadlock),
then reads the orders, payments, waybills, inventories, arrival entries and tax bills of all those keys in one
query per table. Look-ups are then answered from memory, filtered by the rows' *current* attributes, so a
document sees what the documents before it in the same message changed, exactly as it would by querying.

Every list held for a key is complete for that key: it holds what the database had once the key was locked,
plus every row the handlers added or re-keyed since (``register_*``). A key that was not fetched falls back
to the repository query, whose result is then kept the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from cbec.clearance import repository as repo
from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.models import (
    ArrivalParcel,
    InventoryRecord,
    OrderRecord,
    PaymentRecord,
    TaxBillRecord,
    WaybillRecord,
)
from cbec.intake import KeysChanged
from cbec.messages.documents import ArrivalRecord, ImportDocument, ImportOrder, Inventory, Payment, Waybill
from cbec.storage.locks import lock_keys
from cbec.storage.sets import add_once, group_by

Key = tuple[str, str]
LIVE = (DocumentState.ACCEPTED, DocumentState.DRAFT)
WAITING_ON_WAYBILL = (ReturnStatus.DECLARING, ReturnStatus.ACCEPTED)


def order_lock(platform_code: str, order_no: str) -> str:
    """Return the lock key of an order (its payment and inventory take it too)."""
    return f"order:{platform_code}:{order_no}"


def waybill_lock(logistics_code: str, logistics_no: str) -> str:
    """Return the lock key of a waybill (its inventory and its arrival take it too)."""
    return f"waybill:{logistics_code}:{logistics_no}"


def lock_keys_of(document: ImportDocument) -> list[str]:
    """Return the business keys a document's handler locks."""
    if isinstance(document, ImportOrder | Payment):
        return [order_lock(document.platform_code, document.order_no)]
    if isinstance(document, Waybill):
        return [waybill_lock(document.logistics_code, document.logistics_no)]
    if isinstance(document, Inventory):
        return [
            order_lock(document.platform_code, document.order_no),
            waybill_lock(document.logistics_code, document.logistics_no),
        ]
    if isinstance(document, ArrivalRecord):
        return [waybill_lock(document.logistics_code, line.logistics_no) for line in document.lines]
    return []


def _order_key(row: OrderRecord | PaymentRecord | InventoryRecord) -> Key:
    return (row.platform_code, row.order_no)


def _waybill_key(row: WaybillRecord | InventoryRecord | ArrivalParcel) -> Key:
    return (row.logistics_code, row.logistics_no)


def _payment_key(row: PaymentRecord) -> Key:
    return (row.payment_code, row.payment_transaction_id)


def _waybill_keys(document: Inventory | Waybill | ArrivalRecord) -> list[Key]:
    """Return the waybill keys a document names (an arrival names one per parcel)."""
    if isinstance(document, ArrivalRecord):
        return [(document.logistics_code, line.logistics_no) for line in document.lines]
    return [(document.logistics_code, document.logistics_no)]


class WorkingSet:
    """Rows of one message's keys, read once and answered from memory."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.locked: set[str] = set()
        self.prepared = False
        self.orders: dict[Key, list[OrderRecord]] = {}
        self.payments: dict[Key, list[PaymentRecord]] = {}
        self.payments_of_order: dict[Key, list[PaymentRecord]] = {}
        self.waybills: dict[Key, list[WaybillRecord]] = {}
        self.inventories_of_order: dict[Key, list[InventoryRecord]] = {}
        self.inventories_of_waybill: dict[Key, list[InventoryRecord]] = {}
        self.inventories_of_guid: dict[str, list[InventoryRecord]] = {}
        self.parcels: dict[Key, list[ArrivalParcel]] = {}
        self.bills: dict[int, list[TaxBillRecord]] = {}

    # --- locks and prefetch ------------------------------------------------------------------------------

    def lock(self, keys: Iterable[str]) -> list[str]:
        """Hold the locks on these keys until the transaction ends (one statement for all not yet held).

        Return the keys that were not held before.
        """
        new = sorted(set(keys) - self.locked)
        if new:
            lock_keys(self.session, new)
            self.locked.update(new)
        return new

    def prepare(self, documents: Sequence[ImportDocument]) -> None:
        """Lock every key of a message's documents and of the inventories they may complete, then read the rows.

        The inventories an order, payment, waybill or arrival completes are matched against partners and an
        arrival found under other keys; those keys are looked up first (without reading rows), so all of them
        are locked in the same one sorted statement, and the rows are read only once they are locked.
        """
        keys = {key for document in documents for key in lock_keys_of(document)}
        order_keys: set[Key] = set()
        payment_keys: set[Key] = set()
        waybill_keys: set[Key] = set()
        guids: set[str] = set()
        for document in documents:
            if isinstance(document, ImportOrder | Payment):
                order_keys.add((document.platform_code, document.order_no))
            if isinstance(document, Payment):
                payment_keys.add((document.payment_code, document.payment_transaction_id))
            if isinstance(document, Waybill):
                waybill_keys.add((document.logistics_code, document.logistics_no))
            if isinstance(document, Inventory):
                order_keys.add((document.platform_code, document.order_no))
                waybill_keys.add((document.logistics_code, document.logistics_no))
                guids.add(document.declaration.guid)
            if isinstance(document, ArrivalRecord):
                waybill_keys.update((document.logistics_code, line.logistics_no) for line in document.lines)
        locked = repo.lock_with_inventory_keys(self.session, sorted(keys), sorted(order_keys), sorted(waybill_keys))
        if locked is not None:  # one statement found the inventories' keys and locked them all
            self.locked.update(locked)
        else:
            for platform, order_no, company, waybill_no in repo.inventory_keys(
                self.session, sorted(order_keys), sorted(waybill_keys)
            ):
                keys.update((order_lock(platform, order_no), waybill_lock(company, waybill_no)))
            self.lock(keys)
        self.prepared = True
        inventories = self.fetch_inventories(order_keys, waybill_keys, guids)
        # The partners of every inventory these documents may advance (三单对碰 needs all four), and each document's
        # own row: what no handler of these documents will ask for is not read (a look-up of it would query).
        of_inventories = {_order_key(row) for row in inventories} | {
            (d.platform_code, d.order_no) for d in documents if isinstance(d, Inventory)
        }
        parcels = {_waybill_key(row) for row in inventories} | {
            key for d in documents if isinstance(d, Inventory | ArrivalRecord) for key in _waybill_keys(d)
        }
        own_orders = {(d.platform_code, d.order_no) for d in documents if isinstance(d, ImportOrder)}
        own_waybills = {key for d in documents if isinstance(d, Waybill) for key in _waybill_keys(d)}
        self.fetch_partners(
            own_orders | of_inventories, payment_keys, own_waybills | parcels, of_orders=of_inventories, parcels=parcels
        )
        self.fetch_bills(row.id for row in inventories if row.status in (ReturnStatus.ACCEPTED, *WAITING_ON_WAYBILL))

    def fetch_guids(self, guids: Iterable[str]) -> None:
        """Read the inventories declared under these guids."""
        self.fetch_inventories([], [], guids)

    def fetch_inventories(
        self, order_keys: Iterable[Key], waybill_keys: Iterable[Key], guids: Iterable[str] = ()
    ) -> list[InventoryRecord]:
        """Read every inventory of these orders and waybills and under these guids, in one query.

        Return those of the orders and waybills (already known ones too).
        """
        order_keys, waybill_keys = list(order_keys), list(waybill_keys)
        by_order = [k for k in order_keys if k not in self.inventories_of_order]
        by_waybill = [k for k in waybill_keys if k not in self.inventories_of_waybill]
        by_guid = sorted({g for g in guids if g not in self.inventories_of_guid})
        if by_order or by_waybill or by_guid:
            rows = repo.inventories_of(self.session, by_order, by_waybill, by_guid)
            self.inventories_of_order.update(group_by(rows, _order_key, by_order))
            self.inventories_of_waybill.update(group_by(rows, _waybill_key, by_waybill))
            found: dict[str, list[InventoryRecord]] = {g: [] for g in by_guid}
            for row in rows:
                if row.guid in found:
                    found[row.guid].append(row)
            self.inventories_of_guid.update(found)
        seen: dict[int, InventoryRecord] = {}
        for key in order_keys:
            seen.update((id(row), row) for row in self.inventories_of_order[key])
        for key in waybill_keys:
            seen.update((id(row), row) for row in self.inventories_of_waybill[key])
        return list(seen.values())

    def fetch_partners(
        self,
        order_keys: Iterable[Key],
        payment_keys: Iterable[Key],
        waybill_keys: Iterable[Key],
        *,
        of_orders: Iterable[Key] | None = None,
        parcels: Iterable[Key] | None = None,
    ) -> None:
        """Read the orders, payments and waybills (and arrival entries) of these keys.

        The payments of orders and the arrival entries are read for ``of_orders`` and ``parcels`` when given, else for
        every order and waybill key.
        """
        order_keys, waybill_keys = list(order_keys), list(waybill_keys)
        orders = [k for k in order_keys if k not in self.orders]
        if orders:
            self.orders.update(group_by(repo.orders_by_keys(self.session, orders), _order_key, orders))
        of_order = [k for k in (order_keys if of_orders is None else of_orders) if k not in self.payments_of_order]
        payments = [k for k in payment_keys if k not in self.payments]
        if of_order or payments:
            rows = repo.payments_of(self.session, of_order, payments)
            self.payments_of_order.update(group_by(rows, _order_key, of_order))
            self.payments.update(group_by(rows, _payment_key, payments))
        waybills = [k for k in waybill_keys if k not in self.waybills]
        if waybills:
            self.waybills.update(group_by(repo.waybills_by_keys(self.session, waybills), _waybill_key, waybills))
        wanted = [k for k in (waybill_keys if parcels is None else parcels) if k not in self.parcels]
        if wanted:
            self.parcels.update(group_by(repo.arrival_parcels_by_keys(self.session, wanted), _waybill_key, wanted))

    def fetch_bills(self, inventory_ids: Iterable[int]) -> None:
        """Read the tax bills of these inventories."""
        wanted = sorted({i for i in inventory_ids if i is not None and i not in self.bills})
        if not wanted:
            return
        found: dict[int, list[TaxBillRecord]] = {i: [] for i in wanted}
        for bill in repo.tax_bills_of_inventories(self.session, wanted):
            found[bill.inventory_id].append(bill)
        self.bills.update(found)

    def known_inventories(self) -> list[InventoryRecord]:
        """Return every inventory read or added so far."""
        rows: dict[int, InventoryRecord] = {}
        for bucket in (*self.inventories_of_order.values(), *self.inventories_of_waybill.values()):
            rows.update((id(row), row) for row in bucket)
        for bucket in self.inventories_of_guid.values():
            rows.update((id(row), row) for row in bucket)
        return list(rows.values())

    # --- look-ups (the repository's, answered from memory) -------------------------------------------------

    def order(self, platform_code: str, order_no: str) -> OrderRecord | None:
        """Return the order of a platform by its number."""
        key = (platform_code, order_no)
        if key not in self.orders:
            self.fetch_partners([key], [], [])
        rows = [r for r in self.orders[key] if _order_key(r) == key]
        return rows[0] if rows else None

    def payment(self, payment_code: str, transaction_id: str) -> PaymentRecord | None:
        """Return a payment by payment company and transaction id."""
        key = (payment_code, transaction_id)
        if key not in self.payments:
            self.fetch_partners([], [key], [])
        rows = [r for r in self.payments[key] if _payment_key(r) == key]
        return rows[0] if rows else None

    def payment_for_order(self, platform_code: str, order_no: str) -> PaymentRecord | None:
        """Return the accepted payment of an order (the newest)."""
        key = (platform_code, order_no)
        if key not in self.payments_of_order:
            self.fetch_partners([key], [], [])
        rows = [r for r in self.payments_of_order[key] if _order_key(r) == key and r.state == DocumentState.ACCEPTED]
        return max(rows, key=lambda r: r.id) if rows else None

    def waybill(self, logistics_code: str, logistics_no: str) -> WaybillRecord | None:
        """Return a waybill by logistics company and waybill number."""
        key = (logistics_code, logistics_no)
        if key not in self.waybills:
            self.fetch_partners([], [], [key])
        rows = [r for r in self.waybills[key] if _waybill_key(r) == key]
        return rows[0] if rows else None

    def require(self, keys: Iterable[str]) -> None:
        """Make sure these keys are held before rows read under them are used.

        Once prepare() has locked a message's keys, a key it did not foresee means a concurrent message added a
        row after the look-up: taking the lock now would break the one lock order, and what was read under it
        may be stale, so the whole message starts again (KeysChanged) and locks it up front the next time.
        Outside a prepared message (an officer's decision) the keys are simply locked.
        """
        missing = set(keys) - self.locked
        if not missing:
            return
        if self.prepared:
            raise KeysChanged(", ".join(sorted(missing)))
        self.lock(missing)

    def arrival_parcel(self, logistics_code: str, logistics_no: str) -> ArrivalParcel | None:
        """Return the arrival entry of a parcel."""
        key = (logistics_code, logistics_no)
        if key not in self.parcels:
            self.fetch_partners([], [], [key])
        rows = [r for r in self.parcels[key] if _waybill_key(r) == key]
        return rows[0] if rows else None

    def _of_order(self, platform_code: str, order_no: str) -> list[InventoryRecord]:
        key = (platform_code, order_no)
        if key not in self.inventories_of_order:
            self.fetch_inventories([key], [])
        return sorted((r for r in self.inventories_of_order[key] if _order_key(r) == key), key=lambda r: r.id)

    def live_inventory_for_order(self, platform_code: str, order_no: str) -> InventoryRecord | None:
        """Return the newest inventory of an order that is neither refused nor cancelled."""
        rows = [
            r for r in self._of_order(platform_code, order_no) if r.state in LIVE and r.status != ReturnStatus.REFUSED
        ]
        return rows[-1] if rows else None

    def waiting_inventories_for_order(self, platform_code: str, order_no: str) -> list[InventoryRecord]:
        """Return inventories of an order still waiting for partner documents."""
        return [
            r
            for r in self._of_order(platform_code, order_no)
            if r.status == ReturnStatus.DECLARING and r.state == DocumentState.ACCEPTED
        ]

    def waiting_inventories_for_waybill(self, logistics_code: str, logistics_no: str) -> list[InventoryRecord]:
        """Return inventories of a waybill still waiting for partners or for arrival."""
        key = (logistics_code, logistics_no)
        if key not in self.inventories_of_waybill:
            self.fetch_inventories([], [key])
        rows = [
            r
            for r in self.inventories_of_waybill[key]
            if _waybill_key(r) == key and r.status in WAITING_ON_WAYBILL and r.state == DocumentState.ACCEPTED
        ]
        return sorted(rows, key=lambda r: r.id)

    def inventory_by_guid(self, guid: str) -> InventoryRecord | None:
        """Return the (first) inventory declared under a guid."""
        if guid not in self.inventories_of_guid:
            self.fetch_guids([guid])
        rows = [r for r in self.inventories_of_guid[guid] if r.guid == guid]
        return min(rows, key=lambda r: r.id) if rows else None

    def tax_bill_for(self, inventory_id: int) -> TaxBillRecord | None:
        """Return the latest tax bill of an inventory."""
        if inventory_id not in self.bills:
            self.fetch_bills([inventory_id])
        bills = self.bills[inventory_id]
        return bills[-1] if bills else None  # read oldest first, then appended as issued

    # --- rows the handlers added or changed -------------------------------------------------------------

    def register_order(self, row: OrderRecord) -> None:
        """Keep an added or changed order."""
        add_once(self.orders.get(_order_key(row)), row)

    def register_payment(self, row: PaymentRecord) -> None:
        """Keep an added or changed payment under its (possibly new) keys."""
        add_once(self.payments.get(_payment_key(row)), row)
        add_once(self.payments_of_order.get(_order_key(row)), row)

    def register_waybill(self, row: WaybillRecord) -> None:
        """Keep an added or changed waybill."""
        add_once(self.waybills.get(_waybill_key(row)), row)

    def register_inventory(self, row: InventoryRecord, *, new: bool = False) -> None:
        """Keep an added or changed inventory under its (possibly new) order, waybill and guid."""
        add_once(self.inventories_of_order.get(_order_key(row)), row)
        add_once(self.inventories_of_waybill.get(_waybill_key(row)), row)
        add_once(self.inventories_of_guid.get(row.guid), row)
        if new:
            self.bills[row.id] = []  # a new inventory has no tax bill until register_bill adds one

    def register_parcel(self, row: ArrivalParcel) -> None:
        """Keep an added arrival entry."""
        add_once(self.parcels.get(_waybill_key(row)), row)

    def register_bill(self, bill: TaxBillRecord) -> None:
        """Keep an added tax bill."""
        self.bills.setdefault(bill.inventory_id, [])
        add_once(self.bills[bill.inventory_id], bill)
