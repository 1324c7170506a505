"""Rows loaded by COPY (PostgreSQL) are stored exactly as an INSERT of the same values stores them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.exc import IntegrityError
from tests.conftest import is_postgres_run

from cbec.audit.models import AuditRecord
from cbec.quota.models import QuotaEntry
from cbec.sharing.models import OutboxEvent
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
