"""Trade facts over real intake: written with the document, kept current, non-personal, rebuilt by the backfill.

The dashboard reads them and never decrypts a payload.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from tests.builders import AT, BUYER, PARTIES
from tests.integration.exports.export_zone import LAMP, TEE, XP, release, send, statuses
from tests.integration.statistics.test_export_figures import _rates
from tests.web.support import released_set, send_sets
from tests.zone import Zone

from cbec.clearance.queries import search_inventories
from cbec.clearance.service.facts import backfill_import_facts
from cbec.common.personal import PersonalDataCipher
from cbec.demo.builders import build_cancel
from cbec.demo.exports import build_export_cancel, build_export_set
from cbec.exports.service.facts import backfill_export_facts
from cbec.facts import BackfillReport, TradeFact
from cbec.facts.repository import COMPARED
from cbec.statistics.queries import zone_overview
from cbec.statistics.views import CountryFigures

O1, O2 = "ORD20260302000101", "ORD20260302000102"


def _facts(zone: Zone, direction: str) -> list[dict[str, Any]]:
    with zone.ctx.uow() as uow:
        rows = uow.session.scalars(
            select(TradeFact).where(TradeFact.direction == direction).order_by(TradeFact.eport_no, TradeFact.line_no)
        ).all()
        return [{name: getattr(row, name) for name in COMPARED} for row in rows]


def _number(zone: Zone, order_no: str) -> str:
    [item], _ = search_inventories(zone.ctx, order_no=order_no)
    return item.inventory_no or ""


def test_a_released_import_has_one_fact_per_line_kept_current_through_a_cancel(zone: Zone) -> None:
    send_sets(zone, [released_set(O1), released_set(O2)])
    index = zone.ctx.cipher.blind_index
    [first, second] = _facts(zone, "I")
    assert (first["order_no"], second["order_no"]) == (O1, O2)
    assert {k: first[k] for k in ("mode", "hs_code", "origin_country", "destination_country", "status")} == {
        "mode": "9610",
        "hs_code": "1901101000",
        "origin_country": "116",
        "destination_country": "142",
        "status": "released",
    }
    assert (first["quantity"], first["unit"], first["legal_quantity"], first["legal_unit"]) == (
        Decimal(2),
        "122",
        Decimal("1.8"),
        "035",
    )
    assert (first["currency"], first["value"], first["value_cny"], first["value_usd"]) == (
        "142",
        Decimal("596"),
        Decimal("596"),
        None,  # no USD rate loaded
    )
    assert (first["platform_code"], first["ecommerce_code"], first["logistics_code"], first["agent_code"]) == (
        PARTIES.platform.code,
        PARTIES.ecommerce.code,
        PARTIES.logistics.code,
        PARTIES.agent.code,
    )
    assert (first["payment_code"], first["tenant"], first["customs_code"]) == (PARTIES.payment.code, "hub", "4601")
    assert (first["declared_on"], first["released_on"], first["inventory_no"]) == (
        date(2026, 3, 2),
        date(2026, 3, 2),
        _number(zone, O1),
    )
    assert first["buyer_key"] == first["payer_key"] == index(BUYER.id_number)
    assert first["phone_key"] == index(f"phone:{BUYER.phone}")
    assert first["address_key"] == index("address:海南省海口市美兰区国兴大道1号")
    assert (first["consignee_region"], first["logistics_no"], first["gross_weight"]) == (
        "460100",  # the order's consigneeDistrict 460108 (美兰区) at prefecture level
        f"L{O1}",
        released_set(O1).inventory.gross_weight,
    )
    assert [(f["line_no"], f["item_no"]) for f in _facts(zone, "I") if f["order_no"] == O1] == [(1, "SKU-MILK-900")]

    zone.send([build_cancel(released_set(O1).inventory, _number(zone, O1), at=AT + timedelta(hours=1))], PARTIES.agent)
    assert [(f["order_no"], f["status"]) for f in _facts(zone, "I")] == [(O1, "cancelled"), (O2, "released")]


def test_no_personal_data_is_in_any_fact_column(zone: Zone) -> None:
    send_sets(zone, [released_set(O1)])
    with zone.ctx.uow() as uow:
        [fact] = uow.session.scalars(select(TradeFact)).all()
        text = " ".join(str(getattr(fact, c.key)) for c in TradeFact.__table__.columns)
    for personal in (BUYER.name, BUYER.id_number, BUYER.phone, BUYER.address, "海口市", "13800138000"):
        assert personal not in text


def test_an_export_has_facts_from_china_to_its_destination_kept_current(zone: Zone, tmp_path: Path) -> None:
    _rates(zone, tmp_path)
    items = [(TEE, Decimal(2)), (LAMP, Decimal(1))]
    shipped = build_export_set(XP, items, order_no="EX-F1", logistics_no="LEF1", at=AT)
    withdrawn = build_export_set(XP, [(TEE, Decimal(1))], order_no="EX-F2", logistics_no="LEF2", at=AT)
    numbers = release(zone, [shipped, withdrawn], ref="ARR-F")
    cancel = send(zone, [build_export_cancel(withdrawn.inventory, numbers[1], at=AT)], XP.agent)
    assert statuses(cancel) == [("CEB606Message", "120"), ("CEB606Message", "399")]
    facts = _facts(zone, "E")
    assert [
        (f["order_no"], f["line_no"], f["hs_code"], f["origin_country"], f["destination_country"], f["status"])
        for f in facts
    ] == [
        ("EX-F1", 1, "6109100011", "142", "502", "released"),
        ("EX-F1", 2, "9405210000", "142", "502", "released"),
        ("EX-F2", 1, "6109100011", "142", "502", "cancelled"),
    ]
    assert [(f["currency"], f["value"], f["value_cny"], f["value_usd"]) for f in facts] == [
        ("142", Decimal(118), Decimal(118), Decimal("16.62")),  # 118 / 7.1 = 16.619…
        ("142", Decimal(120), Decimal(120), Decimal("16.9")),
        ("142", Decimal(59), Decimal(59), Decimal("8.31")),
    ]
    assert [f["inventory_no"] for f in facts] == [numbers[0], numbers[0], numbers[1]]
    assert {(f["buyer_key"], f["payer_key"], f["phone_key"], f["address_key"]) for f in facts} == {
        (None, None, None, None)
    }
    assert {(f["owner_code"], f["tenant"], f["mode"]) for f in facts} == {(XP.ecommerce.code, "hub", "9610")}


def test_the_backfill_builds_the_same_facts_as_live_intake_and_a_second_run_changes_nothing(
    zone: Zone, tmp_path: Path
) -> None:
    _rates(zone, tmp_path)
    send_sets(zone, [released_set(O1), released_set(O2)])
    zone.send([build_cancel(released_set(O2).inventory, _number(zone, O2), at=AT + timedelta(hours=1))], PARTIES.agent)
    release(zone, [build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-B1", logistics_no="LEB1", at=AT)], ref="B")
    live = {"I": _facts(zone, "I"), "E": _facts(zone, "E")}
    with zone.ctx.uow() as uow:
        uow.session.execute(delete(TradeFact))
        uow.commit()
    seen: list[tuple[int, int]] = []
    assert backfill_import_facts(zone.ctx, progress=lambda done, total: seen.append((done, total))) == BackfillReport(
        "I", inventories=2, inserted=2
    )
    assert backfill_export_facts(zone.ctx) == BackfillReport("E", inventories=1, inserted=1)
    assert seen == [(2, 2)]
    assert {"I": _facts(zone, "I"), "E": _facts(zone, "E")} == live
    assert backfill_import_facts(zone.ctx, chunk=1) == BackfillReport("I", inventories=2, unchanged=2)
    assert backfill_export_facts(zone.ctx) == BackfillReport("E", inventories=1, unchanged=1)
    with zone.ctx.uow() as uow:  # a fact gone astray is put right
        uow.session.execute(TradeFact.__table__.update().values(status="waiting"))
        uow.commit()
    assert backfill_import_facts(zone.ctx) == BackfillReport("I", inventories=2, replaced=2)
    assert _facts(zone, "I") == live["I"]


def test_the_dashboard_reads_facts_and_decrypts_no_payload(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    send_sets(zone, [released_set(O1)])

    def refuse(self: PersonalDataCipher, token: str) -> str:
        raise AssertionError("the dashboard decrypted a payload")

    monkeypatch.setattr(PersonalDataCipher, "decrypt", refuse)
    overview = zone_overview(zone.ctx)
    assert overview.origins == (CountryFigures("116", "日本", "Japan", 1, Decimal("596.00")),)
    assert (overview.today.released, overview.today.released_value) == (1, Decimal("606.00"))
