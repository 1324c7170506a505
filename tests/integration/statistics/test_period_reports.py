"""Monthly and quarterly reports: the figures they show, kept revisions, the reports a daily run owes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from tests.integration.statistics.test_export_figures import _month
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.errors import InvalidInput, NotFound
from cbec.common.scope import Scope
from cbec.statistics.queries import due_reports, get_period_report, list_period_reports, report_data
from cbec.statistics.reports import due_periods
from cbec.statistics.service import run_rollup
from cbec.web.reports import generate_report


def test_due_periods_are_the_month_and_the_quarter_just_closed() -> None:
    assert due_periods(date(2026, 12, 7)) == ["2026-11"]
    assert due_periods(date(2026, 10, 1)) == ["2026-09", "2026-Q3"]
    assert due_periods(date(2027, 1, 31)) == ["2026-12", "2026-Q4"]


def test_a_report_shows_the_rollups_and_is_kept_as_revisions(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    run_rollup(zone.ctx)
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI))
    data = report_data(zone.ctx, "2026-03", "hub")
    assert (data.period, data.kind, data.start, data.end) == ("2026-03", "month", date(2026, 3, 1), date(2026, 3, 31))
    assert data.figure("export_value_cny") == "107338.00"
    assert [(r["mode"], r["direction"], r["value_cny"]) for r in data.by_mode if r["direction"] == "E"] == [
        ("9610", "E", "238.00"),
        ("9710", "E", "106500.00"),
        ("9810", "E", "600.00"),
    ]
    assert [r["tenant"] for r in data.hub] == ["hub", "hub/zhengzhou", "hub"]
    with pytest.raises(InvalidInput) as year:
        report_data(zone.ctx, "2026", "hub")
    assert [p.rule_id for p in year.value.problems] == ["STAT-REPORT-PERIOD"]

    assert due_reports(zone.ctx) == [
        ("hub", "2026-03"),
        ("hub", "2026-Q1"),
        ("hub/zhengzhou", "2026-03"),
        ("hub/zhengzhou", "2026-Q1"),
    ]
    first = generate_report(zone.ctx, "2026-03", "hub", lang="zh-CN", actor_name="office")
    second = generate_report(zone.ctx, "2026-03", "hub", lang="zh-CN", actor_name="office")
    assert (first.revision, second.revision, first.digest == second.digest) == (1, 2, True)
    kept = get_period_report(zone.ctx, second.id, Scope(tenant="hub"))
    assert kept.html is not None and "跨境电商统计月报（2026-03）" in kept.html and "107338.00" in kept.html
    assert "<script" not in kept.html and "http" not in kept.html.split("</style>", 1)[0]
    assert due_reports(zone.ctx) == [("hub", "2026-Q1"), ("hub/zhengzhou", "2026-03"), ("hub/zhengzhou", "2026-Q1")]
    city = generate_report(zone.ctx, "2026-Q1", "hub/zhengzhou", lang="en", actor_name="office")
    assert [r.period for r in list_period_reports(zone.ctx, Scope(tenant="hub/zhengzhou"))] == ["2026-Q1"]
    assert [r.id for r in list_period_reports(zone.ctx, Scope(tenant="hub"))] == [city.id, second.id, first.id]
    with pytest.raises(NotFound):
        get_period_report(zone.ctx, first.id, Scope(tenant="hub/zhengzhou"))
