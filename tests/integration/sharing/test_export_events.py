"""Export receipts reach the outbox like import receipts (they used to be stored with no event at all): the feed,
webhooks and NATS JetStream see every one."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.integration.exports.export_zone import AT, TEE, XP, send, statuses
from tests.integration.sharing.test_jetstream import NATS_URL, delete_stream, nats_reachable, stream_messages
from tests.integration.sharing.test_outbox_and_feeds import clear_events, events, subscribe
from tests.integration.sharing.test_webhooks import Receiver, drain, free_port, webhook
from tests.zone import Zone

from cbec.demo.exports import build_export_arrival, build_export_set
from cbec.exports.service.reference import seed_export_reference
from cbec.intake.models import IssuedReceipt
from cbec.sharing.jetstream import publish_to_nats, stream_name
from cbec.sharing.service import read_feed


def test_every_export_receipt_has_its_event_in_order_after_its_document(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    clear_events(zone.ctx)
    s = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX20260302000001", logistics_no="LE2026030200001", at=AT)
    send(zone, [s.order], XP.platform)
    send(zone, [s.waybill], XP.logistics)
    inventory = send(zone, [s.inventory], XP.agent)
    assert statuses(inventory) == [("CEB604Message", "2"), ("CEB604Message", "120")]
    arrival = send(zone, [build_export_arrival(XP, [s.waybill.logistics_no], at=AT, ref="ARR-1")], XP.site_operator)
    assert statuses(arrival) == [("CEB508Message", "399"), ("CEB604Message", "399"), ("CEB604Message", "800")]
    found = events(zone.ctx)
    with zone.ctx.uow() as uow:
        receipts = uow.session.scalar(select(func.count()).select_from(IssuedReceipt))
    assert len([e for e in found if e.kind == "receipt"]) == receipts == 7
    eport_no = inventory.receipts[0].eport_no
    assert [(e.kind, e.document_type, e.status) for e in found if e.business_key == f"export-inventory:{eport_no}"] == [
        ("data", "CEB603Message", None),
        ("receipt", "CEB604Message", "2"),
        ("receipt", "CEB604Message", "120"),
        ("receipt", "CEB604Message", "399"),
        ("receipt", "CEB604Message", "800"),
    ]
    order_key = f"export-order:{XP.platform.code}/EX20260302000001"
    assert [(e.kind, e.document_type) for e in found if e.business_key == order_key] == [
        ("data", "CEB303Message"),
        ("receipt", "CEB304Message"),
    ]


def test_an_agency_feed_reads_export_receipts(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    subscribe(zone.ctx, "customs-exports", scope="RET", document_types=["CEB604Message"])
    s = build_export_set(XP, [(TEE, Decimal(1))], order_no="EX20260302000002", logistics_no="LE2026030200002", at=AT)
    send(zone, [s.order], XP.platform)
    send(zone, [s.waybill], XP.logistics)
    send(zone, [s.inventory], XP.agent)
    page = read_feed(zone.ctx, "customs-exports")
    assert [(e.document_type, e.status) for e in page.events] == [("CEB604Message", "2"), ("CEB604Message", "120")]


def _export_inventory(zone: Zone, order_no: str, logistics_no: str) -> str:
    seed_export_reference(zone.ctx)
    s = build_export_set(XP, [(TEE, Decimal(1))], order_no=order_no, logistics_no=logistics_no, at=AT)
    send(zone, [s.order], XP.platform)
    send(zone, [s.waybill], XP.logistics)
    return str(send(zone, [s.inventory], XP.agent).receipts[0].eport_no)


def test_a_webhook_receives_every_export_receipt(zone: Zone) -> None:
    port = free_port()
    secret = webhook(zone, port, document_types=["CEB604Message"])
    eport_no = _export_inventory(zone, "EX20260302000003", "LE2026030200003")
    with Receiver(port, secret).up() as receiver:
        drain(zone)
    assert receiver.bad_signatures == 0
    assert [(e["document_type"], e["status"], e["business_key"]) for e in receiver.received] == [
        ("CEB604Message", "2", f"export-inventory:{eport_no}"),
        ("CEB604Message", "120", f"export-inventory:{eport_no}"),
    ]


@pytest.mark.skipif(not nats_reachable(), reason="no NATS server on 127.0.0.1:4222")
def test_export_receipts_are_published_to_jetstream(zone: Zone) -> None:
    token = uuid.uuid4().hex[:8]
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={"nats_url": NATS_URL, "nats_stream_prefix": f"CBECX{token}", "nats_subject_prefix": f"cbecx{token}"}
    )
    eport_no = _export_inventory(zone, "EX20260302000004", "LE2026030200004")
    stream = stream_name(f"CBECX{token}", "4601")
    try:
        published = publish_to_nats(zone.ctx)
        messages = asyncio.run(stream_messages(stream))
    finally:
        asyncio.run(delete_stream(stream))
    assert published == len(messages)
    receipts = [
        (subject, event["status"])
        for subject, event, _ in messages
        if event["kind"] == "receipt" and event["business_key"] == f"export-inventory:{eport_no}"
    ]
    assert receipts == [(f"cbecx{token}.4601.CEB604Message", "2"), (f"cbecx{token}.4601.CEB604Message", "120")]
