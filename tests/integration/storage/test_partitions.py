"""Monthly partitions of the history tables on PostgreSQL: converted with every row, intake writes on, old months
detached for archiving (cbec.storage.partitions). Runs on a database of its own, since it changes the schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from tests.builders import PARTIES, SERUM, a_set
from tests.conftest import TEST_AUDIT_KEY, TEST_KEY, _fresh_postgres, _pg, is_postgres_run
from tests.integration.sharing.test_outbox_and_feeds import subscribe
from tests.zone import Zone, make_zone

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.errors import DomainError
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.intake.models import IssuedReceipt
from cbec.sharing.models import OutboxEvent
from cbec.sharing.service import read_feed
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from cbec.storage.partitions import is_partitioned, maintain, monthly_partitions

TODAY = date(2026, 3, 2)


@pytest.fixture
def own_zone(tmp_path: Path) -> Iterator[Zone]:
    from cbec.audit.keys import bind_audit_key
    from cbec.storage.migrate import upgrade

    base = os.environ["CBEC_TEST_DATABASE_URL"]
    url, name = _fresh_postgres(base)
    upgrade(url)
    engine = make_engine(url)
    bind_audit_key(engine, TEST_AUDIT_KEY)
    settings = Settings(data_dir=tmp_path, database_url=url, data_key=TEST_KEY)
    clock = FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    ctx = Context(settings, engine, make_session_factory(engine), clock, PersonalDataCipher(b"k" * 32))
    try:
        yield make_zone(ctx)
    finally:
        engine.dispose()
        admin = create_engine(_pg(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _send(zone: Zone, n: int) -> None:
    s = a_set(f"PART{n:04d}", items=[(SERUM, Decimal(1))], trade_mode="1210")
    for documents, party in (
        ([s.order], PARTIES.ecommerce),
        ([s.payment], PARTIES.payment),
        ([s.waybill], PARTIES.logistics),
        ([s.inventory], PARTIES.agent),
    ):
        zone.send(documents, party)


def _count(zone: Zone, model: type) -> int:
    with zone.ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.skipif(not is_postgres_run(), reason="partitioning is a PostgreSQL feature")
def test_history_tables_are_partitioned_by_month_and_old_months_detached(own_zone: Zone) -> None:
    zone = own_zone
    _send(zone, 1)
    with zone.ctx.engine.begin() as conn:  # a receipt of January, to be retired
        conn.execute(
            text(
                "INSERT INTO issued_receipt (message_type, document_kind, guid, status, info, returned_at, keys) "
                "VALUES ('CEB312Message', 'order', 'g-january', '120', 'old', '2026-01-15 02:00:00+00', '{}')"
            )
        )
    receipts, events = _count(zone, IssuedReceipt), _count(zone, OutboxEvent)

    report = maintain(zone.ctx.engine, TODAY, convert=True, ahead=2)
    assert report.converted == {"issued_receipt": receipts, "sharing_event": events}
    assert report.partitions["issued_receipt"] == [
        "issued_receipt_p202601",
        "issued_receipt_p202602",
        "issued_receipt_p202603",
        "issued_receipt_p202604",
        "issued_receipt_p202605",
    ]
    assert report.partitions["sharing_event"][0] == "sharing_event_p202603"
    with zone.ctx.engine.connect() as conn:
        assert is_partitioned(conn, "issued_receipt") and is_partitioned(conn, "sharing_event")

    _send(zone, 2)  # intake writes on: ids from the same sequence, rows in March's partition, feeds read on
    assert _count(zone, IssuedReceipt) > receipts
    with zone.ctx.engine.connect() as conn:
        march = conn.execute(text("SELECT count(*) FROM issued_receipt_p202603")).scalar()
        ids = conn.execute(text("SELECT count(*), count(DISTINCT id) FROM issued_receipt")).one()
    assert march == _count(zone, IssuedReceipt) - 1
    assert ids[0] == ids[1]
    assert len(read_feed_positions(zone)) == _count(zone, OutboxEvent)

    assert maintain(zone.ctx.engine, TODAY, ahead=2).created == []  # daily run: nothing to do
    later = maintain(zone.ctx.engine, date(2026, 5, 20), ahead=2, detach_before=date(2026, 2, 1))
    assert later.created == [
        "issued_receipt_p202606",
        "issued_receipt_p202607",
        "sharing_event_p202606",
        "sharing_event_p202607",
    ]
    assert later.detached == ["issued_receipt_p202601"]
    with zone.ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM issued_receipt WHERE guid = 'g-january'")).scalar() == 0
        kept = conn.execute(text("SELECT count(*) FROM issued_receipt_p202601")).scalar()  # ready for pg_dump
        assert "issued_receipt_p202601" not in monthly_partitions(conn, "issued_receipt")
    assert kept == 1

    with pytest.raises(DomainError) as refused:
        maintain(zone.ctx.engine, TODAY, detach_before=date(2026, 4, 1))
    assert refused.value.problems[0].rule_id == "DB-PARTITION-DETACH"


def read_feed_positions(zone: Zone) -> list[int]:
    subscribe(zone.ctx, "all")
    return [e.position for e in read_feed(zone.ctx, "all", after=0, limit=1000).events]


def test_sqlite_keeps_plain_tables(ctx: Context) -> None:
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite refusal")
    with pytest.raises(DomainError) as refused:
        maintain(ctx.engine, TODAY, convert=True)
    assert refused.value.problems[0].rule_id == "DB-PARTITION-SQLITE"
