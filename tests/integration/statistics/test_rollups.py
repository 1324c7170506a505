"""Daily rollups from the event outbox: exact figures of a month, exactly once, replay, 1+M+N, growth and shares."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from tests.builders import PARTIES
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP, release
from tests.integration.statistics.test_export_figures import SANYA_SHOP, _month, _rates
from tests.web.support import released_set, send_sets
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.demo.exports import build_export_set
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.sharing import position_of
from cbec.statistics import months as month_layer
from cbec.statistics import rollup as rollup_module
from cbec.statistics import to_csv
from cbec.statistics.cube import rollup_figures
from cbec.statistics.indicators import indicator_figures
from cbec.statistics.models import (
    StatRollup,
    StatRollupGoods,
    StatRollupGoodsMonth,
    StatRollupMatch,
    StatRollupMonth,
    StatRollupPending,
)
from cbec.statistics.queries import figure_breakdown, hub_view, rollup_indicators
from cbec.statistics.rollup import CONSUMER, run_rollup
from cbec.statistics.rules import parse_span

MARCH = parse_span("2026-03")
TODAY = date(2026, 3, 31)


def _figures(zone: Zone, period: str = "2026-03", tenant: str = "hub") -> dict[str, Decimal | None]:
    span = parse_span(period)
    assert span is not None
    with zone.ctx.uow() as uow:
        return {f.code: f.value for f in rollup_figures(uow.session, span, tenant, today=TODAY)}


def _stored(zone: Zone) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with zone.ctx.uow() as uow:
        r, g = StatRollup, StatRollupGoods
        inventories = uow.session.execute(
            select(r.day, r.tenant, r.direction, r.mode, r.platform_code, r.ecommerce_code, r.declared, r.refused,
                   r.released, r.released_lines, r.released_fen, r.unconverted_lines, r.returned, r.returned_fen)
            .order_by(r.day, r.tenant, r.direction, r.mode, r.platform_code, r.ecommerce_code)
        ).all()  # fmt: skip
        goods = uow.session.execute(
            select(g.day, g.tenant, g.direction, g.mode, g.country, g.hs_chapter, g.released, g.released_lines,
                   g.released_fen)
            .order_by(g.day, g.tenant, g.direction, g.mode, g.country, g.hs_chapter)
        ).all()  # fmt: skip
        return [tuple(row) for row in inventories], [tuple(row) for row in goods]


def test_a_months_rollups_give_the_facts_figures_exactly(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    report = run_rollup(zone.ctx)
    assert (report.inventories, report.position) == (8, position_of(zone.ctx, CONSUMER))
    exports = Decimal("107338.00")
    hhi = (Decimal(838) / exports) ** 2 + (Decimal(106500) / exports) ** 2
    figures = _figures(zone)
    assert {code: figures[code] for code in list(figures)[:13]} == {
        "import_value_cny": Decimal("596.00"),
        "export_value_cny": exports,
        "import_inventories": Decimal(1),
        "export_inventories": Decimal(4),
        "value_9610_cny": Decimal("834.00"),
        "value_1210_cny": Decimal("0.00"),
        "value_9710_cny": Decimal("106500.00"),
        "value_9810_cny": Decimal("600.00"),
        "active_enterprises": Decimal(1),
        "b2b_share": Decimal("99.78"),
        "export_markets": Decimal(3),
        "destination_diversity": (1 - hhi).quantize(Decimal("0.0001")),
        "refusal_rate": Decimal("14.29"),
    }
    facts = {f.code: f.value for f in indicator_figures(zone.ctx, date(2026, 3, 1), date(2026, 3, 31))}
    assert {code: facts[code] for code in list(figures)[:13]} == {code: figures[code] for code in list(figures)[:13]}
    assert {code: figures[code] for code in list(figures)[13:]} == {
        "trade_value_cny": Decimal("107934.00"),
        "refused_inventories": Decimal(1),
        "returned_value_cny": Decimal("0.00"),
        "return_rate": Decimal("0.00"),
        "import_value_yoy": None,  # nothing in March 2025: no base
        "export_value_yoy": None,
        "trade_value_yoy": None,
        "import_value_mom": None,
        "export_value_mom": None,
        "trade_value_mom": None,
        "trade_value_share": Decimal("1.0000"),
        "trade_value_contribution": Decimal("1.0000"),
        "trade_value_pull": None,
        "trade_value_ytd_cny": Decimal("107934.00"),  # nothing before March: the month is the year so far
        "trade_value_ytd_yoy": None,
        "trade_value_cagr_3y": None,  # nothing in March 2023
        "first_pass_rate": Decimal("85.71"),  # 6 of 7 declared: each decided by its own message, one refused
        "export_cr3": Decimal("1.0000"),  # three markets: the top three are all
    }


GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "statistics"


def test_the_months_figures_and_breakdowns_are_the_golden_files(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    """The CSV of every breakdown of March (UTF-8 with BOM), byte for byte: values, shares, refusals per mode."""
    _month(zone, clock, tmp_path)
    run_rollup(zone.ctx)
    assert MARCH is not None
    assert (
        to_csv([f.as_row() for f in rollup_indicators(zone.ctx, MARCH, "hub")])
        == (GOLDEN / "figures-hub-2026-03.csv").read_bytes()
    )
    for by in ("mode", "country", "chapter", "day", "enterprise", "platform"):
        assert (
            to_csv(figure_breakdown(zone.ctx, MARCH, "hub", by)) == (GOLDEN / f"by-{by}-hub-2026-03.csv").read_bytes()
        ), by


def test_exactly_once_and_a_replay_from_any_position_rebuilds_the_same_rows(
    zone: Zone, clock: FixedClock, tmp_path: Path
) -> None:
    _month(zone, clock, tmp_path)
    first = run_rollup(zone.ctx)
    rows = _stored(zone)
    assert (len(rows[0]), len(rows[1])) == (4, 10)  # goods: 5 cells by country, 5 by HS chapter
    again = run_rollup(zone.ctx)  # nothing new: nothing recounted, nothing moves
    assert (again.events, again.inventories, again.position, _stored(zone)) == (0, 0, first.position, rows)
    with zone.ctx.uow() as uow:  # lose the rollups entirely, then replay every event
        for model in (StatRollup, StatRollupGoods):
            uow.session.execute(delete(model))
        uow.commit()
    replayed = run_rollup(zone.ctx, replay_from=0)
    assert (replayed.events, replayed.inventories, _stored(zone)) == (first.events, 8, rows)
    middle = run_rollup(zone.ctx, replay_from=first.position // 2)
    assert (0 < middle.inventories < 8, _stored(zone)) == (True, rows)
    full = run_rollup(zone.ctx, full=True)
    assert (full.days, _stored(zone)) == (2, rows)  # the hub on 1 March and on 2 March
    with zone.ctx.uow() as uow:
        assert uow.session.execute(select(StatRollupPending)).all() == []


def test_a_failed_recount_keeps_the_marks_and_the_next_run_counts_them(
    zone: Zone, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consumer's marks commit with its position; a recount that fails leaves them for the next run."""
    _month(zone, clock, tmp_path)

    def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollup_module, "recount", broken)
    with pytest.raises(RuntimeError):
        run_rollup(zone.ctx)
    with zone.ctx.uow() as uow:
        assert len(uow.session.execute(select(StatRollupPending)).all()) == 8
        assert uow.session.execute(select(StatRollup)).all() == []
    monkeypatch.undo()
    done = run_rollup(zone.ctx)
    assert (done.events, done.inventories) == (0, 8)  # the events were consumed once; their marks survived
    assert _figures(zone)["export_value_cny"] == Decimal("107338.00")


def _sanya(zone: Zone, tmp_path: Path) -> None:
    """An export of the hub's own shop (118.00) and one of a Sanya shop (120.00) on 2 March 2026."""
    _rates(zone, tmp_path)
    create_tenant(zone.ctx, TenantCreate(path="hub/sanya", name="三亚分平台"), actor="test")
    create_tenant(zone.ctx, TenantCreate(path="hub/wenchang", name="文昌分平台"), actor="test")
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
    haikou = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-HK-1", logistics_no="LEHK1", at=AT)
    resort = build_export_set(
        replace(XP, ecommerce=SANYA_SHOP), [(LAMP, Decimal(1))], order_no="EX-SY-1", logistics_no="LESY1", at=AT
    )
    release(zone, [haikou, resort], ref="ARR-SCOPE")


def test_the_hubs_figures_are_the_sum_of_its_own_and_its_sub_platforms(zone: Zone, tmp_path: Path) -> None:
    """1+M+N from the rollups: own (hub) + every sub-platform = the hub's total, column by column."""
    _sanya(zone, tmp_path)
    run_rollup(zone.ctx)
    span = parse_span("2026-03")
    assert span is not None
    view = hub_view(zone.ctx, span, "hub")
    picked = [
        (r["tenant"], r["kind"], r["export_value_cny"], r["export_inventories"], r["trade_value_share"]) for r in view
    ]
    assert picked == [
        ("hub", "own", Decimal("118.00"), Decimal(1), Decimal("0.4958")),
        ("hub/sanya", "child", Decimal("120.00"), Decimal(1), Decimal("0.5042")),
        ("hub/wenchang", "child", Decimal("0.00"), Decimal(0), Decimal("0.0000")),
        ("hub", "total", Decimal("238.00"), Decimal(2), Decimal("1.0000")),
    ]
    *parts, total = view
    for code in ("trade_value_cny", "import_value_cny", "export_value_cny", "import_inventories",
                 "export_inventories", "refused_inventories", "returned_value_cny"):  # fmt: skip
        assert sum(row[code] for row in parts) == total[code], code
    assert _figures(zone, tenant="hub/sanya")["export_value_cny"] == Decimal("120.00")
    sanya = {f: v for f, v in _figures(zone, tenant="hub/sanya").items() if f.startswith("trade_value_s")}
    assert sanya == {"trade_value_share": Decimal("0.5042")}
    by_tenant = figure_breakdown(zone.ctx, span, "hub", "tenant")
    assert [(r["tenant"], r["value_cny"], r["share"]) for r in by_tenant] == [
        ("hub", Decimal("118.00"), Decimal("0.4958")),
        ("hub/sanya", Decimal("120.00"), Decimal("0.5042")),
    ]


def test_a_new_release_is_counted_incrementally(zone: Zone, tmp_path: Path) -> None:
    _sanya(zone, tmp_path)
    run_rollup(zone.ctx)
    own = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-HK-2", logistics_no="LEHK2", at=AT)
    release(zone, [own], ref="ARR-SCOPE-2")
    later = run_rollup(zone.ctx)
    assert later.inventories == 1  # only the new inventory is recounted (its day, its tenant)
    assert (_figures(zone)["export_value_cny"], _figures(zone, tenant="hub/sanya")["export_value_cny"]) == (
        Decimal("356.00"),
        Decimal("120.00"),
    )
    incremental = _stored(zone)
    assert _monthly(zone) == _months_of(incremental) != ([], [])  # the monthly layer follows the days recounted
    run_rollup(zone.ctx, full=True)
    assert _stored(zone) == incremental
    assert _monthly(zone) == _months_of(incremental)


def _monthly(zone: Zone) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with zone.ctx.uow() as uow:
        r, g = StatRollupMonth, StatRollupGoodsMonth
        inventories = uow.session.execute(
            select(r.month, r.tenant, r.direction, r.mode, r.platform_code, r.ecommerce_code, r.declared, r.refused,
                   r.released, r.released_lines, r.released_fen, r.unconverted_lines, r.returned, r.returned_fen)
            .order_by(r.month, r.tenant, r.direction, r.mode, r.platform_code, r.ecommerce_code)
        ).all()  # fmt: skip
        goods = uow.session.execute(
            select(g.month, g.tenant, g.direction, g.mode, g.country, g.hs_chapter, g.released, g.released_lines,
                   g.released_fen)
            .order_by(g.month, g.tenant, g.direction, g.mode, g.country, g.hs_chapter)
        ).all()  # fmt: skip
        return [tuple(row) for row in inventories], [tuple(row) for row in goods]


def _months_of(
    daily: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Add up daily rows (day first, then 5 keys, then measures) by calendar month, the way the layer should."""
    result = []
    for rows in daily:
        sums: dict[tuple[Any, ...], list[int]] = {}
        for day, *rest in rows:
            key = (day.replace(day=1), *rest[:5])
            cell = sums.setdefault(key, [0] * len(rest[5:]))
            for i, value in enumerate(rest[5:]):
                cell[i] += value
        result.append([(*key, *cell) for key, cell in sorted(sums.items())])
    return result[0], result[1]


def _row(day: date, tenant: str, direction: str, mode: str, value: str) -> StatRollup:
    return StatRollup(
        day=day, tenant=tenant, direction=direction, mode=mode, platform_code="4601960001",
        ecommerce_code="4601960002", declared=1, refused=0, released=1, released_lines=1,
        released_fen=int(Decimal(value) * 100), unconverted_lines=0, returned=0, returned_fen=0,
    )  # fmt: skip


def test_yoy_mom_shares_and_contributions_are_exact(zone: Zone) -> None:
    """Hand-checked: the hub grows 1,000.00 → 1,500.00 YoY in March (Sanya 400.00 → 900.00), February 1,200.00."""
    with zone.ctx.uow() as uow:
        uow.session.add_all(
            [
                _row(date(2023, 3, 20), "hub", "E", "9610", "1125.00"),  # three years before: the CAGR's base
                _row(date(2025, 3, 10), "hub", "E", "9610", "600.00"),
                _row(date(2025, 3, 11), "hub/sanya", "E", "9610", "400.00"),
                _row(date(2026, 2, 27), "hub", "I", "1210", "1200.00"),
                _row(date(2026, 3, 5), "hub", "E", "9610", "200.00"),
                _row(date(2026, 3, 6), "hub", "I", "1210", "400.00"),
                _row(date(2026, 3, 31), "hub/sanya", "E", "9710", "900.00"),
            ]
        )
        uow.session.flush()
        month_layer.rebuild_all(uow.session, [date(2023, 3, 20), date(2025, 3, 1), date(2026, 2, 1), date(2026, 3, 1)])
        uow.commit()
    hub = _figures(zone)
    assert {k: hub[k] for k in hub if k.endswith(("_yoy", "_mom", "_share", "_contribution", "_pull"))} == {
        "b2b_share": Decimal("81.82"),  # 900 / 1,100 × 100
        "import_value_yoy": None,  # no import in March 2025
        "export_value_yoy": Decimal("0.1000"),  # 1,100 / 1,000 − 1
        "trade_value_yoy": Decimal("0.5000"),  # 1,500 / 1,000 − 1
        "import_value_mom": Decimal("-0.6667"),  # 400 / 1,200 − 1 (half-up)
        "export_value_mom": None,  # no export in February
        "trade_value_mom": Decimal("0.2500"),  # 1,500 / 1,200 − 1
        "trade_value_share": Decimal("1.0000"),
        "trade_value_contribution": Decimal("1.0000"),
        "trade_value_pull": Decimal("0.5000"),
        "trade_value_ytd_yoy": Decimal("1.7000"),  # 1 Jan – 31 Mar: 2,700 against 1,000
    }
    assert hub["trade_value_ytd_cny"] == Decimal("2700.00")
    assert hub["trade_value_cagr_3y"] == Decimal("0.1006")  # (1,500 / 1,125)^(1/3) − 1 = 0.10064…
    sanya = _figures(zone, tenant="hub/sanya")
    assert (sanya["trade_value_yoy"], sanya["trade_value_share"], sanya["trade_value_contribution"]) == (
        Decimal("1.2500"),  # 900 / 400 − 1
        Decimal("0.6000"),  # 900 / 1,500
        Decimal("1.0000"),  # Δ 500 of the hub's Δ 500
    )
    assert sanya["trade_value_pull"] == Decimal("0.5000")  # 500 / 1,000 → 50 percentage points
    assert (sanya["value_9710_cny"], sanya["b2b_share"]) == (Decimal("900.00"), Decimal("100.00"))
    quarter = _figures(zone, "2026-Q1")
    assert (quarter["trade_value_cny"], quarter["trade_value_yoy"], quarter["trade_value_mom"]) == (
        Decimal("2700.00"),
        Decimal("1.7000"),  # Q1 2025: 1,000
        None,  # Q4 2025: nothing
    )
    span = parse_span("2026-03")
    assert span is not None
    modes = figure_breakdown(zone.ctx, span, "hub", "mode")
    assert [(r["mode"], r["direction"], r["value_cny"], r["share"], r["yoy"], r["contribution"]) for r in modes] == [
        ("1210", "I", Decimal("400.00"), Decimal("1.0000"), None, Decimal("1.0000")),
        ("9610", "E", Decimal("200.00"), Decimal("0.1818"), Decimal("-0.8000"), Decimal("-8.0000")),
        ("9710", "E", Decimal("900.00"), Decimal("0.8182"), None, Decimal("9.0000")),
    ]
    months = figure_breakdown(zone.ctx, parse_span("2025-03-01..2026-03-31") or span, "hub", "month")
    assert [(r["month"], r["direction"], r["value_cny"]) for r in months] == [
        ("2025-03", "E", Decimal("1000.00")),
        ("2026-02", "I", Decimal("1200.00")),
        ("2026-03", "E", Decimal("1100.00")),
        ("2026-03", "I", Decimal("400.00")),
    ]


def test_an_inventory_that_waited_for_its_partners_is_no_first_pass_match(zone: Zone, clock: FixedClock) -> None:
    """三单一次对碰: one set matched by the message that declares its inventory, one inventory that waits."""
    first, waits = released_set("ORD2026030200091"), released_set("ORD2026030200092")
    send_sets(zone, [first], arrive=False)  # order, payment, waybill, then the inventory: 2 and 120 in one message
    zone.send([waits.order], PARTIES.ecommerce)
    zone.send([waits.inventory], PARTIES.agent)  # no payment, no waybill yet: it stays at 2 (申报中)
    clock.advance(timedelta(minutes=7))
    zone.send([waits.payment], PARTIES.payment)
    zone.send([waits.waybill], PARTIES.logistics)  # now matched: its 120 carries a later time than its 2
    run_rollup(zone.ctx)
    figures = _figures(zone)
    assert (figures["first_pass_rate"], figures["refusal_rate"]) == (Decimal("50.00"), Decimal("0.00"))
    with zone.ctx.uow() as uow:
        matched = dict(uow.session.execute(select(StatRollupMatch.eport_no, StatRollupMatch.first_pass)).all())
    assert sorted(matched.values()) == [False, True]
    run_rollup(zone.ctx, replay_from=0)  # replaying the receipts decides nothing twice
    assert _figures(zone)["first_pass_rate"] == Decimal("50.00")
