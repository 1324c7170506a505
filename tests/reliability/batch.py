"""A batch of signed import messages for the reliability tests, and the check that nothing was lost or doubled."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from cbec.clearance.codes import QUOTA_HOLDING
from cbec.clearance.models import (
    ArrivalParcel,
    InventoryRecord,
    OrderRecord,
    PaymentRecord,
    TaxBillRecord,
    WaybillRecord,
)
from cbec.demo.builders import DocumentSet, Party, build_arrival, build_message, build_set
from cbec.demo.people import make_buyers
from cbec.intake import ingest_message
from cbec.intake.models import IssuedReceipt, MessageRecord
from cbec.messages import ImportDocument, render_message, render_receipts
from cbec.messages.signature import sign_document
from cbec.quota.models import QuotaAccount, QuotaEntry
from cbec.storage.context import Context
from tests.builders import AT, MILK, PARTIES, SERUM
from tests.conftest import TEST_KEY
from tests.zone import Zone

CHUNK = 4  # sets per round of order, payment, waybill and inventory messages
MILK_FILED = replace(MILK, item_record_no="T4601W000001-0001")  # bonded (1210) lines name their account-book item


@dataclass(frozen=True)
class Batch:
    """Signed messages (in sending order) and the sets they carry."""

    sets: list[DocumentSet]
    messages: list[bytes]

    def write(self, folder: Path) -> Path:
        """Write the messages as numbered files, in sending order, and return the folder."""
        folder.mkdir(parents=True, exist_ok=True)
        for number, raw in enumerate(self.messages, start=1):
            (folder / f"{number:03d}.xml").write_bytes(raw)
        return folder


def make_batch(zone: Zone, *, sets: int = 16, prefix: str = "REL") -> Batch:
    """Return rounds of 4 sets (bonded and direct purchase, six buyers) as 311, 411, 511, 621 and 711 messages."""
    buyers = make_buyers(6, seed=7, today=date(2026, 3, 2))
    built: list[DocumentSet] = []
    messages: list[bytes] = []

    def send(documents: list[ImportDocument], sender: Party) -> None:
        messages.append(sign_document(render_message(build_message(documents, sender)), zone.signer))

    for start in range(0, sets, CHUNK):
        chunk: list[DocumentSet] = []
        for number in range(start, min(start + CHUNK, sets)):
            goods = [(MILK_FILED, Decimal(2))] if number % 3 else [(SERUM, Decimal(1)), (MILK_FILED, Decimal(1))]
            chunk.append(
                build_set(
                    PARTIES,
                    buyers[number % len(buyers)],
                    goods,
                    order_no=f"{prefix}{number:06d}",
                    logistics_no=f"L{prefix}{number:06d}",
                    at=AT,
                    trade_mode="9610" if number % 2 else "1210",
                    bill_no=f"MAWB{prefix}{start:04d}",
                )
            )
        send([s.order for s in chunk], PARTIES.ecommerce)
        send([s.payment for s in chunk], PARTIES.payment)
        send([s.waybill for s in chunk], PARTIES.logistics)
        send([s.inventory for s in chunk], PARTIES.agent)
        direct = [s.waybill.logistics_no for s in chunk if s.inventory.trade_mode == "9610"]
        if direct:
            send([build_arrival(PARTIES, direct, bill_no=f"MAWB{prefix}{start:04d}", at=AT)], PARTIES.site_operator)
        built.extend(chunk)
    return Batch(built, messages)


def cli_environment(ctx: Context, data_dir: Path) -> dict[str, str]:
    """Return the environment a `cbec` subprocess needs to work on the test database at the test's time."""
    return {
        **os.environ,
        "CBEC_DATABASE_URL": ctx.engine.url.render_as_string(hide_password=False),
        "CBEC_DATA_KEY": TEST_KEY,
        "CBEC_DATA_DIR": str(data_dir),
        "CBEC_NOW": ctx.clock.now().isoformat(),
        "CBEC_LOG_LEVEL": "WARNING",
    }


def _count(ctx: Context, model: type, *conditions: object) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)  # type: ignore[arg-type]


def assert_nothing_lost_or_doubled(ctx: Context, batch: Batch) -> None:
    """Every document stored exactly once, every receipt producible, the quota ledger equal to what counts."""
    for s in batch.sets:
        order, payment, waybill = s.order, s.payment, s.waybill
        assert _count(ctx, OrderRecord, OrderRecord.order_no == order.order_no) == 1, order.order_no
        assert (
            _count(ctx, PaymentRecord, PaymentRecord.payment_transaction_id == payment.payment_transaction_id) == 1
        ), payment.payment_transaction_id
        assert _count(ctx, WaybillRecord, WaybillRecord.logistics_no == waybill.logistics_no) == 1
        assert _count(ctx, InventoryRecord, InventoryRecord.order_no == order.order_no) == 1, order.order_no
        if s.inventory.trade_mode == "9610":
            assert _count(ctx, ArrivalParcel, ArrivalParcel.logistics_no == waybill.logistics_no) == 1
    assert _count(ctx, MessageRecord) == len(batch.messages)
    assert _count(ctx, MessageRecord, MessageRecord.outcome == "processed") == len(batch.messages)
    # Every inventory cleared once: released, one tax bill each, one quota consumption each.
    assert _count(ctx, InventoryRecord, InventoryRecord.status == "800") == len(batch.sets)
    assert _count(ctx, TaxBillRecord) == len(batch.sets)
    assert _count(ctx, QuotaEntry, QuotaEntry.kind == "consume") == len(batch.sets)
    with ctx.uow() as uow:
        session = uow.session
        ledger = int(session.scalar(select(func.coalesce(func.sum(QuotaAccount.used_fen), 0))) or 0)
        counted = sum(
            int(row.dutiable_value * 100)
            for row in session.scalars(select(InventoryRecord))
            if row.status in QUOTA_HOLDING and row.dutiable_value is not None
        )
        stored_receipts = int(session.scalar(select(func.count()).select_from(IssuedReceipt)) or 0)
    assert ledger == counted > 0
    # Resending any message answers with the receipts it produced, and they render as CEB XML.
    replayed = 0
    for raw in batch.messages:
        result = ingest_message(ctx, raw)
        assert result.outcome == "duplicate"
        assert result.receipts
        by_type: dict[str, list[object]] = {}
        for receipt in result.receipts:
            by_type.setdefault(receipt.message_type.value, []).append(receipt)
        for receipts in by_type.values():
            assert render_receipts(receipts).startswith(b"<?xml")  # type: ignore[arg-type]
        replayed += len(result.receipts)
    assert replayed == stored_receipts
