"""Retail, B2B and overseas-warehouse exports end to end: CEB XML in, receipts out, in any arrival order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.integration.exports.export_zone import AT, TEE, XP, send, statuses
from tests.zone import Zone

from cbec.demo.exports import build_departure, build_export_arrival, build_export_set, build_master_bill
from cbec.exports.service.reference import seed_export_reference


def test_inventory_first_waits_for_its_partners_then_arrival_release_and_departure(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    s = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX20260302000001", logistics_no="LE2026030200001", at=AT)
    first = send(zone, [s.inventory], XP.agent)
    assert statuses(first) == [("CEB604Message", "2")]
    assert first.documents[0].note == "order,waybill"
    assert statuses(send(zone, [s.order], XP.platform)) == [("CEB304Message", "120")]
    waybill = send(zone, [s.waybill], XP.logistics)
    assert statuses(waybill) == [("CEB506Message", "120"), ("CEB604Message", "120")]
    inventory_no = waybill.receipts[1].inventory_no
    assert inventory_no == "46012026E000000001"
    arrival = send(zone, [build_export_arrival(XP, [s.waybill.logistics_no], at=AT, ref="ARR-1")], XP.site_operator)
    assert statuses(arrival) == [("CEB508Message", "399"), ("CEB604Message", "399"), ("CEB604Message", "800")]
    bill = build_master_bill(
        XP, [(s.waybill.logistics_no, inventory_no)], bill_no="999-12345675", voyage_no="CA983", at=AT
    )
    assert statuses(send(zone, [bill], XP.agent)) == [("CEB608Message", "399")]
    departure = build_departure(
        XP, [s.waybill.logistics_no], bill_no="999-12345675", voyage_no="CA983", left_at=AT + timedelta(hours=6)
    )
    assert statuses(send(zone, [departure], XP.logistics)) == [("CEB510Message", "399"), ("CEB604Message", "899")]
