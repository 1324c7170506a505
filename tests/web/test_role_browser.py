"""The pages of issue 16 items 5 and 6 in a real browser (Debian's chromium, headless) at 1280 px and 390 px, in
Chinese and English, with screenshots in test-artifacts/screenshots/pages-*.png.

Every page is measured, not only looked at: the page does not scroll sideways (wide tables scroll inside their
own box), no text box reaches past the window outside such a box (clipped), no cell, label or value with three or
more characters is squeezed narrower than four characters over more than two lines (one character a line), every
table cell is at least MIN_CELL px wide, and every chart label is drawn at 11 px or more.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.builders import BUYER
from tests.web.support import PASSWORD, Portal, mismatched_set, released_set, send_sets
from tests.web.test_browser import DESKTOP, PHONE, _shoot, browser, server
from tests.web.test_export_pages import FIRST, held, released

from cbec.clearance.queries import held_queue, search_inventories
from cbec.exports.schemas import WarehouseCreate
from cbec.exports.service.registry import register_warehouse
from cbec.exports.service.tax import register_invoice, set_tax_profile

__all__ = ["browser", "server"]  # the fixtures of test_browser.py

SHOP = "4601960002"
MIN_CELL = 24
SCROLLERS = ".table-wrap, .chart-box, .nav-inner"
MEASURE = """([scrollers, minCell]) => {
  const faults = [];
  const width = window.innerWidth;
  const inScroller = (el) => el.closest(scrollers) !== null;
  for (const el of document.querySelectorAll('main *, header *, nav *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const text = (el.innerText || '').trim();
    if (!inScroller(el) && r.right > width + 1 && el.children.length === 0)
      faults.push('clipped ' + el.tagName + ' ' + text.slice(0, 30));
    if (['TD', 'TH', 'DT', 'DD', 'LABEL', 'SPAN', 'B', 'A', 'BUTTON', 'LI', 'P', 'H1', 'H2'].includes(el.tagName)
        && text.length >= 3 && !/\\s/.test(text.slice(0, 3))) {
      const style = getComputedStyle(el);
      const font = parseFloat(style.fontSize);
      const line = parseFloat(style.lineHeight) || font * 1.5;
      if (r.width < font * 4 && r.height > line * 2.5)
        faults.push('squeezed ' + el.tagName + ' ' + Math.round(r.width) + 'px ' + text.slice(0, 30));
    }
    if ((el.tagName === 'TD' || el.tagName === 'TH') && text.length > 0 && r.width < minCell)
      faults.push('narrow cell ' + Math.round(r.width) + 'px ' + text.slice(0, 30));
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const size = parseFloat(t.getAttribute('font-size')) * scale;
      if (size < 11) faults.push('chart label ' + size.toFixed(1) + 'px ' + t.textContent.slice(0, 20));
    }
  }
  return faults;
}"""


def check_layout(page: Any, width: int) -> None:
    """Assert the measured faults of the page are none and it does not scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(MEASURE, [SCROLLERS, MIN_CELL]) == []


def _tour(browser: Any, server: str, portal: Portal, user: str, pages: list[tuple[str, str, str]]) -> None:
    """Sign in as the user and open each (url, shot name, selector it waits for) at both widths in both languages."""
    portal.user(user)
    for viewport, size in ((DESKTOP, "desktop"), (PHONE, "phone")):
        for lang in ("zh", "en"):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto(f"{server}/login?next=/")
            page.fill("#username", user)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            for url, name, ready in pages:
                joiner = "&" if "?" in url else "?"
                page.goto(f"{server}{url}{joiner}lang={'en' if lang == 'en' else 'zh-CN'}")
                page.wait_for_selector(ready)
                try:
                    check_layout(page, viewport["width"])
                finally:
                    _shoot(page, f"pages-{name}-{lang}-{size}")
            context.close()


def test_enterprise_pages_fit_both_widths_in_both_languages(browser: Any, server: str, portal: Portal) -> None:
    send_sets(
        portal.zone,
        [released_set(f"ORD202603020004{n:02d}") for n in range(1, 4)] + [mismatched_set("ORD20260302000499")],
    )
    released(portal.zone, 2)
    ctx = portal.zone.ctx
    set_tax_profile(ctx, SHOP, refund_qualified=True, employees=120, total_assets=Decimal("5000000"))
    register_invoice(
        ctx,
        ecommerce_code=SHOP,
        invoice_no="FP0001",
        invoice_date=__import__("datetime").date(2026, 2, 20),
        inventory_no=FIRST,
        line_no=1,
        amount=Decimal("100"),
        vat_rate=Decimal("0.13"),
    )
    register_warehouse(
        ctx,
        WarehouseCreate(
            name="洛杉矶仓",
            operator_code=SHOP,
            country="502",
            address="1 Commerce Way, Ontario, CA",
            area_m2=Decimal("5000"),
            services=["storage", "returns", "fulfilment"],
        ),
    )
    [refused], _ = search_inventories(ctx, order_no="ORD20260302000499")
    refused_eport = refused.eport_no
    _tour(
        browser,
        server,
        portal,
        "shop",
        [
            ("/", "landing-shop", ".tiles"),
            ("/workspace/receipts", "receipts", ".receipt-cards"),
            ("/workspace/documents", "documents", "table.data"),
            ("/workspace/documents?q=ORD20260302000499", "documents-refused", "table.data"),
            (f"/workspace/documents/{refused_eport}", "document-refused", ".problem"),
            ("/workspace/products", "products", "#f-origin_country"),
            ("/workspace/export-tax", "export-tax-own", "#invoices"),
            ("/workspace/warehouses", "warehouses-own", "table.data"),
        ],
    )


def test_officer_pages_fit_both_widths_in_both_languages(browser: Any, server: str, portal: Portal) -> None:
    ctx = portal.zone.ctx
    ctx.settings = ctx.settings.model_copy(update={"review_value_at_or_above": Decimal("500")})
    send_sets(portal.zone, [released_set(f"ORD202603020005{n:02d}") for n in range(1, 4)])
    ctx.settings = ctx.settings.model_copy(update={"review_value_at_or_above": None})
    released(portal.zone, 3)
    held(portal.zone)
    queue = held_queue(ctx)
    register_warehouse(
        ctx,
        WarehouseCreate(
            name="法兰克福仓",
            operator_code=SHOP,
            country="304",
            address="Frankfurt am Main",
            area_m2=Decimal("3200"),
            services=["storage", "after-sales"],
        ),
    )
    _tour(
        browser,
        server,
        portal,
        "admin",
        [
            ("/", "landing-admin", ".tiles"),
            ("/console", "queue", "table.data"),
            (f"/console/inventories/{queue[0].inventory_no}", "dossier", "table.compare"),
            (f"/console/export-tax?enterprise={SHOP}", "export-tax-console", "#invoice_no"),
            ("/console/warehouses", "warehouses-console", "table.data"),
            ("/dashboard?year=2026", "dashboard-year", "#year-figures"),
            ("/dashboard?day=2026-03-02", "dashboard-day", "svg.chart"),
        ],
    )


def test_consumer_pages_fit_both_widths_in_both_languages(browser: Any, server: str, portal: Portal) -> None:
    send_sets(portal.zone, [released_set("ORD20260302000601")])
    client = portal.client()
    statement = client.post("/quota", data={"id_number": BUYER.id_number, "name": BUYER.name}).text
    token = statement.split('name="token" value="')[1].split('"')[0]
    eport = statement.split('name="inventory_ref" value="')[1].split('"')[0]
    reported = client.post("/quota/report", data={"token": token, "inventory_ref": eport, "note": ""}).text
    reference = reported.split('id="reference">')[1].split("<")[0]
    _tour(
        browser,
        server,
        portal,
        "consumer",
        [
            ("/", "landing-consumer", ".tiles"),
            ("/quota", "quota-signed-in", "#id_number"),
            (f"/quota/report-status?ref={reference}", "report-status", "#report-state"),
            ("/quota/report-status?ref=CR20260302999999", "report-status-unknown", "#report-not-found"),
        ],
    )


def test_credit_pages_fit_both_widths_in_both_languages(browser: Any, server: str, portal: Portal) -> None:
    from tests.web.test_credit_lists_pages import entry
    from tests.web.test_credit_pages import DIGEST, credit

    from cbec.common.clock import business_date
    from cbec.credit.schemas import ListEntryIn, ObjectionIn, RepairIn
    from cbec.credit.service import add_list_entry, alert_enterprises, apply_repair, file_objection

    ctx = portal.zone.ctx
    minor, general = credit(portal)
    body = RepairIn(
        fact_id=minor, evidence_sha256=DIGEST, description="罚款已缴清，整改完成", commitment="承诺守法经营"
    )
    apply_repair(ctx, body, actor="shop")
    file_objection(ctx, ObjectionIn(fact_id=general, reason="处罚决定已被行政复议撤销"), actor="shop")
    listed = entry(portal, SHOP, "court_dishonest", "(2026)琼01执601号")  # a list entry with measures, and an alert
    alert_enterprises(ctx)
    serious = ListEntryIn(
        subject=SHOP,
        list_type="customs_serious",
        source="customs",
        severity="serious",
        legal_basis="海关注册登记和备案企业信用管理办法 第十二条",
        document_no="海关信用〔2026〕601号",
        decided_on=business_date(ctx.clock.now()).isoformat(),
    )
    add_list_entry(ctx, serious, actor="zone")  # a serious list's entry waiting for a second officer
    _tour(browser, server, portal, "shop", [("/workspace/credit", "credit-mine", "#facts table.data")])
    office_pages(portal)
    _tour(
        browser,
        server,
        portal,
        "admin",
        [
            ("/console/credit", "credit-console", "#repairs table.data"),
            (f"/console/credit?q={SHOP}", "credit-subject", "#level"),
            ("/console/credit/lists", "credit-lists", "#alerts table.data"),
            ("/console/credit/lists#manage", "credit-lists-manage", "#requests table.data"),
            (f"/console/credit/lists/entries/{listed}", "credit-list-entry", "#correct form"),
            ("/public/credit", "credit-public", "#lists table.data"),
            ("/console/credit/facts/new", "credit-fact-new", "#fact-form form"),
            ("/console/credit/overrides", "credit-overrides", "#requests table.data"),
            ("/console/credit/rulesets", "credit-rulesets", "#proposals article"),
            ("/console/credit/thirdparty", "credit-thirdparty", "#reviews table.data"),
            ("/public/credit/method", "credit-method", "#dimensions table.data"),
        ],
    )


def office_pages(portal: Portal) -> None:
    """An override request, a ruleset proposal with its dry run and a third-party report under review."""
    import json
    from datetime import timedelta

    from tests.web.test_credit_office_pages import signed_report

    from cbec.common.clock import business_date
    from cbec.credit.schemas import OverrideRequestIn
    from cbec.credit.schemes import ConfigKind, shipped_documents
    from cbec.credit.service import import_reports, propose_override, propose_ruleset

    ctx = portal.zone.ctx
    today = business_date(ctx.clock.now())
    until = today + timedelta(days=90)
    propose_override(
        ctx, OverrideRequestIn(subject=SHOP, level="B", reason="整改到位，暂定 B 级", until=until), actor="zone"
    )
    ruleset = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)))
    ruleset.update(version="tour", effective_from=today.isoformat())
    propose_ruleset(ctx, ruleset, actor="zone")
    body, signature = signed_report(portal)
    import_reports(ctx, [{"report": body, "signature": signature}], actor="zone")
