"""Classified supervision end to end: a published credit level becomes measures that clearance applies as data."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from tests.builders import AT, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.credit.schemas import FactIn
from cbec.credit.service import rate_subjects, record_fact, seed_configuration
from cbec.demo.builders import build_arrival
from cbec.supervision import MeasureKind, MeasureSpec, SubjectKind, add_measure
from cbec.supervision.models import SupervisionMeasure


def declare(zone: Zone, order_no: str) -> InventoryRecord:
    """Declare a complete set and report its arrival: the inventory is decided then."""
    s = a_set(order_no)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    zone.send([arrival], PARTIES.site_operator)
    with zone.ctx.uow() as uow:
        row = uow.session.scalars(select(InventoryRecord).where(InventoryRecord.order_no == order_no)).one()
        uow.session.expunge(row)
        return row


def measures(zone: Zone) -> list[tuple[str, str, str, Decimal | None, str]]:
    with zone.ctx.uow() as uow:
        rows = uow.session.scalars(select(SupervisionMeasure).order_by(SupervisionMeasure.id)).all()
        return [(m.subject_key, m.kind, m.source, m.rate, m.reference) for m in rows]


def test_a_serious_list_entry_rates_the_shop_d_and_clearance_holds_its_inventories_with_the_reason(zone: Zone) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    before = declare(zone, "ORD20260302000801")
    assert before.status == "800", before.status_info  # released while the shop has no level
    entry = record_fact(
        ctx,
        FactIn(
            subject=PARTIES.ecommerce.code,
            fact_type="list_entry",
            source="customs",
            severity="serious",
            list_type="customs_serious",
            decided_on="2026-02-01",
            document_no="海关严重失信 2026-001",
            legal_basis="海关注册登记和备案企业信用管理办法",
        ),
        actor="customs",
    )
    report = rate_subjects(ctx, dry_run=False, actor="zone-office")
    shop = [m for m in measures(zone) if m[0] == PARTIES.ecommerce.code]
    reference = "credit zone@1 level D; zone-supervision@1"
    assert shop == [
        # the list entry's own measure, applied with the entry (joint punishment, source credit_list) …
        (PARTIES.ecommerce.code, "hold", "credit_list", None, f"credit list customs_serious entry {entry.id} CUS-HOLD"),
        # … and the level's measures, written by the published rating
        (PARTIES.ecommerce.code, "inspection", "credit", Decimal("0.8"), reference),
        (PARTIES.ecommerce.code, "hold", "credit", None, reference),
    ]
    assert report.measures_changed >= 2  # the shop under its customs and its credit code (and the others rated)
    after = declare(zone, "ORD20260302000802")
    assert after.status == "300"
    assert after.status_info is not None and "信用等级 D" in after.status_info and reference in after.status_info
    # an unchanged rating changes no measure
    assert rate_subjects(ctx, dry_run=False, actor="zone-office").measures_changed == 0


def test_a_risk_hold_on_a_waiting_inventory_sends_it_to_review_when_its_arrival_completes_it(zone: Zone) -> None:
    s = a_set("ORD20260302000803")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    with zone.ctx.uow() as uow:
        waiting = uow.session.scalars(select(InventoryRecord).where(InventoryRecord.order_no == s.order.order_no)).one()
        assert waiting.status == "120"  # accepted, waiting for its arrival
        now = zone.ctx.clock.now()
        add_measure(
            uow.session,
            source="risk",
            subject=(SubjectKind.INVENTORY, waiting.eport_no),
            spec=MeasureSpec(
                MeasureKind.HOLD, "risk decision 7 fake_order hold", "fake_order 80: 同一手机号多名买家", now
            ),
            at=now,
            actor="risk",
        )
        uow.commit()
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    receipts = zone.send([arrival], PARTIES.site_operator).receipts
    assert [(r.message_type.value, r.status) for r in receipts] == [("CEB712Message", "120"), ("CEB622Message", "300")]
    assert "fake_order 80: 同一手机号多名买家" in receipts[-1].info
