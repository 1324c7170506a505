"""Events are written with the change they record (none lost, none phantom) and read back through feeds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.builders import BUYER, PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.common.ids import make_uscc
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.sharing.errors import SubscriptionExists, SubscriptionInvalid
from cbec.sharing.models import OutboxEvent
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import commit_cursor, create_subscription, read_feed, set_subscription_active
from cbec.storage.context import Context


def events(ctx: Context) -> list[OutboxEvent]:
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.position)))
        uow.session.expunge_all()  # keep them readable after the unit of work ends
        return rows


def clear_events(ctx: Context) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(OutboxEvent.__table__.delete())


def release(zone: Zone, order_no: str = "ORD20260302000001") -> None:
    s = a_set(order_no, items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)


def subscribe(ctx: Context, name: str, **fields: object) -> None:
    data = {"subscriber_kind": "agency", "subscriber_code": "customs", **fields}
    create_subscription(ctx, SubscriptionCreate(name=name, **data))  # type: ignore[arg-type]


def test_a_released_order_leaves_data_receipt_and_tax_bill_events_in_order(zone: Zone) -> None:
    clear_events(zone.ctx)
    release(zone)
    found = events(zone.ctx)
    assert [e.position for e in found] == list(range(found[0].position or 0, (found[0].position or 0) + len(found)))
    inventory = [(e.kind, e.document_type, e.status) for e in found if e.business_key.startswith("inventory:")]
    assert inventory == [
        ("data", "CEB621Message", None),
        ("receipt", "CEB622Message", "2"),
        ("receipt", "CEB622Message", "120"),
        ("receipt", "CEB622Message", "399"),
        ("receipt", "CEB622Message", "800"),
        ("tax_bill", "CEB816Message", "1"),
    ]
    order = [(e.kind, e.document_type) for e in found if e.business_key == "order:4601960001/ORD20260302000001"]
    assert order == [("data", "CEB311Message"), ("receipt", "CEB312Message")]
    data = next(e for e in found if e.document_type == "CEB311Message")
    document = data.payload["document"]
    assert (document["buyer_name"], document["buyer_id_number"], document["buyer_phone"]) == (
        "张*",
        "110105********002X",
        "138****8000",
    )
    assert data.parties == ["4601960001", "4601960002", "4601960003"]
    assert data.zone == "4601"


def test_nothing_is_written_for_a_preflight_or_a_refusal_leaves_only_its_receipt(zone: Zone) -> None:
    clear_events(zone.ctx)
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce, dry_run=True)
    assert events(zone.ctx) == []
    zone.send([s.inventory], PARTIES.agent, sign=False)  # CEB-R10: refused, not stored
    assert [(e.kind, e.status) for e in events(zone.ctx)] == [("receipt", "-621029")]


def test_a_failed_transaction_leaves_no_phantom_event(ctx: Context) -> None:
    from cbec.sharing import EventKind, emit_event

    with ctx.uow() as uow:
        emit_event(
            uow.session,
            at=ctx.clock.now(),
            kind=EventKind.DATA,
            document_type="CEB311Message",
            business_key="order:x",
            zone="4601",
            parties=[],
            payload={},
        )
        uow.session.flush()
    assert events(ctx) == []


def test_filing_status_changes_are_events(ctx: Context) -> None:
    code = "4601960099"
    file_enterprise(
        ctx,
        EnterpriseCreate(
            uscc=make_uscc("91460100MA5T0P9X0"[:17]),
            customs_code=code,
            name="海口测试企业",
            roles=["ecommerce_enterprise"],
            contact_name="王小明",
            contact_phone="13912345678",
        ),
    )
    approve_enterprise(ctx, code, reason="资料齐全", actor="officer")
    found = [(e.kind, e.business_key, e.status, e.payload.get("before")) for e in events(ctx)]
    assert found == [
        ("filing", f"enterprise:{code}", "pending", None),
        ("filing", f"enterprise:{code}", "approved", "pending"),
    ]
    assert "王小明" not in str(events(ctx)[0].payload) and "13912345678" not in str(events(ctx)[0].payload)


def test_feed_pages_by_position_with_a_durable_cursor_and_replays(zone: Zone) -> None:
    clear_events(zone.ctx)
    subscribe(zone.ctx, "customs-ret", scope="RET", document_types=["CEB622Message"])
    release(zone)
    first = read_feed(zone.ctx, "customs-ret", limit=2)
    assert [e.status for e in first.events] == ["2", "120"]
    assert first.cursor == 0
    commit_cursor(zone.ctx, "customs-ret", first.next_after)
    rest = read_feed(zone.ctx, "customs-ret")
    assert (rest.after, [e.status for e in rest.events]) == (first.next_after, ["399", "800"])
    again = read_feed(zone.ctx, "customs-ret", after=0)
    assert [e.status for e in again.events] == ["2", "120", "399", "800"]
    assert read_feed(zone.ctx, "customs-ret", after=rest.next_after).events == []


def test_an_enterprise_sees_only_documents_it_takes_part_in(zone: Zone) -> None:
    release(zone)
    create_subscription(
        zone.ctx,
        SubscriptionCreate(name="pay-co", subscriber_kind="enterprise", subscriber_code=PARTIES.payment.code),
    )
    kinds = {(e.kind, e.document_type) for e in read_feed(zone.ctx, "pay-co", limit=1000).events}
    # its own filing and certificate, the order naming it as payment company, its voucher and the voucher's receipt
    assert kinds == {
        ("filing", "enterprise"),
        ("cert", "certificate"),
        ("data", "CEB311Message"),
        ("data", "CEB411Message"),
        ("receipt", "CEB412Message"),
    }


def test_status_filter_gives_only_those_status_changes(zone: Zone) -> None:
    subscribe(zone.ctx, "released", statuses=["800"])
    release(zone)
    page = read_feed(zone.ctx, "released")
    assert [(e.document_type, e.status) for e in page.events] == [("CEB622Message", "800")]


def test_subscriptions_are_checked_unique_and_audited(ctx: Context) -> None:
    with pytest.raises(SubscriptionInvalid) as bad:
        subscribe(ctx, "Bad Name", scope="EVERYTHING")
    assert [p.rule_id for p in bad.value.problems] == ["SUB-NAME", "SUB-SCOPE"]
    subscribe(ctx, "tax-feed", subscriber_code="tax")
    with pytest.raises(SubscriptionExists):
        subscribe(ctx, "tax-feed", subscriber_code="tax")
    set_subscription_active(ctx, "tax-feed", active=False, actor="admin", reason="tax office moved")
    from cbec.audit.models import AuditRecord

    with ctx.uow() as uow:
        actions = list(uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))
        assert uow.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert actions == ["sharing.subscription.created", "sharing.subscription.paused"]


def test_buyer_data_never_reaches_an_event(zone: Zone) -> None:
    release(zone)
    text = str([e.payload for e in events(zone.ctx)])
    for value in (BUYER.name, BUYER.id_number, BUYER.phone, BUYER.address):
        assert value not in text
