"""Classified supervision end to end: a published credit level becomes measures that clearance applies as data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from tests.builders import AT, BUYER, OTHER_BUYER, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.clearance.queries import held_queue, inventory_detail
from cbec.credit.models import CreditFact
from cbec.credit.schemas import FactIn
from cbec.credit.service import import_facts, rate_subjects, record_fact, seed_configuration
from cbec.demo.builders import Buyer, build_arrival
from cbec.supervision import MeasureKind, MeasureSpec, SubjectKind, add_measure, measures_in_force
from cbec.supervision.models import SupervisionMeasure


def declare(zone: Zone, order_no: str) -> InventoryRecord:
    """Declare a complete set and report its arrival: the inventory is decided then."""
    return declare_for(zone, order_no, BUYER)


def declare_for(zone: Zone, order_no: str, buyer: Buyer) -> InventoryRecord:
    """Declare a complete set of a buyer and report its arrival."""
    s = a_set(order_no, buyer=buyer)
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
    reference = "credit zone@1 level D; zone-supervision@2"
    listed = f"credit list customs_serious entry {entry.id}"
    assert shop == [
        # the list entry's own measures, applied with the entry (joint punishment, source credit_list) …
        (PARTIES.ecommerce.code, "hold", "credit_list", None, f"{listed} CUS-HOLD"),
        (PARTIES.ecommerce.code, "full_guarantee", "credit_list", None, f"{listed} CUS-GUARANTEE"),
        # … and the level's measures, written by the published rating
        (PARTIES.ecommerce.code, "inspection", "credit", Decimal("0.8"), reference),
        (PARTIES.ecommerce.code, "hold", "credit", None, reference),
        (PARTIES.ecommerce.code, "full_guarantee", "credit", None, reference),
        (PARTIES.ecommerce.code, "no_facilitation", "credit", None, reference),
    ]
    assert report.measures_changed >= 2  # the shop under its customs and its credit code (and the others rated)
    after = declare(zone, "ORD20260302000802")
    assert after.status == "300"
    assert after.status_info is not None and "信用等级 D" in after.status_info and reference in after.status_info
    assert (after.priority, after.guarantee) == (False, "full")
    assert "全额担保 / full guarantee" in after.status_info and "不适用便利措施 / no facilitation" in after.status_info
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


def held_order(zone: Zone) -> list[tuple[str, bool, str | None]]:
    return [(i.order_no, i.priority, i.guarantee) for i in held_queue(zone.ctx)]


def shop_kinds(zone: Zone) -> list[tuple[str, str]]:
    with zone.ctx.uow() as uow:
        found = measures_in_force(uow.session, [(SubjectKind.ENTERPRISE, PARTIES.ecommerce.code)], zone.ctx.clock.now())
    return sorted((m.kind.value, m.source) for m in found.get((SubjectKind.ENTERPRISE, PARTIES.ecommerce.code), []))


def test_an_a_level_shop_goes_first_in_the_queue_a_d_level_one_gives_full_guarantee_and_a_new_level_lifts_them(
    zone: Zone,
) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    with ctx.uow() as uow:  # an officer holds every inventory of the platform, so each one reaches the queue
        add_measure(
            uow.session,
            source="officer",
            subject=(SubjectKind.ENTERPRISE, PARTIES.platform.code),
            spec=MeasureSpec(MeasureKind.HOLD, "officer hold 1", "平台专项检查 / platform check", ctx.clock.now()),
            at=ctx.clock.now(),
            actor="officer-1",
        )
        uow.commit()
    plain = declare(zone, "ORD20260302000901")
    assert (plain.status, plain.priority, plain.guarantee) == ("300", False, None)
    record_fact(
        ctx,
        FactIn(
            subject=PARTIES.ecommerce.code,
            fact_type="customs_tier",
            source="customs",
            tier="advanced",
            decided_on="2026-02-01",
            document_no="海关高级认证 2026-009",
        ),
        actor="customs",
    )
    rate_subjects(ctx, dry_run=False, actor="zone-office")
    assert shop_kinds(zone) == [("guarantee_exempt", "credit"), ("inspection", "credit"), ("priority", "credit")]
    first = declare(zone, "ORD20260302000902")
    assert (first.status, first.priority, first.guarantee) == ("300", True, "exempt")
    assert first.status_info is not None and "优先办理 / priority (credit zone@1 level A; zone-supervision@2)" in (
        first.status_info
    )
    # the A-level shop's inventory goes first, though declared later
    assert held_order(zone) == [("ORD20260302000902", True, "exempt"), ("ORD20260302000901", False, None)]

    # a serious list entry: the shop falls to D; the re-rating ends priority and exemption, gives full guarantee
    record_fact(
        ctx,
        FactIn(
            subject=PARTIES.ecommerce.code,
            fact_type="list_entry",
            source="court",
            severity="serious",
            list_type="court_dishonest",
            decided_on="2026-02-01",
            document_no="(2026)琼01执901号",
            legal_basis="最高人民法院关于公布失信被执行人名单信息的若干规定",
        ),
        actor="court",
    )
    rate_subjects(ctx, dry_run=False, actor="zone-office")
    kinds = shop_kinds(zone)
    assert ("priority", "credit") not in kinds and ("guarantee_exempt", "credit") not in kinds
    assert [k for k in kinds if k[1] == "credit"] == [
        ("full_guarantee", "credit"),
        ("hold", "credit"),
        ("inspection", "credit"),
        ("no_facilitation", "credit"),
    ]
    last = declare(zone, "ORD20260302000903")
    assert (last.status, last.priority, last.guarantee) == ("300", False, "full")
    assert last.status_info is not None and "全额担保 / full guarantee" in last.status_info
    assert held_order(zone) == [
        ("ORD20260302000902", True, "exempt"),  # decided while the shop was A: its decision stays as recorded
        ("ORD20260302000901", False, None),
        ("ORD20260302000903", False, "full"),
    ]
    # the enterprise reads the same on its inventory
    shown = inventory_detail(ctx, last.eport_no).summary
    assert (shown.priority, shown.guarantee) == (False, "full")


def test_a_person_on_the_court_list_has_his_own_inventories_held_without_personal_data_until_withdrawn(
    zone: Zone, tmp_path: Path
) -> None:
    ctx = zone.ctx
    seed_configuration(ctx)
    listed = tmp_path / "persons.json"
    row = {
        "person_id": BUYER.id_number,
        "fact_type": "list_entry",
        "source": "court",
        "severity": "serious",
        "list_type": "court_dishonest",
        "decided_on": "2026-02-01",
        "document_no": "(2026)琼01执902号",
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定",
    }
    listed.write_text(json.dumps({"facts": [row]}, ensure_ascii=False), "utf-8")
    assert import_facts(ctx, listed, actor="court").recorded == 1
    buyer = (SubjectKind.BUYER, ctx.cipher.blind_index(BUYER.id_number))
    with ctx.uow() as uow:
        found = measures_in_force(uow.session, [buyer], ctx.clock.now())
        fact_id = uow.session.scalars(select(CreditFact.id).where(CreditFact.fact_type == "list_entry")).one()
    # only the catalogue's person measure: the enterprise measures of the list (inspection, no facilitation) are not
    # a buyer's
    assert [(m.kind.value, m.source, m.reference) for m in found[buyer]] == [
        ("hold", "credit_list", f"credit list court_dishonest entry {fact_id} CRT-CONSUMPTION")
    ]
    held = declare(zone, "ORD20260302000911")
    assert held.status == "300"
    info = held.status_info or ""
    assert "限制高消费" in info and f"credit list court_dishonest entry {fact_id} CRT-CONSUMPTION" in info
    assert BUYER.id_number not in info and BUYER.name not in info and buyer[1] not in info
    # another buyer's inventory of the same shop is not held
    other = declare_for(zone, "ORD20260302000912", OTHER_BUYER)
    assert other.status == "800", other.status_info

    # the court withdraws the entry: the hold is lifted, the next inventory released
    withdrawal = tmp_path / "withdrawal.json"
    undo = {**row, "document_no": "(2026)琼01执902号之一", "supersedes": fact_id, "retracted": "true"}
    withdrawal.write_text(json.dumps({"facts": [undo]}, ensure_ascii=False), "utf-8")
    import_facts(ctx, withdrawal, actor="court")
    with ctx.uow() as uow:
        assert measures_in_force(uow.session, [buyer], ctx.clock.now()) == {}
    assert declare(zone, "ORD20260302000913").status == "800"
