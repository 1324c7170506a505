"""The statistics pages in a real browser: a zone office picks a period and tenant, downloads the XLSX, sets a
sub-platform's target, publishes an index edition and verifies it, and generates the monthly report (desktop and
phone screenshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.support import Portal
from tests.web.test_browser import PHONE, _page, _shoot, _sign_in, browser, server
from tests.web.test_statistics_pages import _zone

from cbec.common.clock import FixedClock

__all__ = ["browser", "server"]


def test_a_zone_office_works_through_figures_targets_and_the_index(
    browser: Any, server: str, portal: Portal, clock: FixedClock, tmp_path: Path
) -> None:
    _zone(portal.zone, clock, tmp_path)
    page = _page(browser)
    _sign_in(page, server, portal, "admin", "/dashboard/figures")
    page.fill("#period", "2026-03")
    page.select_option("#tenant", "hub")
    page.click("#figures-form button[type=submit]")
    row = page.locator('tr[data-code="export_value_cny"]')
    assert row.locator("td").nth(1).inner_text() == "107338.00"
    assert row.locator("td").nth(3).inner_text() == "管理平台数据口径"
    with page.expect_download() as download:
        page.click("#download-xlsx")
    assert download.value.suggested_filename == "figures-hub-2026-03.xlsx"
    _shoot(page, "statistics-figures")

    page.goto(f"{server}/dashboard/plan")
    page.select_option("#plan-form #tenant", "hub/zhengzhou")
    page.select_option("#plan-form #indicator", "export_value_cny")
    page.fill("#plan-form #period", "2026")
    page.fill("#plan-form #target", "2000000")
    page.click("#plan-form button[type=submit]")
    page.locator(".flash.ok").wait_for()
    assert "hub/zhengzhou" in page.locator("#targets").inner_text()

    page.goto(f"{server}/dashboard/index")
    page.fill("#label", "2026-B1")
    page.fill("#zones", "hub hub/zhengzhou")
    page.fill("#years", "2025-2026")
    page.click("#publish-form button[type=submit]")
    page.wait_for_url(f"{server}/dashboard/index/2026-B1")
    page.click("#verify")
    assert "已按发布的输入重算" in page.locator("#verify-result").inner_text()
    _shoot(page, "statistics-edition")

    page.goto(f"{server}/dashboard/reports")
    page.fill("#report-form #period", "2026-03")
    page.click("#report-form button[type=submit]")
    page.locator("#report-title").wait_for()
    assert page.locator("#report-title").inner_text() == "综试区总平台 跨境电商统计月报（2026-03）"
    assert page.locator("svg.chart").count() == 3
    _shoot(page, "statistics-report")

    phone = _page(browser, PHONE)
    _sign_in(phone, server, portal, "admin", "/dashboard/index/2026-B1")
    assert phone.locator("#edition-values tr").count() == 5  # header + 2 zones × 2 years
    _shoot(phone, "statistics-edition-phone")
