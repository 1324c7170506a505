"""The zone dashboard over real export intake: export modes, CNY values at the customs rate, refusals, scopes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tests.integration.exports.export_zone import AT, LAMP, PHONE, TEE, XP, release, send, statuses
from tests.web.support import released_set, send_sets
from tests.zone import Zone

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.ids import make_uscc
from cbec.common.scope import EVERYTHING, Scope
from cbec.demo.exports import (
    ExportParties,
    ExportParty,
    build_departure,
    build_export_cancel,
    build_export_set,
    build_master_bill,
)
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.exports.service.reference import load_export_rates, seed_export_reference
from cbec.statistics.queries import zone_overview
from cbec.statistics.views import CountryFigures, DailyPoint, DirectionFigures, ModeFigures, RuleCount

ZERO = Decimal("0")
UNFILED_PLATFORM = ExportParty("4601969999", "未备案平台")
SANYA_SHOP = ExportParty("4601960101", "三亚跨境出口贸易有限公司", "DXPENT0000000101")


def _rates(zone: Zone, tmp_path: Path) -> None:
    """Seed the export parameters and load one USD central parity (7.1000, 2026-02-18); no EUR rate is loaded."""
    seed_export_reference(zone.ctx)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,rate_date,cny_per_unit,source\n502,2026-02-18,7.1000,test value (not official)\n", "utf-8"
    )
    assert load_export_rates(zone.ctx, rates, "exchange").inserted == 1


def _refuse_matched(zone: Zone, order_no: str, logistics_no: str, parties: ExportParties = XP) -> None:
    """Store an export inventory that its order contradicts (3 lamps ordered, 1 declared): refused with CEB-E1."""
    declared = build_export_set(parties, [(LAMP, Decimal(1))], order_no=order_no, logistics_no=logistics_no, at=AT)
    ordered = build_export_set(parties, [(LAMP, Decimal(3))], order_no=order_no, logistics_no=logistics_no, at=AT)
    send(zone, [ordered.order], XP.platform)
    send(zone, [declared.waybill], XP.logistics)
    assert statuses(send(zone, [declared.inventory], XP.agent)) == [("CEB604Message", "2"), ("CEB604Message", "100")]


def _refuse_unstored(zone: Zone) -> None:
    """Declare an export inventory naming an unfiled platform: refused before being stored (CEB-M12)."""
    unfiled = build_export_set(
        XP, [(TEE, Decimal(1))], order_no="EX-UNFILED", logistics_no="LEUNFILED", at=AT, platform=UNFILED_PLATFORM
    )
    assert statuses(send(zone, [unfiled.inventory], XP.agent)) == [("CEB604Message", "-10102")]


def _month(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    """March 2026 so far.

    1 March: one overseas-warehouse (9810) export of 600.00 CNY to the United States, released.
    2 March: one import released (606.00, tax 55.15); exports: 238.00 CNY (9610, US), 15,000.00 USD (9710, UK, then
    departed: 899) and 59.00 EUR (9610, Germany, no EUR rate) released; one refused by its order (stored), one
    refused before being stored, one released and then cancelled.
    """
    _rates(zone, tmp_path)
    clock.set(datetime(2026, 3, 1, 15, 0, tzinfo=SHANGHAI))
    warehouse = build_export_set(
        XP,
        [(LAMP, Decimal(5))],
        order_no="OW-0301",
        logistics_no="LW0301",
        at=AT - timedelta(days=1),
        trade_mode="9810",
        platform=ExportParty(XP.platform.code, "未登记海外仓"),
    )
    release(zone, [warehouse], ref="ARR-0301")
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    send_sets(zone, [released_set("ORD20260302000301")])
    retail = build_export_set(
        XP, [(TEE, Decimal(2)), (LAMP, Decimal(1))], order_no="EX-0302-A", logistics_no="LE0302A", at=AT
    )
    b2b = build_export_set(
        XP,
        [(PHONE, Decimal(10))],
        order_no="B2B-0302",
        logistics_no="LB0302",
        at=AT,
        trade_mode="9710",
        currency="502",
        final_country="303",
    )
    euro = build_export_set(
        XP, [(TEE, Decimal(1))], order_no="EX-0302-E", logistics_no="LE0302E", at=AT, currency="300", country="304"
    )
    withdrawn = build_export_set(XP, [(TEE, Decimal(1))], order_no="EX-0302-W", logistics_no="LE0302W", at=AT)
    numbers = release(zone, [retail, b2b, euro, withdrawn], ref="ARR-0302")
    cancel = send(zone, [build_export_cancel(withdrawn.inventory, numbers[3], at=AT)], XP.agent)
    assert statuses(cancel) == [("CEB606Message", "120"), ("CEB606Message", "399")]
    bill = build_master_bill(XP, [(b2b.waybill.logistics_no, numbers[1])], bill_no="999-0302", voyage_no="CA983", at=AT)
    send(zone, [bill], XP.agent)
    departure = build_departure(
        XP, [b2b.waybill.logistics_no], bill_no="999-0302", voyage_no="CA983", left_at=AT + timedelta(hours=1)
    )
    assert ("CEB604Message", "899") in statuses(send(zone, [departure], XP.logistics))
    _refuse_matched(zone, "EX-0302-R", "LE0302R")
    _refuse_unstored(zone)


def test_the_dashboard_counts_export_modes_in_cny_at_the_customs_rate(
    zone: Zone, clock: FixedClock, tmp_path: Path
) -> None:
    _month(zone, clock, tmp_path)
    overview = zone_overview(zone.ctx)
    today, month = overview.today, overview.month
    assert today.modes == (
        ModeFigures("9610", "import", 1, 1, Decimal("606.00"), Decimal("55.15")),
        # retail, euro, withdrawn and the refused one declared; the withdrawn one is not released any more
        ModeFigures("9610", "export", 4, 2, Decimal("238.00"), ZERO, unconverted=1),
        ModeFigures("9710", "export", 1, 1, Decimal("106500.00"), ZERO),  # 15,000 USD x 7.1000, departed (899)
    )
    assert today.imports == DirectionFigures(
        "import", 1, 1, 0, Decimal("606.00"), Decimal("55.15"), 0, Decimal("100.0"), Decimal("0.0")
    )
    # 5 stored + 1 refused before being stored; 2 refused of 5 concluded
    assert today.exports == DirectionFigures(
        "export", 6, 3, 2, Decimal("106738.00"), ZERO, 1, Decimal("60.0"), Decimal("40.0")
    )
    assert (today.declared, today.released, today.refused, today.unconverted) == (7, 4, 2, 1)
    assert (today.released_value, today.tax) == (Decimal("107344.00"), Decimal("55.15"))
    assert (today.release_rate, today.refusal_rate) == (Decimal("66.7"), Decimal("33.3"))

    assert month.modes == (
        ModeFigures("9610", "import", 1, 1, Decimal("606.00"), Decimal("55.15")),
        ModeFigures("9610", "export", 4, 2, Decimal("238.00"), ZERO, unconverted=1),
        ModeFigures("9710", "export", 1, 1, Decimal("106500.00"), ZERO),
        ModeFigures("9810", "export", 1, 1, Decimal("600.00"), ZERO),
    )
    assert month.exports == DirectionFigures(
        "export", 7, 4, 2, Decimal("107338.00"), ZERO, 1, Decimal("66.7"), Decimal("33.3")
    )
    assert (month.declared, month.released, month.refused, month.unconverted) == (8, 5, 2, 1)
    assert (month.released_value, month.tax) == (Decimal("107944.00"), Decimal("55.15"))
    assert (month.release_rate, month.refusal_rate) == (Decimal("71.4"), Decimal("28.6"))

    assert overview.refusal_reasons == (
        RuleCount("CEB-E1", 1, Decimal("50.0")),
        RuleCount("CEB-M12", 1, Decimal("50.0")),
    )
    assert overview.destinations == (
        CountryFigures("303", "英国", "United Kingdom", 1, Decimal("106500.00")),
        CountryFigures("502", "美国", "United States", 2, Decimal("838.00")),
        CountryFigures("304", "德国", "Germany", 1, ZERO),  # counted, its value left out: no EUR rate
    )
    assert overview.origins == (CountryFigures("116", "日本", "Japan", 1, Decimal("596.00")),)
    assert overview.daily == (
        DailyPoint(date(2026, 3, 1), 1, Decimal("600.00"), 1, Decimal("600.00")),
        DailyPoint(date(2026, 3, 2), 4, Decimal("107344.00"), 3, Decimal("106738.00")),
    )
    assert overview.waiting == {}
    # the yearly targets stay import figures (跨境电商进口交易额)
    assert [(t.indicator, t.actual) for t in overview.targets] == [
        ("trade_value", Decimal("606.00")),
        ("released_count", Decimal(1)),
        ("tax_revenue", Decimal("55.15")),
    ]
    lonely = build_export_set(XP, [(TEE, Decimal(1))], order_no="EX-0302-L", logistics_no="LE0302L", at=AT)
    assert statuses(send(zone, [lonely.inventory], XP.agent)) == [("CEB604Message", "2")]
    assert zone_overview(zone.ctx).waiting == {"2": 1}  # an export waiting for its order and waybill


def test_a_loaded_rate_converts_what_was_left_out(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    euro = tmp_path / "euro.csv"
    euro.write_text(
        "currency,rate_date,cny_per_unit,source\n300,2026-02-18,7.8500,test value (not official)\n", "utf-8"
    )
    load_export_rates(zone.ctx, euro, "exchange")
    overview = zone_overview(zone.ctx)
    assert overview.today.modes[1] == ModeFigures("9610", "export", 4, 2, Decimal("701.15"), ZERO)  # 238 + 59 x 7.85
    assert (overview.month.unconverted, overview.month.released_value) == (0, Decimal("108407.15"))
    assert overview.destinations[2] == CountryFigures("304", "德国", "Germany", 1, Decimal("463.15"))


def test_a_city_counts_only_exports_its_enterprises_are_party_to(zone: Zone, tmp_path: Path) -> None:
    _rates(zone, tmp_path)
    file_enterprise(
        zone.ctx,
        EnterpriseCreate(
            uscc=make_uscc("91460100060000101"),
            customs_code=SANYA_SHOP.code,
            name=SANYA_SHOP.name,
            dxp_id=SANYA_SHOP.dxp_id,
            roles=["ecommerce_enterprise"],
            zone="hub/sanya",
        ),
    )
    approve_enterprise(zone.ctx, SANYA_SHOP.code, reason="材料齐全", actor="zone-office")
    sanya = replace(XP, ecommerce=SANYA_SHOP)
    haikou = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-HK-1", logistics_no="LEHK1", at=AT)
    resort = build_export_set(
        sanya, [(LAMP, Decimal(1))], order_no="EX-SY-1", logistics_no="LESY1", at=AT, country="344"
    )
    release(zone, [haikou, resort], ref="ARR-SCOPE")
    _refuse_matched(zone, "EX-SY-2", "LESY2", sanya)
    _refuse_unstored(zone)

    city = zone_overview(zone.ctx, scope=Scope(tenant="hub/sanya"))
    assert city.today.modes == (ModeFigures("9610", "export", 2, 1, Decimal("120.00"), ZERO),)
    assert (city.today.declared, city.today.released, city.today.refused) == (2, 1, 1)
    assert city.destinations == (CountryFigures("344", "俄罗斯联邦", "Russian Federation", 1, Decimal("120.00")),)
    assert city.refusal_reasons == (RuleCount("CEB-E1", 1, Decimal("100.0")),)
    shop = zone_overview(zone.ctx, scope=Scope(parties=frozenset({SANYA_SHOP.code})))
    assert (shop.month.modes, shop.destinations) == (city.month.modes, city.destinations)

    hub = zone_overview(zone.ctx, scope=Scope(tenant="hub"))
    assert hub.today.modes == (ModeFigures("9610", "export", 3, 2, Decimal("238.00"), ZERO),)
    assert (hub.today.declared, hub.today.refused) == (
        3,
        1,
    )  # the refusal never stored names its parties only in the receipt
    everything = zone_overview(zone.ctx, scope=EVERYTHING)
    assert (everything.today.declared, everything.today.refused) == (4, 2)
    assert everything.destinations == (
        CountryFigures("344", "俄罗斯联邦", "Russian Federation", 1, Decimal("120.00")),
        CountryFigures("502", "美国", "United States", 1, Decimal("118.00")),
    )
    elsewhere = zone_overview(zone.ctx, scope=Scope(tenant="hub/wenchang"))
    assert (elsewhere.today.modes, elsewhere.today.declared, elsewhere.destinations) == ((), 0, ())
