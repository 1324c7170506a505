"""The stable SQL views for BI tools answer the same figures as the rollups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from tests.integration.statistics.test_export_figures import _month
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.statistics.cube import rollup_figures
from cbec.statistics.rules import parse_span
from cbec.statistics.service import run_rollup

MARCH = "day BETWEEN :start AND :end"


def _cny(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_views_add_up_to_the_rollups_figures(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    run_rollup(zone.ctx)
    span = parse_span("2026-03")
    assert span is not None
    window = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
    with zone.ctx.uow() as uow:
        session = uow.session
        figures = {f.code: f.value for f in rollup_figures(session, span, "hub", today=date(2026, 3, 31))}
        rows = session.execute(
            text(
                "SELECT direction, SUM(released), SUM(released_value_cny), MIN(caliber) FROM bi_stat_daily_v1 "
                f"WHERE {MARCH} GROUP BY direction ORDER BY direction"
            ),
            window,
        ).all()
        goods = session.execute(
            text(
                "SELECT country, SUM(released_value_cny) FROM bi_stat_goods_daily_v1 "
                f"WHERE {MARCH} AND direction = 'E' AND hs_chapter = '' GROUP BY country ORDER BY country"
            ),
            window,
        ).all()
        editions = session.execute(text("SELECT COUNT(*) FROM bi_index_editions_v1")).scalar_one()
        targets = session.execute(text("SELECT COUNT(*) FROM bi_stat_targets_v1")).scalar_one()
    by_direction = {d: (int(n), _cny(v), caliber) for d, n, v, caliber in rows}
    assert by_direction["E"] == (figures["export_inventories"], figures["export_value_cny"], "platform")
    assert by_direction["I"][1] == figures["import_value_cny"]
    assert sum((_cny(v) for _, v in goods), Decimal(0)) == figures["export_value_cny"]
    assert (editions, targets) == (0, 0)
