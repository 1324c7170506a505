"""Export documents batched in one message store what they store when sent one document per message.

The export handlers read a message's rows in a few set-based queries up front (``cbec.exports.service.store``)
and write its new rows at its end; the documents must still see each other exactly as they would one by one.
The benchmark's export traffic (every kind of fault, inventories ahead of their orders, receipts of payment on
half the orders) is sent twice on an emptied store: as the benchmark groups it (up to 20 documents a message),
then one document per message, in the same order. Every stored export row, receipt, trade fact, audit record
and data event is the same, ids and message references aside.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench.export_workload import ExportSpec, generate_exports
from bench.runner import file_zone
from sqlalchemy import Engine, text
from tests.audit_guard import triggers_lifted
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP
from tests.zone import make_zone

from cbec.bootstrap import all_metadata
from cbec.demo.exports import (
    ExportParty,
    build_departure,
    build_export_arrival,
    build_export_message,
    build_export_set,
    build_master_bill,
    guid_for,
)
from cbec.intake import ingest_message
from cbec.messages import Message, open_envelope, parse_message, render_message
from cbec.messages.documents import AppType
from cbec.messages.export_documents import ExportDocument
from cbec.storage.context import Context

SPEC = ExportSpec(sets=20, seed=7, fault_rate=0.2, early_share=0.1)
# What a stored row is compared by: every column but its id and the ids of the message and rows it points to
# (an inventory line is named by its inventory's E-port number instead).
SNAPSHOTS = {
    "export_order": "SELECT * FROM export_order",
    "export_payment_receipt": "SELECT * FROM export_payment_receipt",
    "export_waybill": "SELECT * FROM export_waybill",
    "export_inventory": "SELECT * FROM export_inventory",
    "export_inventory_line": "SELECT l.*, i.eport_no AS of_inventory FROM export_inventory_line l "
    "JOIN export_inventory i ON i.id = l.inventory_id",
    "export_arrival": "SELECT * FROM export_arrival",
    "export_master_bill": "SELECT * FROM export_master_bill",
    "export_departure": "SELECT * FROM export_departure",
    "export_parcel": "SELECT * FROM export_parcel",
    "issued_receipt": "SELECT * FROM issued_receipt",
    "trade_fact": "SELECT * FROM trade_fact",
    "audit_record": "SELECT * FROM audit_record WHERE action LIKE 'exports.%'",  # not the zone's filing
    "sharing_event": "SELECT * FROM sharing_event WHERE kind IN ('data', 'receipt')",
}
IDS = {"id", "message_id", "document_id", "inventory_id", "position", "seq", "prev_hash", "hash"}


def message_in(raw: bytes) -> Message:
    """Return the business message in a wire message (opened from its DxpMsg envelope when it has one)."""
    payload = open_envelope(raw).payload if b"DxpMsg" in raw[:300] else raw
    message = parse_message(payload).message
    assert message is not None
    return message


def split(message: Message) -> list[Message]:
    """Return a message cut into messages of one document each, in the same order."""
    return [
        dataclasses.replace(message, documents=(document,), guid=guid_for("single", document.declaration.guid))
        for document in message.documents
    ]


def send(ctx: Context, messages: list[Message]) -> list[str]:
    """Ingest the messages (unsigned: signatures are optional for exports) and return their outcomes."""
    return [ingest_message(ctx, render_message(message)).outcome for message in messages]


def snapshot(engine: Engine) -> dict[str, Counter[tuple[Any, ...]]]:
    """Return every stored row of the compared tables, by table, without ids."""
    found: dict[str, Counter[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table, query in SNAPSHOTS.items():
            rows = conn.execute(text(query)).mappings().all()
            found[table] = Counter(tuple(sorted((k, str(v)) for k, v in row.items() if k not in IDS)) for row in rows)
    return found


def empty(engine: Engine) -> None:
    """Empty every table, as the test cleaner does between tests."""
    with triggers_lifted(engine) as conn:
        for table in reversed(all_metadata().sorted_tables):
            conn.execute(table.delete())


def test_documents_batched_in_one_message_store_what_they_store_one_by_one(ctx: Context) -> None:
    workload = generate_exports(SPEC)
    batched = [message_in(m.raw) for m in workload.messages]

    file_zone(ctx, workload.certificates, exports=True)
    assert send(ctx, batched) == ["processed"] * 8
    together = snapshot(ctx.engine)

    empty(ctx.engine)
    file_zone(ctx, workload.certificates, exports=True)
    single = [one for message in batched for one in split(message)]
    assert send(ctx, single) == ["processed"] * 72
    one_by_one = snapshot(ctx.engine)

    # The traffic did what the benchmark's test says it does (19 inventories stored, 138 receipts); every
    # inventory status change has its audit record (19 declared, 17 accepted, 16 concluded, released and closed,
    # 1 refused at matching) and every stored line its trade fact.
    assert {table: sum(rows.values()) for table, rows in together.items()} == {
        "export_order": 20,
        "export_payment_receipt": 10,
        "export_waybill": 19,
        "export_inventory": 19,
        "export_inventory_line": 31,
        "export_arrival": 1,
        "export_master_bill": 1,
        "export_departure": 1,
        "export_parcel": 51,
        "issued_receipt": 138,
        "trade_fact": 31,
        "audit_record": 19 + 17 + 16 * 3 + 1,
        "sharing_event": 138 + 71,  # a receipt event per receipt, a data event per declaration answered
    }
    kinds = Counter(dict(row)["kind"] for row in together["export_parcel"].elements())
    # Every parcel arrives but the one that never reaches the site; the 16 released ones are billed and leave.
    assert kinds == Counter({"arrival": 19, "bill": 16, "departure": 16})
    for table in SNAPSHOTS:
        assert together[table] == one_by_one[table], table


def crossing_messages() -> list[tuple[list[ExportDocument], ExportParty]]:
    """Return messages whose documents meet each other inside the message (in the order they are sent).

    An order changed after it was stored, an inventory sent twice and one changed while it waits, two arrivals
    naming the same parcel (the second is refused: it arrived already), two master bills naming the same parcel
    (the second is refused: it travels on the first), then the departure of the parcels released.
    """
    a, b, c = (
        build_export_set(XP, items, order_no=f"XB-{name}", logistics_no=f"XBL{name}", at=AT)
        for name, items in (("A", [(TEE, Decimal(2))]), ("B", [(LAMP, Decimal(1))]), ("C", [(TEE, Decimal(1))]))
    )

    def changed(document: Any, key: str) -> Any:
        declaration = dataclasses.replace(document.declaration, app_type=AppType.CHANGE, guid=guid_for("changed", key))
        return dataclasses.replace(document, declaration=declaration)

    later = AT + timedelta(hours=2)
    return [
        ([a.order, b.order, changed(a.order, "order-A")], XP.platform),
        ([a.waybill, b.waybill, c.waybill], XP.logistics),
        ([a.inventory, a.inventory, b.inventory, c.inventory, changed(c.inventory, "inventory-C")], XP.agent),
        (
            [
                build_export_arrival(XP, ["XBLA", "XBLB"], at=AT, ref="ARR-1"),
                build_export_arrival(XP, ["XBLB", "XBLC"], at=AT, ref="ARR-2"),
            ],
            XP.site_operator,
        ),
        ([c.order], XP.platform),
        (
            [
                build_master_bill(XP, [("XBLA", None), ("XBLB", None)], bill_no="999-1", voyage_no="CA1", at=later),
                build_master_bill(XP, [("XBLA", None)], bill_no="999-2", voyage_no="CA2", at=later),
            ],
            XP.agent,
        ),
        ([build_departure(XP, ["XBLA", "XBLB"], bill_no="999-1", voyage_no="CA1", left_at=later)], XP.logistics),
    ]


def deliver(ctx: Context, documents: list[ExportDocument], sender: ExportParty, name: str) -> list[tuple[str, str]]:
    """Send documents as one message of its own name (the same document twice is two messages, not a replay)."""
    message = dataclasses.replace(build_export_message(documents, sender), guid=guid_for("message", name))
    result = ingest_message(ctx, render_message(message))
    return [(r.message_type.value, r.status) for r in result.receipts]


def test_documents_that_meet_inside_one_message_store_what_they_store_one_by_one(ctx: Context) -> None:
    make_zone(ctx)
    messages = crossing_messages()
    batched = [deliver(ctx, documents, sender, f"{i}") for i, (documents, sender) in enumerate(messages)]
    together = snapshot(ctx.engine)

    empty(ctx.engine)
    make_zone(ctx)
    one_by_one = [
        [receipt for j, d in enumerate(documents) for receipt in deliver(ctx, [d], sender, f"{i}.{j}")]
        for i, (documents, sender) in enumerate(messages)
    ]

    assert (
        batched
        == one_by_one
        == [
            [("CEB304Message", "120")] * 3,
            [("CEB506Message", "120")] * 3,
            # A declared and matched (2, 120); its resending ignored; B matched; C declared, then changed (2 again).
            [("CEB604Message", s) for s in ("2", "120", "2", "120", "2", "2")],
            # The first arrival releases A and B (399, 800); the second is refused (B arrived already).
            [
                ("CEB508Message", "399"),
                *[("CEB604Message", s) for s in ("399", "800") * 2],
                ("CEB508Message", "-800003"),
            ],
            # C's order completes C (120); C never arrived.
            [("CEB304Message", "120"), ("CEB604Message", "120")],
            # The second master bill is refused (A travels on the first).
            [("CEB608Message", "399"), ("CEB608Message", "100")],
            [("CEB510Message", "399"), ("CEB604Message", "899"), ("CEB604Message", "899")],
        ]
    )
    assert snapshot(ctx.engine) == together
