"""Retail-import clearance end to end: CEB XML in, receipts and tax bills out, in any arrival order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from tests.builders import AT, BUYER, MILK, PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord, OrderRecord
from cbec.clearance.queries import inventory_detail
from cbec.clearance.service import confirm_return_arrival, decide_held_inventory, run_daily_jobs
from cbec.common.clock import FixedClock
from cbec.demo.builders import build_arrival, build_cancel, build_return
from cbec.intake.models import IssuedReceipt
from cbec.messages import parse_receipts, parse_tax_bills, render_receipts, render_tax_bills
from cbec.quota.service import query_quota


def statuses(result) -> list[tuple[str, str]]:
    return [(r.message_type.value, r.status) for r in result.receipts]


def clear_set(zone: Zone, s, *, bill_no: str = "MAWB20260302001") -> None:
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    zone.send([build_arrival(PARTIES, [s.waybill.logistics_no], bill_no=bill_no, at=AT)], PARTIES.site_operator)


def test_inventory_first_waits_then_last_partner_triggers_release(zone: Zone) -> None:
    s = a_set()
    first = zone.send([s.inventory], PARTIES.agent)
    assert statuses(first) == [("CEB622Message", "2")]
    assert first.documents[0].note == "order,payment,waybill"
    assert statuses(zone.send([s.order], PARTIES.ecommerce)) == [("CEB312Message", "120")]
    assert statuses(zone.send([s.payment], PARTIES.payment)) == [("CEB412Message", "120")]
    waybill = zone.send([s.waybill], PARTIES.logistics)
    assert statuses(waybill) == [("CEB512Message", "120"), ("CEB622Message", "120")]
    arrival = zone.send(
        [build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)], PARTIES.site_operator
    )
    assert statuses(arrival) == [("CEB712Message", "120"), ("CEB622Message", "399"), ("CEB622Message", "800")]
    [bill] = arrival.tax_bills
    assert (bill.customs_duty, bill.vat, bill.consumption_tax) == (Decimal("0"), Decimal("55.15"), Decimal("0"))
    assert bill.lines[0].dutiable_value == Decimal("606.00")
    assert bill.inventory_no == "46012026I000000001"
    assert bill.tax_no == "46012026I00000000101"
    # what the platform issues renders to CEB XML and reads back the same
    assert parse_tax_bills(render_tax_bills(arrival.tax_bills)) == arrival.tax_bills
    assert parse_receipts(render_receipts(arrival.receipts[1:])) == arrival.receipts[1:]
    statement = query_quota(zone.ctx, id_number=BUYER.id_number, name=BUYER.name, year=2026)
    assert statement.used == Decimal("606.00")


def test_consumption_tax_on_cosmetics_uses_filed_net_content(zone: Zone) -> None:
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    result = zone.send([s.inventory], PARTIES.agent)
    assert statuses(result) == [
        ("CEB622Message", "2"),
        ("CEB622Message", "120"),
        ("CEB622Message", "399"),
        ("CEB622Message", "800"),
    ]
    [bill] = result.tax_bills
    # tax-rules.md E-3c: 495.00 + freight 10.00 = 505.00 for 50 ml -> 10.10 CNY/ml >= 10 -> CT applies
    assert (bill.vat, bill.consumption_tax) == (Decimal("54.06"), Decimal("62.38"))


def test_mismatched_payment_is_refused_with_rule_code_and_hint(zone: Zone) -> None:
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([replace(s.payment, amount_paid=s.payment.amount_paid - Decimal("1"))], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    result = zone.send([s.inventory], PARTIES.agent)
    assert statuses(result) == [("CEB622Message", "2"), ("CEB622Message", "100")]
    refusal = result.receipts[1].info
    assert refusal.startswith("[Code:CEB-M3;Desc:支付金额")
    assert "Rule:CEB-M3;Field:payment.amount_paid" in refusal
    assert [p.rule_id for p in result.documents[0].problems] == ["CEB-M3"]
    statement_used = query_quota_used(zone)
    assert statement_used == Decimal("0")


def query_quota_used(zone: Zone) -> Decimal:
    from cbec.quota.service import used

    with zone.ctx.uow() as uow:
        return used(uow.session, zone.ctx.cipher.blind_index(BUYER.id_number), 2026)


def test_unsigned_declared_inventory_is_refused(zone: Zone) -> None:
    s = a_set()
    result = zone.send([s.inventory], PARTIES.agent, sign=False)
    assert statuses(result) == [("CEB622Message", "-621029")]
    assert [p.rule_id for p in result.documents[0].problems] == ["CEB-R10"]


def test_unregistered_party_and_bad_id_number_are_refused_with_every_problem(zone: Zone) -> None:
    s = a_set()
    order = replace(s.order, ecommerce_code="4601999999", buyer_id_number="110105194912310021")
    result = zone.send([order], PARTIES.platform)  # the platform may declare it; the e-commerce code is unknown
    assert [p.rule_id for p in result.documents[0].problems] == ["ID-CHECKSUM", "CEB-M12"]
    with zone.ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OrderRecord)) == 0


def test_resubmitting_the_same_message_is_idempotent(zone: Zone) -> None:
    s = a_set()
    first = zone.send([s.order], PARTIES.ecommerce)
    again = zone.send([s.order], PARTIES.ecommerce)
    assert again.outcome == "duplicate"
    assert again.receipts == first.receipts
    with zone.ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IssuedReceipt)) == 1
        assert uow.session.scalar(select(func.count()).select_from(OrderRecord)) == 1


def test_new_order_with_an_existing_number_is_refused(zone: Zone) -> None:
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    other = replace(s.order, declaration=replace(s.order.declaration, guid="AAAAAAAA-0000-0000-0000-000000000001"))
    result = zone.send([other], PARTIES.ecommerce)
    assert statuses(result) == [("CEB312Message", "-301010")]


def test_preflight_reports_problems_and_stores_nothing(zone: Zone) -> None:
    s = a_set()
    result = zone.send([replace(s.inventory, gross_weight=Decimal("0.1"))], PARTIES.agent, dry_run=True)
    assert result.dry_run
    assert [p.rule_id for p in result.documents[0].problems] == ["CEB-R9"]
    with zone.ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(InventoryRecord)) == 0
        assert uow.session.scalar(select(func.count()).select_from(IssuedReceipt)) == 0


def test_annual_quota_refusal_names_the_amounts(zone: Zone) -> None:
    expensive = replace(MILK, unit_price=Decimal("4990.00"))
    for n in range(1, 7):
        s = a_set(f"ORD2026030200000{n}", items=[(expensive, Decimal(1))])
        clear_set(zone, s, bill_no=f"MAWB{n}")
    s = a_set("ORD20260302000007", items=[(expensive, Decimal(1))])
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    result = zone.send([s.inventory], PARTIES.agent)
    assert statuses(result)[-1] == ("CEB622Message", "100")
    assert "1313" in result.receipts[-1].info
    assert query_quota_used(zone) == Decimal("30000.00") - Decimal("5000.00")


def test_cancel_restores_quota_and_voids_the_tax_bill(zone: Zone) -> None:
    s = a_set()
    clear_set(zone, s)
    result = zone.send([build_cancel(s.inventory, "46012026I000000001", at=AT)], PARTIES.agent)
    assert statuses(result) == [("CEB624Message", "120"), ("CEB624Message", "399")]
    assert [b.status for b in result.tax_bills] == ["3"]
    assert query_quota_used(zone) == Decimal("0.00")


def test_partial_return_restores_the_returned_share_once_goods_are_back(zone: Zone) -> None:
    s = a_set()
    clear_set(zone, s)
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=10))
    applied = zone.send(
        [build_return(s.inventory, "46012026I000000001", [(1, Decimal(1))], at=AT + timedelta(days=10))], PARTIES.agent
    )
    assert statuses(applied) == [("CEB626Message", "120")]
    assert query_quota_used(zone) == Decimal("606.00")
    detail = inventory_detail(zone.ctx, "46012026I000000001")
    done = confirm_return_arrival(zone.ctx, detail.returns[0]["id"], actor="site-operator")
    assert statuses(done) == [("CEB626Message", "399")]
    assert query_quota_used(zone) == Decimal("303.00")
    [bill] = [b for b in done.tax_bills if b.status == "1"]
    assert (bill.vat, bill.lines[0].dutiable_value) == (Decimal("27.57"), Decimal("303.00"))


def test_return_after_the_window_is_refused(zone: Zone) -> None:
    s = a_set()
    clear_set(zone, s)
    late = build_return(s.inventory, "46012026I000000001", [(1, Decimal(1))], at=AT + timedelta(days=31))
    result = zone.send([late], PARTIES.agent)
    assert statuses(result) == [("CEB626Message", "-625014")]


def test_officer_releases_an_inventory_held_for_review(zone: Zone) -> None:
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"review_value_at_or_above": Decimal("500")})
    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    held = zone.send(
        [build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)], PARTIES.site_operator
    )
    assert statuses(held)[-1] == ("CEB622Message", "300")
    released = decide_held_inventory(
        zone.ctx, "46012026I000000001", action="release", actor="officer-7", comment="单证齐全，准予放行"
    )
    assert statuses(released) == [("CEB622Message", "399"), ("CEB622Message", "800")]
    assert len(released.tax_bills) == 1


def test_released_inventory_closes_after_the_return_window(zone: Zone) -> None:
    s = a_set()
    clear_set(zone, s)
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=46))
    report = run_daily_jobs(zone.ctx)
    assert report.changed == ["inventory 46012026I000000001 closed"]
    assert inventory_detail(zone.ctx, "46012026I000000001").summary.status == "899"


def test_changes_and_deletions_follow_r12(zone: Zone) -> None:
    from cbec.messages.documents import AppType

    s = a_set()
    zone.send([s.order], PARTIES.ecommerce)
    changed = replace(
        s.order,
        declaration=replace(s.order.declaration, guid="BBBBBBBB-0000-0000-0000-000000000002", app_type=AppType.CHANGE),
        note="改地址",
    )
    assert statuses(zone.send([changed], PARTIES.ecommerce)) == [("CEB312Message", "120")]
    waiting = zone.send([s.inventory], PARTIES.agent)
    assert statuses(waiting) == [("CEB622Message", "2")]
    deleted = replace(
        s.inventory,
        declaration=replace(
            s.inventory.declaration, guid="CCCCCCCC-0000-0000-0000-000000000003", app_type=AppType.DELETE
        ),
    )
    assert statuses(zone.send([deleted], PARTIES.agent)) == [("CEB622Message", "399")]
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    again = replace(
        s.inventory, declaration=replace(s.inventory.declaration, guid="DDDDDDDD-0000-0000-0000-000000000004")
    )
    assert statuses(zone.send([again], PARTIES.agent)) == [("CEB622Message", "2"), ("CEB622Message", "120")]
    late_change = replace(
        s.order,
        declaration=replace(s.order.declaration, guid="EEEEEEEE-0000-0000-0000-000000000005", app_type=AppType.CHANGE),
    )
    refused = zone.send([late_change], PARTIES.ecommerce)
    assert statuses(refused) == [("CEB312Message", "-301011")]
    assert [p.rule_id for p in refused.documents[0].problems] == ["CEB-R12"]
