"""The export pages in a real browser (Debian's chromium, headless) at 1280 px and 390 px, with screenshots in
test-artifacts/screenshots/exports-*.png: nothing wider than the window but the scrolling tables."""

from __future__ import annotations

from typing import Any

from tests.web.support import Portal
from tests.web.test_browser import DESKTOP, PHONE, _page, _shoot, _sign_in, browser, server
from tests.web.test_export_pages import FIRST, held, released, summarised

__all__ = ["browser", "server"]  # the fixtures of test_browser.py


def _fits(page: Any, width: int) -> None:
    """The page does not scroll sideways (wide tables scroll inside their own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _both(browser: Any, server: str, portal: Portal, username: str, url: str, name: str, ready: str) -> None:
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page = _page(browser, viewport)
        _sign_in(page, server, portal, username, url)
        page.wait_for_selector(ready)
        _fits(page, viewport["width"])
        _shoot(page, f"{name}{suffix}")
        page.context.close()


def test_enterprise_export_pages_at_both_widths(browser: Any, server: str, portal: Portal) -> None:
    chosen, numbers = released(portal.zone, 21)
    summarised(portal.zone, chosen[:2], numbers[:2])
    _both(browser, server, portal, "shop", "/workspace/exports", "exports-list", ".pager")
    _both(browser, server, portal, "shop", f"/workspace/exports/{FIRST}", "exports-document", "ol.receipt-list")
    _both(browser, server, portal, "shop", "/workspace/export-summaries", "exports-summaries", "ul.plain")
    _both(browser, server, portal, "shop", "/workspace/export-ledger?period=2026-03", "exports-ledger", ".pager")


def test_officer_decides_a_held_export_at_both_widths(browser: Any, server: str, portal: Portal) -> None:
    number = held(portal.zone)
    _both(browser, server, portal, "officer", "/console/exports", "exports-held", "table.data")
    _both(browser, server, portal, "officer", f"/console/exports/{number}", "exports-decision", "#comment")
    page = _page(browser, PHONE)
    _sign_in(page, server, portal, "officer", f"/console/exports/{number}")
    page.fill("#comment", "单证相符，予以放行")
    page.click("button[value=release]")
    page.wait_for_selector(".flash.ok")
    assert page.locator(".flash.ok").inner_text() == f"出口清单 {number} 已放行。"
    _fits(page, PHONE["width"])
    _shoot(page, "exports-released-phone")


def test_dashboard_of_a_chosen_day_at_both_widths(browser: Any, server: str, portal: Portal) -> None:
    released(portal.zone, 3)
    _both(browser, server, portal, "admin", "/dashboard?day=2026-03-02", "exports-dashboard-day", "svg.chart")
