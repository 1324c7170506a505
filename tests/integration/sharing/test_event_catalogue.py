"""The event catalogue: every event the platform writes follows its published schema; consumers apply events
exactly once, keep their position with their writes, and replay from a position."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import BigInteger, Column, Integer, String, Table, insert, select
from sqlalchemy.orm import Session
from tests.api.auth import key_for
from tests.builders import BUYER, OTHER_BUYER, PARTIES
from tests.e2e.exports.test_export_month import depart
from tests.e2e.test_risk_conditions import declare
from tests.integration.exports.export_zone import AT, TEE, XP, release
from tests.integration.risk.cases.support import decide
from tests.integration.sharing.test_outbox_and_feeds import events
from tests.integration.sharing.test_outbox_and_feeds import release as release_import
from tests.zone import Zone

from cbec.api.app import create_app
from cbec.clearance.service import decide_held_inventory
from cbec.common.clock import SHANGHAI
from cbec.credit.schemas import FactIn, ObjectionIn
from cbec.credit.service import file_objection, record_fact, seed_configuration
from cbec.demo.exports import build_export_set
from cbec.enterprises.certificates import list_certificates, revoke_certificate
from cbec.exports.service import flag_overdue_summaries
from cbec.exports.service.reference import seed_export_reference
from cbec.quota import query_quota
from cbec.risk.cases import ActionCreate, act, gather, list_cases
from cbec.risk.conditions import ConditionCreate, place_condition
from cbec.sharing.catalogue import AnyEvent, event_schemas, events_markdown, parse_event
from cbec.sharing.consumers import consume, position_of, rewind
from cbec.sharing.rules import EventKind
from cbec.statistics.queries import list_reports  # noqa: F401  (before the service: statistics' import order)
from cbec.statistics.service import file_consumer_report, issue_report_token, review_consumer_report
from cbec.storage.base import Base
from cbec.storage.context import Context

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events.md"


def object_to_a_fact(ctx: Context) -> None:
    """An enterprise objects to a credit fact: a ``credit`` event."""
    seed_configuration(ctx)
    fact = FactIn(
        subject=PARTIES.ecommerce.code,
        fact_type="penalty",
        source="customs",
        severity="minor",
        decided_on="2026-03-01",
        document_no="海关罚字〔2026〕99号",
        legal_basis="海关行政处罚实施条例",
    )
    made = record_fact(ctx, fact, actor="customs")
    file_objection(ctx, ObjectionIn(fact_id=made.id, reason="金额有误"), actor="shop")


def dispose_of_a_case(ctx: Context) -> None:
    """An officer acts on a risk case: a ``risk`` event."""
    decide(ctx, "46012026I000000901", [("fake_order", 70, "hold", ["F1"])], day=AT.date(), at=ctx.clock.now())
    gather(ctx)
    [case], _ = list_cases(ctx)
    act(ctx, case.id, ActionCreate(kind="note", comment="复核中"), actor="customs")


def confirm_a_report(ctx: Context) -> None:
    """A consumer reports the released import inventory and the zone office confirms it: a ``report`` event."""
    statement = query_quota(ctx, id_number=BUYER.id_number, name=BUYER.name)
    token = issue_report_token(ctx, id_number=BUYER.id_number, statement=statement)
    filed = file_consumer_report(ctx, token=token, inventory_ref=statement.entries[0].inventory_ref)
    review_consumer_report(ctx, filed.reference_no, actor="admin", comment="非本人购买", outcome="confirmed")


def fail_an_inspection(zone: Zone) -> None:
    """An officer inspects a held inventory and refuses it: an ``inspection`` event."""
    key = zone.ctx.cipher.blind_index(OTHER_BUYER.id_number)
    block = ConditionCreate(subject_kind="buyer", subject_key=key, kind="block", reason="抽查")
    place_condition(zone.ctx, block, actor="officer")
    held = declare(zone, "ORD20260302000961", buyer=OTHER_BUYER)
    decide_held_inventory(zone.ctx, held.inventory_no, action="inspect", actor="officer", comment="查验")
    decide_held_inventory(zone.ctx, held.inventory_no, action="refuse", actor="officer", comment="货证不符")


def test_every_event_of_a_busy_day_follows_its_schema(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    release_import(zone)
    s = build_export_set(XP, [(TEE, Decimal(1))], order_no="EX20260302000009", logistics_no="LE2026030200009", at=AT)
    numbers = release(zone, [s], ref="ARR-9")
    confirm_a_report(zone.ctx)
    fail_an_inspection(zone)
    [certificate] = list_certificates(zone.ctx, PARTIES.agent.code)
    revoke_certificate(zone.ctx, PARTIES.agent.code, certificate.serial_hex, actor="zone-office", reason="私钥泄露")
    object_to_a_fact(zone.ctx)
    dispose_of_a_case(zone.ctx)
    depart(zone, [s], numbers, datetime(2026, 3, 5, 23, 0, tzinfo=SHANGHAI))
    assert flag_overdue_summaries(zone.ctx, today=date(2026, 4, 16)).recorded == [(XP.ecommerce.code, "2026-03")]
    found = events(zone.ctx)
    kinds = {parse_event(row).kind for row in found}  # raises on any event that breaks its schema
    assert kinds == {k.value for k in EventKind}
    revoked = [parse_event(row) for row in found if row.kind == EventKind.CERTIFICATE and row.status == "revoked"]
    assert [(e.payload.customs_code, e.payload.reason) for e in revoked] == [(PARTIES.agent.code, "私钥泄露")]  # type: ignore[union-attr]


def test_the_schema_is_published_and_docs_events_md_is_the_codes(zone: Zone) -> None:
    client = TestClient(create_app(zone.ctx))
    key = key_for(zone.ctx, "agency_officer", agency="customs")
    answer = client.get("/api/v1/events/schema", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body == event_schemas() | {"schema": body["schema"]}
    assert sorted(body["versions"]) == sorted(k.value for k in EventKind)
    assert sorted(body["schema"]["discriminator"]["mapping"]) == sorted(k.value for k in EventKind)
    page = DOCS.read_text("utf-8")
    start, end = page.index("<!-- catalogue:start -->\n"), page.index("<!-- catalogue:end -->")
    assert page[start + len("<!-- catalogue:start -->\n") : end].strip() == events_markdown()


@pytest.fixture
def ledger(ctx: Context) -> Iterator[Table]:
    """What a consumer writes: a table of its own (a new system's), dropped afterwards."""
    table = Table(
        "probe_consumed",
        Base.metadata,
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
        Column("position", BigInteger, unique=True),
        Column("kind", String(10)),
    )
    table.create(ctx.engine)
    try:
        yield table
    finally:
        table.drop(ctx.engine)
        Base.metadata.remove(table)


def positions(ctx: Context, table: Table) -> list[int]:
    with ctx.engine.connect() as conn:
        return list(conn.execute(select(table.c.position).order_by(table.c.position)).scalars())


def test_a_consumer_applies_each_event_once_and_keeps_its_position_with_its_writes(zone: Zone, ledger: Table) -> None:
    ctx = zone.ctx
    release_import(zone)
    all_positions = [int(row.position or 0) for row in events(ctx)]

    def record(session: Session, event: AnyEvent) -> None:
        session.execute(insert(ledger).values(position=event.position, kind=event.kind))

    first = consume(ctx, "probe", record, limit=3)
    assert (first.handled, first.position) == (3, all_positions[2])
    rest = consume(ctx, "probe", record)
    assert rest.handled == len(all_positions) - 3
    assert consume(ctx, "probe", record).handled == 0  # nothing twice
    assert positions(ctx, ledger) == all_positions

    def crash(session: Session, event: AnyEvent) -> None:
        record(session, event)
        if event.position == all_positions[-1]:
            raise RuntimeError("consumer crashed")

    rewind(ctx, "probe", all_positions[1])
    with ctx.engine.begin() as conn:
        conn.execute(ledger.delete().where(ledger.c.position > all_positions[1]))
    with pytest.raises(RuntimeError):
        consume(ctx, "probe", crash)
    assert position_of(ctx, "probe") == all_positions[1]  # the batch's writes and position were rolled back
    assert positions(ctx, ledger) == all_positions[:2]
    again = consume(ctx, "probe", record)
    assert again.handled == len(all_positions) - 2
    assert positions(ctx, ledger) == all_positions


def test_a_consumer_may_take_only_some_kinds_and_still_moves_past_the_others(zone: Zone, ledger: Table) -> None:
    ctx = zone.ctx
    release_import(zone)
    taken: list[str] = []
    batch = consume(ctx, "bills", lambda _s, e: taken.append(e.kind), kinds=[EventKind.TAX_BILL])
    assert taken == ["tax_bill"]
    assert batch.position == max(int(row.position or 0) for row in events(ctx))
    assert consume(ctx, "bills", lambda _s, e: taken.append(e.kind)).handled == 0
