"""Daily rollups from the event outbox: exact figures of a month, exactly once, replay, 1+M+N, growth and shares."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP, release
from tests.integration.statistics.test_export_figures import SANYA_SHOP, _month, _rates
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.demo.exports import build_export_set
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.sharing import position_of
from cbec.statistics.cube import breakdown, rollup_figures
from cbec.statistics.indicators import indicator_figures
from cbec.statistics.models import StatRollup, StatRollupGoods, StatRollupPending
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
                   r.released, r.released_lines, r.released_value, r.unconverted_lines, r.returned, r.returned_value)
            .order_by(r.day, r.tenant, r.direction, r.mode, r.platform_code, r.ecommerce_code)
        ).all()  # fmt: skip
        goods = uow.session.execute(
            select(g.day, g.tenant, g.direction, g.mode, g.country, g.hs_chapter, g.released, g.released_lines,
                   g.released_value)
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
    }
