"""Rows loaded by COPY (PostgreSQL) are stored exactly as an INSERT of the same values stores them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, event, insert, select, text
from sqlalchemy.exc import IntegrityError
from tests.conftest import is_postgres_run

from cbec.audit.models import AuditRecord
from cbec.quota.models import QuotaEntry
from cbec.sharing.models import OutboxEvent
from cbec.storage.base import Base
from cbec.storage.bulk import copy_new_rows, copy_rows
from cbec.storage.context import Context
from cbec.storage.ids import take_id

pytestmark = pytest.mark.skipif(not is_postgres_run(), reason="COPY is PostgreSQL's (CBEC_TEST_DATABASE_URL)")

BEIJING = timezone(timedelta(hours=8))


def rows(first_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": first_id + n,
            "position": None if n else 7,
            "occurred_at": datetime(2026, 3, 2, 10, n, tzinfo=BEIJING),
            "kind": "receipt",
            "document_type": "CEB622Message",
            "business_key": f"inventory/4601960001/ORD{n}\t\\N",  # a tab and a backslash-N survive COPY's text format
            "zone": "4604",
            "status": None if n == 1 else "800",
            "parties": ["4601960001", "4601960005"],
            "payload": {"info": "放行 / released", "amount": str(Decimal("12.30")), "nested": {"n": n, "x": None}},
        }
        for n in range(3)
    ]


def test_copied_rows_read_back_like_inserted_ones_and_the_copy_is_reported_as_a_statement(ctx: Context) -> None:
    table = OutboxEvent.__table__
    seen: list[str] = []

    def note(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    with ctx.uow() as uow:
        first = take_id(uow.session, OutboxEvent, batch=6)
        assert first is not None
        copied, inserted = rows(first), rows(first + 3)
        for row in inserted:
            row["business_key"] += "/i"
            row["position"] = None if row["position"] is None else 8
        event.listen(ctx.engine, "before_cursor_execute", note)
        try:
            copy_rows(uow.session, table, copied)  # type: ignore[arg-type]
        finally:
            event.remove(ctx.engine, "before_cursor_execute", note)
        uow.session.execute(insert(table), inserted)
        uow.commit()
    assert seen == [
        "COPY sharing_event (id, position, occurred_at, kind, document_type, business_key, zone, status, parties, "
        "payload) FROM STDIN"
    ]
    with ctx.uow() as uow:
        stored = {r.id: r for r in uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))}
        for via_copy, via_insert in zip(copied, inserted, strict=True):
            a, b = stored[via_copy["id"]], stored[via_insert["id"]]
            assert a.occurred_at == b.occurred_at == via_copy["occurred_at"]
            assert a.occurred_at.utcoffset() == timedelta(0)
            assert (a.kind, a.status, a.parties, a.payload) == (b.kind, b.status, b.parties, b.payload)
            assert a.payload == via_copy["payload"] and a.business_key + "/i" == b.business_key
        assert stored[copied[0]["id"]].position == 7


def entry(ref: str, **changes: Any) -> QuotaEntry:
    values: dict[str, Any] = {
        "buyer_key": "k" * 64,
        "year": 2026,
        "kind": "consume",
        "amount_fen": 12_30,
        "used_before_fen": 0,
        "used_after_fen": 12_30,
        "limit_fen": 2_600_000,
        "inventory_ref": ref,
        "operation_ref": "consume",
        "declared_at": datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING),
        "buyer_name_key": "n" * 64,
        "created_at": datetime(2026, 3, 2, 10, 0, 1, tzinfo=BEIJING),
    }
    return QuotaEntry(**{**values, **changes})


def test_new_orm_rows_copied_read_back_like_flushed_ones_and_stay_in_the_session(ctx: Context) -> None:
    with ctx.uow() as uow:
        session = uow.session
        copied, flushed = entry("B1", platform_name=None), entry("B2", platform_name=None)
        session.add(copied)
        assert copy_new_rows(session, (QuotaEntry,)) == 1
        assert copied.id is not None and copied not in session.new and copied in session
        assert (copied.order_no, copied.platform_name) == ("", "")  # the column defaults, as an INSERT writes them
        session.add(flushed)
        session.flush()  # the flushed one by the ORM; the copied one is not written twice
        copied.order_no = "ORD-1"  # a later change of a copied row is an UPDATE
        session.flush()
        uow.commit()
    columns = [c for c in QuotaEntry.__table__.c if c.key not in ("id", "inventory_ref")]
    with ctx.uow() as uow:
        found = {r.inventory_ref: r for r in uow.session.execute(select(QuotaEntry.__table__))}
    assert sorted(found) == ["B1", "B2"]
    assert found["B1"].order_no == "ORD-1"
    for column in columns:
        if column.key != "order_no":
            assert getattr(found["B1"], column.key) == getattr(found["B2"], column.key), column.key


def test_a_copy_that_breaks_a_constraint_raises_the_integrity_error_an_insert_raises(ctx: Context) -> None:
    with ctx.uow() as uow:
        uow.session.add(entry("B1"))
        uow.session.flush()
        uow.session.add(entry("B1"))
        with pytest.raises(IntegrityError, match="uq_quota_entry_inventory_ref_kind_operation_ref"):
            copy_new_rows(uow.session, (QuotaEntry,))


def test_a_json_none_is_copied_as_an_insert_stores_it_and_other_nones_as_sql_null(ctx: Context) -> None:
    table = AuditRecord.__table__
    row = {
        "at": datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING),
        "actor": "t",
        "action": "x",
        "entity_type": "e",
        "entity_key": "k",
        "before": None,
        "after": {"a": 1},
        "reason": None,
        "chain_version": 3,  # sealed per transaction, as every audit record since migration seal01
    }
    with ctx.uow() as uow:
        copy_rows(uow.session, table, [{**row, "entity_key": "copied"}])  # type: ignore[arg-type]
        uow.session.execute(insert(table), [{**row, "entity_key": "inserted"}])
        found = uow.session.execute(
            text("SELECT entity_key, before IS NULL, before::text, reason IS NULL FROM audit_record ORDER BY 1")
        ).all()
    assert [tuple(r) for r in found] == [("copied", False, "null", True), ("inserted", False, "null", True)]


TRICKY = "税\t单\\N\n\r\\x 'q' \"d\""  # COPY's text-format specials, quotes and CJK
AT = datetime(2026, 3, 2, 20, 0, 0, 123456, tzinfo=BEIJING)
JOURNAL_ROWS: dict[str, tuple[str, dict[str, Any]]] = {
    "sharing_event": (
        "business_key",
        {
            "position": 41,
            "occurred_at": AT,
            "kind": "receipt",
            "document_type": "CEB622Message",
            "zone": "4604",
            "status": None,
            "parties": ["4601960001", "4601960005"],
            "payload": {
                "info": TRICKY,
                "amount": "12.30",
                "rate": 1.5,
                "big": 10**20,
                "tiny": 1e-7,
                "flag": True,
                "none": None,
                "empty": {},
                "lines": [{"n": 1, "x": None}, [], "张伟"],
            },
        },
    ),
    "issued_receipt": (
        "guid",
        {
            "message_type": "CEB622Message",
            "document_kind": "inventory",
            "document_id": None,
            "status": "800",
            "info": TRICKY,
            "returned_at": AT,
            "keys": {"eport_no": "B20260302000000001", "note": TRICKY},
            "message_id": 9_000_000_000,
        },
    ),
    "audit_record": (
        "entity_key",
        {
            "at": AT,
            "actor": "bench",
            "action": "inventory.released",
            "entity_type": "inventory",
            "before": None,
            "after": {"status": "800", "tax": "12.30", "lines": [1, 2.5, None]},
            "reason": TRICKY,
            "seq": 7,
            "prev_hash": "0" * 64,
            "hash": "f" * 64,
            "chain_version": 3,
        },
    ),
    "trade_fact": (
        "eport_no",
        {
            "direction": "I",
            "mode": "9610",
            "document_id": 12,
            "inventory_no": None,
            "order_no": "ORD1",
            "line_no": 1,
            "hs_code": "0402290000",
            "goods_name": TRICKY,
            "origin_country": "AUS",
            "destination_country": "CHN",
            "quantity": Decimal("2"),
            "unit": "122",
            "legal_quantity": Decimal("0.80000"),
            "legal_unit": "035",
            "currency": "142",
            "value": Decimal("12345678901234.12345"),
            "value_cny": Decimal("-0.00001"),
            "value_usd": None,
            "platform_code": "4601960001",
            "ecommerce_code": "4601960001",
            "logistics_code": "4601960003",
            "payment_code": None,
            "agent_code": "4601960005",
            "warehouse_code": None,
            "owner_code": None,
            "tenant": None,
            "customs_code": "4604",
            "declared_at": AT,
            "declared_on": date(2026, 3, 2),
            "released_at": None,
            "released_on": None,
            "status": "released",
            "buyer_key": "k" * 64,
            "payer_key": None,
            "phone_key": None,
            "address_key": None,
            "item_no": "SKU\t1",
            "logistics_no": "LP00012345678CN",
            "gross_weight": Decimal("0.12345"),
            "consignee_region": "440300",
            "updated_at": datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
        },
    ),
}


UNIQUE = {"sharing_event": "position", "audit_record": "seq"}  # a position is held by one row only


@pytest.mark.parametrize("name", sorted(JOURNAL_ROWS))
def test_a_row_copied_is_stored_as_the_same_row_inserted(ctx: Context, name: str) -> None:
    table = Base.metadata.tables[name]
    marker, row = JOURNAL_ROWS[name]
    columns = [c.key for c in table.columns if c.key not in ("id", marker)]
    assert sorted([*columns, marker]) == sorted(c.key for c in table.columns if c.key != "id")  # every column
    unique = UNIQUE.get(name)
    moved = {unique: row[unique] + 1} if unique else {}
    with ctx.uow() as uow:
        copy_rows(uow.session, table, [{**row, marker: "B-copied"}, {**row, marker: "B-copied-2", **NULLS[name]}])
        inserted = [{**row, marker: "B-inserted", **moved}, {**row, marker: "B-inserted-2", **NULLS[name]}]
        uow.session.execute(insert(table), inserted)
        texts = ", ".join(f"{c}::text" for c in columns)
        found = {
            r[0]: dict(zip(columns, r[1:], strict=True))
            for r in uow.session.execute(text(f"SELECT {marker}, {texts} FROM {name} WHERE {marker} LIKE 'B-%'"))
        }
    assert sorted(found) == ["B-copied", "B-copied-2", "B-inserted", "B-inserted-2"]
    if unique:
        assert (found["B-copied"][unique], found["B-inserted"][unique]) == (str(row[unique]), str(row[unique] + 1))
        found["B-inserted"][unique] = found["B-copied"][unique]
    assert found["B-copied"] == found["B-inserted"]
    assert found["B-copied-2"] == found["B-inserted-2"]
    stored = found["B-copied"]
    for column in columns:  # what the comparison stands on: the values as the database holds them
        if isinstance(row[column], datetime):
            assert stored[column].endswith("+00"), column  # timestamps in UTC (the session's zone is UTC)
        if isinstance(table.c[column].type, JSON):
            assert json.loads(stored[column]) == row[column], column
    for column in (c for c, value in NULLS[name].items() if value is None):  # JSON null for JSON, else SQL NULL
        assert found["B-copied-2"][column] == ("null" if isinstance(table.c[column].type, JSON) else None), column


NULLS: dict[str, dict[str, Any]] = {
    "sharing_event": {"payload": None, "parties": [], "status": None, "position": None},
    "issued_receipt": {"keys": None, "document_id": None, "message_id": None},
    "audit_record": {"before": None, "after": None, "reason": None, "seq": None, "hash": None},
    "trade_fact": {"value_cny": None, "released_at": None, "tenant": None, "gross_weight": None, "item_no": None},
}


def test_the_hot_tables_qualify_for_copy_and_a_server_default_alone_does_not() -> None:
    from cbec.clearance.models import InventoryRecord
    from cbec.storage.bulk import _copy_plan

    plan = _copy_plan(InventoryRecord)  # priority: default False beside its migration's server default
    assert plan is not None and ("priority", "priority", False) in plan
    assert _copy_plan(AuditRecord) is None  # chain_version has a server default only: left to the ORM's INSERT
