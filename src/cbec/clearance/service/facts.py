"""Trade facts of import inventories (进口贸易事实): what clearance hands ``cbec.facts``, live and in the backfill.

The handlers call ``record_stored`` where an inventory row is stored, ``record_moved`` where its status or state
changes, ``stage_partners`` when its order and payment are matched, and ``record_returned`` when returned goods
are back; the backfill builds the same rows from the stored documents with the same functions.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.clearance.codes import DocumentState
from cbec.clearance.models import InventoryRecord, OrderRecord, PaymentRecord, ReturnRecord
from cbec.clearance.service.run import ImportRun, party
from cbec.common.personal import PersonalDataCipher
from cbec.enterprises import EnterpriseRef, find_active_by_code
from cbec.facts import (
    BackfillReport,
    Direction,
    FactHeader,
    FactStatus,
    consignee_region,
    customs_rates,
    fact_rows,
    fact_status,
    import_lines,
    moved_values,
    subject_key,
    sync_facts,
)
from cbec.messages.documents import ImportOrder, Inventory, MessageType, Payment
from cbec.messages.json_twin import document_from_stored_json
from cbec.storage.context import Context


def partner_values(cipher: PersonalDataCipher, order: ImportOrder, payment: Payment) -> dict[str, Any]:
    """Return what the matched order and payment add to the facts: the payment enterprise, payer and phone keys, and
    the consignee's prefecture from the order's district code, else from its address's leading names."""
    return {
        "payment_code": payment.payment_code,
        "consignee_region": consignee_region(order.consignee_district, order.consignee_address),
        "payer_key": subject_key(cipher.blind_index, "id", payment.payer_id_number),
        "phone_key": subject_key(cipher.blind_index, "phone", order.consignee_phone),
    }


def header(
    row: InventoryRecord,
    inventory: Inventory,
    cipher: PersonalDataCipher,
    tenant: str | None,
    partners: dict[str, Any] | None = None,
) -> FactHeader:
    """Return what every fact row of a stored import inventory shares."""
    extra = partners or {}
    return FactHeader(
        direction=Direction.IMPORT,
        mode=row.trade_mode,
        document_id=row.id,
        eport_no=row.eport_no,
        inventory_no=row.inventory_no,
        order_no=row.order_no,
        customs_code=row.customs_code,
        platform_code=row.platform_code,
        ecommerce_code=row.ecommerce_code,
        logistics_code=row.logistics_code,
        logistics_no=inventory.logistics_no,
        agent_code=row.agent_code,
        declared_at=row.declared_at,
        released_at=row.released_at,
        status=fact_status(row.status, row.state),
        payment_code=extra.get("payment_code"),
        warehouse_code=inventory.warehouse_code,
        tenant=tenant,
        buyer_key=row.buyer_key,
        payer_key=extra.get("payer_key"),
        phone_key=extra.get("phone_key"),
        address_key=subject_key(cipher.blind_index, "address", inventory.consignee_address),
        gross_weight=inventory.gross_weight,
        consignee_region=extra.get("consignee_region"),
    )


def _tenant(party: EnterpriseRef | None) -> str | None:
    return party.zone if party is not None else None


# --- the handlers' calls ----------------------------------------------------------------------------------


def record_stored(run: ImportRun, row: InventoryRecord, inventory: Inventory, *, replaces: bool) -> None:
    """Add the facts of an inventory row just stored (new, or changed: its earlier facts are replaced)."""
    built = header(row, inventory, run.ctx.cipher, _tenant(party(run, row.ecommerce_code)))
    run.facts.stored(built, import_lines(inventory), replaces=replaces)


def record_moved(run: ImportRun, row: InventoryRecord) -> None:
    """Bring the facts of an inventory up to date after its status or state changed."""
    run.facts.moved(Direction.IMPORT, row.eport_no, moved_values(row))


def stage_partners(run: ImportRun, row: InventoryRecord, order: ImportOrder, payment: Payment) -> None:
    """Keep what the matched partners add, written with the inventory's next status change."""
    run.facts.stage(Direction.IMPORT, row.eport_no, partner_values(run.ctx.cipher, order, payment))


def record_returned(run: ImportRun, row: InventoryRecord, returned_lines: dict[str, str]) -> None:
    """Mark the lines whose goods came back as returned."""
    line_nos = sorted(int(no) for no, quantity in returned_lines.items() if Decimal(quantity) > 0)
    run.facts.returned(Direction.IMPORT, row.eport_no, line_nos)


# --- backfill ---------------------------------------------------------------------------------------------------


def count_inventories(session: Session) -> int:
    """Return how many import inventories are stored."""
    return int(session.scalar(select(func.count()).select_from(InventoryRecord)) or 0)


def rebuilt_rows(
    session: Session,
    cipher: PersonalDataCipher,
    row: InventoryRecord,
    open_document: Callable[[str, str], Any],
    party: Callable[[str], EnterpriseRef | None],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """Return the fact rows live intake would hold now for a stored import inventory (its payloads decrypted)."""
    inventory: Inventory = open_document("inventory", row.payload)
    partners = None
    if row.inventory_no is not None:  # matched: its order and payment were read when it was accepted
        order_row = session.scalar(
            select(OrderRecord).where(
                OrderRecord.platform_code == row.platform_code, OrderRecord.order_no == row.order_no
            )
        )
        payment_row = session.scalar(
            select(PaymentRecord)
            .where(
                PaymentRecord.platform_code == row.platform_code,
                PaymentRecord.order_no == row.order_no,
                PaymentRecord.state == DocumentState.ACCEPTED,
            )
            .order_by(PaymentRecord.id.desc())
        )
        if order_row is not None and payment_row is not None:
            partners = partner_values(
                cipher, open_document("order", order_row.payload), open_document("payment", payment_row.payload)
            )
    built = header(row, inventory, cipher, _tenant(party(row.ecommerce_code)), partners)
    rows = fact_rows(built, import_lines(inventory), customs_rates(session), now=now)
    returned = {
        int(no)
        for ret in session.scalars(
            select(ReturnRecord).where(
                ReturnRecord.inventory_id == row.id, ReturnRecord.state == DocumentState.COMPLETED
            )
        )
        for no, quantity in ret.returned_lines.items()
        if Decimal(quantity) > 0
    }
    if built.status not in (FactStatus.CANCELLED,):
        for fact in rows:
            if fact["line_no"] in returned:
                fact["status"] = FactStatus.RETURNED.value
    return rows


def backfill_import_facts(
    ctx: Context, *, progress: Callable[[int, int], None] | None = None, chunk: int = 200
) -> BackfillReport:
    """Build the facts of every stored import inventory from its stored documents (decrypted), idempotently.

    One transaction per chunk of inventories; facts equal to what intake would hold now are left alone, so a
    second run changes nothing. ``progress`` is told (done, total) after each chunk.
    """
    kinds = {"inventory": MessageType.INVENTORY, "order": MessageType.ORDER, "payment": MessageType.PAYMENT}

    def open_document(kind: str, payload: str) -> Any:
        return document_from_stored_json(kinds[kind], json.loads(ctx.cipher.decrypt(payload)))

    report = BackfillReport(Direction.IMPORT.value)
    with ctx.uow() as uow:
        total = count_inventories(uow.session)
    last = 0
    while True:
        with ctx.uow() as uow:
            session = uow.session
            rows = list(
                session.scalars(
                    select(InventoryRecord).where(InventoryRecord.id > last).order_by(InventoryRecord.id).limit(chunk)
                )
            )
            if not rows:
                break
            party = functools.partial(find_active_by_code, session)  # cached by its revision token
            now = ctx.clock.now()
            for row in rows:
                built = rebuilt_rows(session, ctx.cipher, row, open_document, party, now=now)
                outcome = sync_facts(session, Direction.IMPORT, row.eport_no, built)
                setattr(report, outcome, getattr(report, outcome) + 1)
            uow.commit()
        report.inventories += len(rows)
        last = rows[-1].id
        if progress is not None:
            progress(report.inventories, total)
    return report
