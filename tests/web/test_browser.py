"""The portal in a real browser: Debian's chromium, headless, driven by Playwright against a live server.

Each test saves screenshots (desktop and phone width) to test-artifacts/screenshots/. Run only these with
``.venv/bin/pytest tests/web/test_browser.py``; ``make test`` installs chromium first (tools/install-browser.sh).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.builders import BUYER
from tests.web.support import PASSWORD, Portal, batch_files, mismatched_set, released_set, send_sets

from cbec.clearance.queries import inventory_detail

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
O1, O2, O3 = (f"ORD2026030200020{n}" for n in range(1, 4))


def _chromium() -> str:
    found = shutil.which("chromium") or next(
        (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
    )
    if found is None:
        pytest.skip("chromium is not installed and tools/install-browser.sh could not install it (needs apt-get)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module."""
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing (dev extra)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(portal: Portal) -> Iterator[str]:
    """Serve the portal's app with uvicorn on a free loopback port in a background thread; yield its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(portal.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)


def _page(browser: Any, viewport: dict[str, int] = DESKTOP) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    return context.new_page()


def _sign_in(page: Any, base: str, portal: Portal, username: str, then: str) -> None:
    portal.user(username)
    page.goto(f"{base}{then}")
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def _shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_enterprise_uploads_a_batch_and_reads_a_refusal(browser: Any, server: str, portal: Portal, tmp_path) -> None:
    files = batch_files(portal.zone, tmp_path, [released_set(O1), mismatched_set(O2)])
    page = _page(browser)
    _sign_in(page, server, portal, "agent", "/workspace/upload")  # transmits for every party of the batch
    page.set_input_files("#files", [str(f) for f in files])
    # A locator, not wait_for_function: a string predicate is eval'd, which the pages' CSP (no unsafe-eval) refuses.
    page.locator("#upload-tally", has_text="4 / 4").wait_for()
    items = page.locator("#uploads > li")
    assert items.count() == 5  # the zip holds two messages
    assert page.locator("#uploads > li[data-outcome=processed]").count() == 5
    refusal = page.locator(".problem", has_text="CEB-M3").first
    assert "支付金额与订单实际支付金额不一致" in refusal.inner_text()
    assert "支付单的支付金额必须与订单的实际支付金额完全一致" in refusal.inner_text()
    _shoot(page, "workspace-upload")

    page.goto(f"{server}/workspace/documents?q={O2}")
    page.click("table.data td.mono a")  # the refused inventory keeps its E-port number
    page.wait_for_selector(".timeline li.bad")
    assert page.locator(".timeline li.bad").inner_text().startswith("100 退单")
    assert "支付单 · 实际支付金额" in page.locator(".problem").first.inner_text()
    _shoot(page, "workspace-refusal")

    page.goto(f"{server}/workspace/documents/46012026I000000001")
    assert page.locator(".timeline li.done").count() == 4
    _shoot(page, "workspace-released")
    phone = _page(browser, PHONE)
    _sign_in(phone, server, portal, "shop", "/workspace")
    _shoot(phone, "workspace-overview-phone")


def test_officer_releases_a_held_inventory(browser: Any, server: str, portal: Portal) -> None:
    ctx = portal.zone.ctx
    ctx.settings = ctx.settings.model_copy(update={"review_value_at_or_above": Decimal("500")})
    send_sets(portal.zone, [released_set(O1)])
    page = _page(browser)
    _sign_in(page, server, portal, "officer", "/console")
    assert "达到人工审核阈值 500" in page.locator("table.data").inner_text()
    _shoot(page, "console-queue")
    page.click("a.btn:has-text('审核')")
    page.wait_for_selector("table.compare")
    assert "110105********002X" in page.locator("table.compare").inner_text()
    _shoot(page, "console-dossier")
    page.fill("#comment", "核对发票与申报一致")
    page.click("button[value=release]")
    page.wait_for_selector(".flash.ok")
    assert page.locator(".flash.ok").inner_text() == "清单 46012026I000000001 已放行。"
    assert inventory_detail(ctx, "46012026I000000001").summary.status == "800"
    _shoot(page, "console-released")


def test_zone_dashboard_draws_its_charts(browser: Any, server: str, portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1), released_set(O3), mismatched_set(O2)])
    page = _page(browser)
    _sign_in(page, server, portal, "admin", "/dashboard/targets")
    page.fill("#target", "5000000000")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash.ok")
    page.goto(f"{server}/dashboard")
    charts = page.locator("svg.chart")
    assert charts.count() == 10  # 9 import and shared charts + destinations (主要目的国)
    assert all(charts.nth(i).bounding_box()["height"] > 20 for i in range(charts.count()))
    assert page.locator(".kpi").first.inner_text().startswith("2\n今日放行票数")
    assert "1,212.00 元 / 50.00 亿元" in page.locator(".target-row").first.inner_text()
    _shoot(page, "dashboard")
    phone = _page(browser, PHONE)
    _sign_in(phone, server, portal, "admin", "/dashboard")
    _shoot(phone, "dashboard-phone")


def test_consumer_looks_up_the_quota_and_reports_an_order(browser: Any, server: str, portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    page = _page(browser, PHONE)
    page.goto(f"{server}/quota")
    _shoot(page, "quota-form-phone")
    page.fill("#id_number", BUYER.id_number)
    page.fill("#name", BUYER.name)
    page.click("main form button[type=submit]")
    page.wait_for_selector(".quota-figures")
    assert page.locator(".quota-figures").inner_text().split() == [
        "26,000.00",
        "年度限值（元）",
        "606.00",
        "已用（元）",
        "25,394.00",
        "剩余（元）",
    ]
    _shoot(page, "quota-statement-phone")
    page.click("summary:has-text('非本人购买')")
    page.fill("textarea[name=note]", "我没有在该平台购物")
    page.click("button:has-text('举报此清单')")
    page.wait_for_selector("#reference")
    assert page.locator("#reference").inner_text().startswith("CR")
    _shoot(page, "quota-reported-phone")
    english = _page(browser)
    english.goto(f"{server}/quota?lang=en")
    assert english.locator("h1").inner_text() == "Personal annual quota"
    _shoot(english, "quota-form-en")
    # the zone office closes the report with its outcome: without one the browser does not send the form
    office = _page(browser)
    _sign_in(office, server, portal, "admin", "/console/reports")
    office.fill("input[name=comment]", "平台核实非本人下单")
    office.click("button:has-text('办结')")
    assert office.url == f"{server}/console/reports"  # the required outcome stopped the submission
    office.select_option("select[name=outcome]", "confirmed")
    office.click("button:has-text('办结')")
    office.wait_for_selector(".flash.ok")
    office.goto(f"{server}/console/reports?status=reviewed")
    assert "属实：身份被冒用 · 平台核实非本人下单" in office.locator("table.data").inner_text()
    _shoot(office, "console-report-confirmed")
