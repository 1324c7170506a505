"""Rows loaded by COPY (PostgreSQL) are stored exactly as an INSERT of the same values stores them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from tests.conftest import is_postgres_run

from cbec.sharing.models import OutboxEvent
from cbec.storage.bulk import copy_rows
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
