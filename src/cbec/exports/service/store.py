"""The working set of one export message (出口报文工作集): its rows read in a few set-based queries, kept coherent.

An export message carries up to 100 documents. Instead of one SELECT per key per document, the run takes every
business-key lock the message needs in one statement (sorted, so concurrent messages never deadlock): the keys
of its documents and both keys of every inventory they may move (an order completes inventories that also wait
on a waybill, an arrival those that also wait on an order). It then reads the orders, receipts of payment,
waybills, inventories and parcel entries of all those keys in one query per table. Look-ups are answered from
memory, filtered by the rows' *current* attributes, so a document sees what the documents before it in the same
message changed, exactly as it would by querying.

Every list held for a key is complete for that key: what the database had once the key was locked, plus every
row the handlers added or re-keyed since (``register_*``). A key not fetched falls back to a query, whose result
is then kept the same way (an officer's action, a summary, a cancel or a return run without ``prepare``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from cbec.exports import set_reads
from cbec.exports.models import (
    ExportInventoryLine,
    ExportInventoryRecord,
    ExportOrderRecord,
    ExportParcel,
    ExportWaybillRecord,
    PaymentReceiptNoteRecord,
)
from cbec.exports.set_reads import OrderKey, ParcelKey
from cbec.intake import DocumentState, KeysChanged, ReturnStatus
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportInventory,
    ExportOrder,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
)
from cbec.storage.locks import lock_keys
from cbec.storage.sets import add_once, group_by

LIVE = (DocumentState.ACCEPTED, DocumentState.DRAFT)
WAITING_ON_PARCEL = (ReturnStatus.DECLARING, ReturnStatus.ACCEPTED)


def order_lock(key: OrderKey) -> str:
    """Return the lock key of an order (its receipt of payment and its inventory take it too)."""
    return f"export-order:{key[0]}:{key[1]}:{key[2]}"


def parcel_lock(key: ParcelKey) -> str:
    """Return the lock key of a parcel (its waybill, inventory, arrival, master bill and departure take it too)."""
    return f"export-parcel:{key[0]}:{key[1]}"


def order_key(row: ExportOrderRecord | PaymentReceiptNoteRecord | ExportInventoryRecord) -> OrderKey:
    """Return the (platform, e-commerce enterprise, order number) key of a stored row."""
    return (row.platform_code, row.ecommerce_code, row.order_no)


def parcel_key(row: ExportWaybillRecord | ExportInventoryRecord | ExportParcel) -> ParcelKey:
    """Return the (logistics company, logistics number) key of a stored row."""
    return (row.logistics_code, row.logistics_no)


def document_keys(document: object) -> tuple[list[OrderKey], list[ParcelKey]]:
    """Return the order and parcel keys a document's handler locks and reads."""
    if isinstance(document, ExportOrder | PaymentReceiptNote):
        return [(document.platform_code, document.ecommerce_code, document.order_no)], []
    if isinstance(document, ExportWaybill):
        return [], [(document.logistics_code, document.logistics_no)]
    if isinstance(document, ExportInventory):
        return (
            [(document.platform_code, document.ecommerce_code, document.order_no)],
            [(document.logistics_code, document.logistics_no)],
        )
    if isinstance(document, ExportArrival | MasterBill | Departure):
        return [], [(document.logistics_code, line.logistics_no) for line in document.lines]
    return [], []


def _newest(rows: Iterable[ExportInventoryRecord]) -> ExportInventoryRecord | None:
    live = [r for r in rows if r.state in LIVE and r.status != ReturnStatus.REFUSED]
    return max(live, key=lambda r: r.id) if live else None


class ExportWorkingSet:
    """Rows of one export message's keys, read once and answered from memory."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.locked: set[str] = set()
        self.prepared = False
        self.orders: dict[OrderKey, list[ExportOrderRecord]] = {}
        self.notes: dict[OrderKey, list[PaymentReceiptNoteRecord]] = {}
        self.waybills: dict[ParcelKey, list[ExportWaybillRecord]] = {}
        self.of_order: dict[OrderKey, list[ExportInventoryRecord]] = {}
        self.of_parcel: dict[ParcelKey, list[ExportInventoryRecord]] = {}
        self.of_guid: dict[str, list[ExportInventoryRecord]] = {}
        self.parcels: dict[ParcelKey, list[ExportParcel]] = {}
        self.lines: dict[int, list[ExportInventoryLine]] = {}

    # --- locks and reads ---------------------------------------------------------------------------------

    def lock(self, keys: Iterable[str]) -> None:
        """Hold the locks on these keys until the transaction ends (one sorted statement for those not held)."""
        new = sorted(set(keys) - self.locked)
        if new:
            lock_keys(self.session, new)
            self.locked.update(new)

    def prepare(self, documents: Sequence[object]) -> None:
        """Lock every key of the message's documents and of the inventories they may move, then read the rows.

        The inventories of the documents' orders and parcels are looked up first (their keys only, no rows), so
        both keys of each are locked in the same one sorted statement; the rows are read once locked.
        """
        order_keys: set[OrderKey] = set()
        parcel_keys: set[ParcelKey] = set()
        guids: set[str] = set()
        for document in documents:
            orders, parcels = document_keys(document)
            order_keys.update(orders)
            parcel_keys.update(parcels)
            if isinstance(document, ExportInventory):
                guids.add(document.declaration.guid)
        if not order_keys and not parcel_keys:
            return
        locks = {order_lock(k) for k in order_keys} | {parcel_lock(k) for k in parcel_keys}
        for order, parcel in set_reads.inventory_keys(self.session, sorted(order_keys), sorted(parcel_keys)):
            if order in order_keys or parcel in parcel_keys:  # the look-up is a superset
                locks.update((order_lock(order), parcel_lock(parcel)))
        self.lock(locks)
        self.prepared = True
        inventories = self.fetch_inventories(order_keys, parcel_keys, guids)
        # The partners and parcel entries of every inventory these documents may move.
        order_keys.update(order_key(row) for row in inventories)
        parcel_keys.update(parcel_key(row) for row in inventories)
        self.fetch_partners(order_keys, parcel_keys)

    def _require(self, rows: Iterable[ExportInventoryRecord]) -> None:
        """Make sure both keys of these inventories are held before they are used.

        Once prepare() has locked a message's keys, an inventory under a key it did not foresee was added by a
        concurrent message after the look-up: taking its lock now would break the one lock order, so the whole
        message starts again (KeysChanged) and locks it up front the next time. Unprepared, the keys are locked.
        """
        missing = {lock for row in rows for lock in (order_lock(order_key(row)), parcel_lock(parcel_key(row)))}
        missing -= self.locked
        if not missing:
            return
        if self.prepared:
            raise KeysChanged(", ".join(sorted(missing)))
        self.lock(missing)

    def fetch_inventories(
        self, order_keys: Iterable[OrderKey], parcel_keys: Iterable[ParcelKey], guids: Iterable[str] = ()
    ) -> list[ExportInventoryRecord]:
        """Read every inventory of these orders and parcels and under these guids, in one query.

        Return those of the orders and parcels (already known ones too).
        """
        order_keys, parcel_keys = list(order_keys), list(parcel_keys)
        by_order = sorted({k for k in order_keys if k not in self.of_order})
        by_parcel = sorted({k for k in parcel_keys if k not in self.of_parcel})
        by_guid = sorted({g for g in guids if g not in self.of_guid})
        if by_order or by_parcel or by_guid:
            rows = set_reads.inventories_of(self.session, by_order, by_parcel, by_guid)
            self.of_order.update(group_by(rows, order_key, by_order))
            self.of_parcel.update(group_by(rows, parcel_key, by_parcel))
            self.of_guid.update(group_by(rows, lambda r: r.guid, by_guid))
            self._require(row for row in rows if order_key(row) in self.of_order or parcel_key(row) in self.of_parcel)
        seen: dict[int, ExportInventoryRecord] = {}
        for key in order_keys:
            seen.update((id(row), row) for row in self.of_order[key])
        for parcel in parcel_keys:
            seen.update((id(row), row) for row in self.of_parcel[parcel])
        return list(seen.values())

    def fetch_partners(self, order_keys: Iterable[OrderKey], parcel_keys: Iterable[ParcelKey]) -> None:
        """Read the orders, receipts of payment, waybills and parcel entries of these keys."""
        order_keys, parcel_keys = list(order_keys), list(parcel_keys)
        orders = sorted({k for k in order_keys if k not in self.orders})
        if orders:
            self.orders.update(group_by(set_reads.orders_by_keys(self.session, orders), order_key, orders))
        notes = sorted({k for k in order_keys if k not in self.notes})
        if notes:
            self.notes.update(group_by(set_reads.receipt_notes_by_keys(self.session, notes), order_key, notes))
        waybills = sorted({k for k in parcel_keys if k not in self.waybills})
        if waybills:
            self.waybills.update(group_by(set_reads.waybills_by_keys(self.session, waybills), parcel_key, waybills))
        parcels = sorted({k for k in parcel_keys if k not in self.parcels})
        if parcels:
            self.parcels.update(group_by(set_reads.parcels_by_keys(self.session, parcels), parcel_key, parcels))

    # --- look-ups (the repository's, answered from memory) -------------------------------------------------

    def order(self, key: OrderKey) -> ExportOrderRecord | None:
        """Return the order of this key."""
        if key not in self.orders:
            self.fetch_partners([key], [])
        return next((r for r in self.orders[key] if order_key(r) == key), None)

    def receipt_note(self, key: OrderKey) -> PaymentReceiptNoteRecord | None:
        """Return the receipt of payment of this order."""
        if key not in self.notes:
            self.fetch_partners([key], [])
        return next((r for r in self.notes[key] if order_key(r) == key), None)

    def waybill(self, key: ParcelKey) -> ExportWaybillRecord | None:
        """Return the waybill of this parcel."""
        if key not in self.waybills:
            self.fetch_partners([], [key])
        return next((r for r in self.waybills[key] if parcel_key(r) == key), None)

    def parcel(self, kind: str, key: ParcelKey) -> ExportParcel | None:
        """Return the arrival, bill or departure entry of a parcel."""
        if key not in self.parcels:
            self.fetch_partners([], [key])
        return next((r for r in self.parcels[key] if r.kind == kind and parcel_key(r) == key), None)

    def inventory_by_guid(self, guid: str) -> ExportInventoryRecord | None:
        """Return the (first) inventory declared under a guid."""
        if guid not in self.of_guid:
            self.fetch_inventories([], [], [guid])
        rows = [r for r in self.of_guid[guid] if r.guid == guid]
        return min(rows, key=lambda r: r.id) if rows else None

    def _of_order(self, key: OrderKey) -> list[ExportInventoryRecord]:
        if key not in self.of_order:
            self.fetch_inventories([key], [])
        return sorted((r for r in self.of_order[key] if order_key(r) == key), key=lambda r: r.id)

    def _of_parcel(self, key: ParcelKey) -> list[ExportInventoryRecord]:
        if key not in self.of_parcel:
            self.fetch_inventories([], [key])
        return sorted((r for r in self.of_parcel[key] if parcel_key(r) == key), key=lambda r: r.id)

    def live_inventory_for_order(self, key: OrderKey) -> ExportInventoryRecord | None:
        """Return the newest inventory of an order that is neither refused, deleted nor cancelled."""
        return _newest(self._of_order(key))

    def live_inventory_for_parcel(self, key: ParcelKey) -> ExportInventoryRecord | None:
        """Return the newest live inventory of a parcel."""
        return _newest(self._of_parcel(key))

    def waiting_for_order(self, key: OrderKey) -> list[ExportInventoryRecord]:
        """Return the inventories of an order still waiting for partner documents."""
        return [
            r for r in self._of_order(key) if r.status == ReturnStatus.DECLARING and r.state == DocumentState.ACCEPTED
        ]

    def waiting_for_parcel(self, key: ParcelKey) -> list[ExportInventoryRecord]:
        """Return the inventories of a parcel waiting for partners or for arrival."""
        return [r for r in self._of_parcel(key) if r.status in WAITING_ON_PARCEL and r.state == DocumentState.ACCEPTED]

    def lines_of(self, inventory_id: int) -> list[ExportInventoryLine]:
        """Return an inventory's lines in gnum order.

        On a miss, the lines of every known inventory that may yet be decided are read with it, in one query.
        """
        if inventory_id not in self.lines:
            wanted = {inventory_id}
            for bucket in (*self.of_order.values(), *self.of_parcel.values()):
                wanted.update(
                    r.id
                    for r in bucket
                    if r.id not in self.lines and r.status in WAITING_ON_PARCEL and r.state == DocumentState.ACCEPTED
                )
            found: dict[int, list[ExportInventoryLine]] = {i: [] for i in wanted}
            for line in set_reads.lines_of_inventories(self.session, sorted(wanted)):
                found[line.inventory_id].append(line)
            self.lines.update(found)
        return self.lines[inventory_id]

    # --- rows the handlers added or changed -------------------------------------------------------------

    def register_order(self, row: ExportOrderRecord) -> None:
        """Keep an added order."""
        self.order(order_key(row))  # its key's list is read first, so that it stays complete
        add_once(self.orders[order_key(row)], row)

    def register_receipt_note(self, row: PaymentReceiptNoteRecord) -> None:
        """Keep an added receipt of payment."""
        self.receipt_note(order_key(row))
        add_once(self.notes[order_key(row)], row)

    def register_waybill(self, row: ExportWaybillRecord) -> None:
        """Keep an added waybill."""
        self.waybill(parcel_key(row))
        add_once(self.waybills[parcel_key(row)], row)

    def register_inventory(self, row: ExportInventoryRecord, lines: list[ExportInventoryLine]) -> None:
        """Keep an added or changed inventory under its (possibly new) order, parcel and guid, with its lines."""
        self.fetch_inventories([order_key(row)], [parcel_key(row)], [row.guid])
        add_once(self.of_order[order_key(row)], row)
        add_once(self.of_parcel[parcel_key(row)], row)
        add_once(self.of_guid[row.guid], row)
        self.lines[row.id] = sorted(lines, key=lambda line: line.line_no)

    def register_parcel(self, row: ExportParcel) -> None:
        """Keep an added arrival, bill or departure entry."""
        self.parcel(row.kind, parcel_key(row))
        add_once(self.parcels[parcel_key(row)], row)
