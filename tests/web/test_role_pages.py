"""Contract of the pages of issue 16 items 5 and 6: each role's landing tiles, the consumer's sign-in state and
report status, export tax profiles and invoices, the overseas-warehouse registry, the dashboard's year and the
paged receipts and console queue."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from tests.builders import BUYER
from tests.web.support import Portal, csrf_of, released_set, send_sets
from tests.web.test_export_pages import FIRST, released

from cbec.exports.schemas import WarehouseCreate
from cbec.exports.service.registry import register_warehouse
from cbec.statistics.service import review_consumer_report

TILE = re.compile(r'<a class="tile" href="([^"]+)">')
SHOP = "4601960002"  # PARTIES.ecommerce: the shop's enterprise, the consignor of the export sets

# What each role's front page offers: exactly the pages its guards admit it to.
LANDING = {
    "shop": [
        "/workspace",
        "/workspace/upload",
        "/workspace/exports",
        "/workspace/warehouses",
        "/quota",
        "/quota/report-status",
    ],
    "officer": [
        "/console",
        "/console/exports",
        "/console/export-tax",
        "/dashboard",
        "/console/warehouses",
        "/quota",
        "/quota/report-status",
    ],
    "taxman": [
        "/console/exports",
        "/console/export-tax",
        "/dashboard",
        "/console/warehouses",
        "/quota",
        "/quota/report-status",
    ],
    "admin": [
        "/console",
        "/console/exports",
        "/console/export-tax",
        "/dashboard",
        "/console/warehouses",
        "/quota",
        "/quota/report-status",
    ],
    "auditor": ["/dashboard", "/quota", "/quota/report-status"],
    "consumer": ["/quota", "/quota/report-status"],
}


@pytest.mark.parametrize("user", sorted(LANDING))
def test_each_role_lands_on_the_tiles_it_may_open_and_every_tile_opens(portal: Portal, user: str) -> None:
    client = portal.client(user)
    tiles = TILE.findall(client.get("/").text)
    assert tiles == LANDING[user]
    assert {tile: client.get(tile).status_code for tile in tiles} == dict.fromkeys(tiles, 200)


def test_a_tax_officer_sees_the_console_tabs_it_may_open_only(portal: Portal) -> None:
    page = portal.client("taxman").get("/console/exports").text
    tabs = re.findall(r'<a href="(/console[^"]*)"', page.split('class="nav tabs-card"')[1].split("</nav>")[0])
    assert tabs == [
        "/console/exports",
        "/console/export-tax",
        "/console/warehouses",
        "/console/enterprises",
        "/console/credit",  # credit.manage: repairs and objections of tax facts
    ]
    assert portal.client("taxman").get("/console").status_code == 403


def test_a_signed_in_consumer_is_shown_signed_in_on_the_quota_pages(portal: Portal) -> None:
    client = portal.client("consumer")
    for url in ("/quota", "/quota/report-status"):
        page = client.get(url).text
        assert ("consumer · 消费者" in page, ">退出</button>" in page, ">登录</a>" in page) == (True, True, False)
    anonymous = portal.client().get("/quota").text
    assert (">登录</a>" in anonymous, ">退出</button>" in anonymous) == (True, False)


def _report(portal: Portal) -> str:
    send_sets(portal.zone, [released_set("ORD20260302000101")])
    statement = portal.client().post("/quota", data={"id_number": BUYER.id_number, "name": BUYER.name}).text
    token = statement.split('name="token" value="')[1].split('"')[0]
    eport = statement.split('name="inventory_ref" value="')[1].split('"')[0]
    reported = portal.client().post("/quota/report", data={"token": token, "inventory_ref": eport, "note": "不是我"})
    found = re.search(r'<p class="ref" id="reference">(CR\d{14})</p>', reported.text)
    assert found is not None
    assert f'href="/quota/report-status?ref={found.group(1)}"' in reported.text
    return found.group(1)


def test_the_report_status_page_finds_a_report_by_its_reference_number(portal: Portal) -> None:
    reference = _report(portal)
    page = portal.client().get(f"/quota/report-status?ref={reference}")
    assert page.status_code == 200
    assert '<span class="badge s-120" id="report-state">处理中</span>' in page.text
    assert "不是我" not in page.text  # the note stays with the office
    english = portal.client(lang="en").get(f"/quota/report-status?ref={reference.lower()}").text
    assert '<span class="badge s-120" id="report-state">Being looked into</span>' in english
    review_consumer_report(portal.zone.ctx, reference, actor="admin", comment="已核实", outcome="not_confirmed")
    closed = portal.client().get(f"/quota/report-status?ref={reference}").text
    assert '<span class="badge ok" id="report-state">已办结</span>' in closed
    assert "已核实" not in closed


def test_the_report_status_page_says_what_is_wrong_with_a_reference(portal: Portal) -> None:
    client = portal.client()
    assert client.get("/quota/report-status").status_code == 200
    bad = client.get("/quota/report-status?ref=12345")
    assert bad.status_code == 422 and "受理编号应为 CR 加 14 位数字" in bad.text
    unknown = client.get("/quota/report-status?ref=CR20260302999999")
    assert unknown.status_code == 404
    assert "未找到受理编号为 CR20260302999999 的举报" in unknown.text


def test_zone_office_records_a_tax_profile_and_an_invoice_the_shop_then_reads(portal: Portal) -> None:
    released(portal.zone, 1)
    admin = portal.client("admin")
    page = admin.get(f"/console/export-tax?enterprise={SHOP}").text
    assert 'id="no-profile"' in page and f'<option value="{SHOP}" selected>{SHOP} ' in page
    token = csrf_of(page)
    saved = admin.post(
        f"/console/export-tax/{SHOP}/profile",
        data={
            "csrf_token": token,
            "refund_qualified": "yes",
            "tax_registered": "yes",
            "employees": "120",
            "total_assets": "5,000,000",
            "restricted_industry": "no",
        },
        follow_redirects=False,
    )
    assert (saved.status_code, saved.headers["location"]) == (
        303,
        f"/console/export-tax?enterprise={SHOP}&saved=profile",
    )
    wrong = admin.post(
        f"/console/export-tax/{SHOP}/invoices",
        data={
            "csrf_token": token,
            "invoice_no": "FP001",
            "invoice_date": "2026-02-30",
            "inventory_no": FIRST,
            "line_no": "x",
            "amount": "abc",
            "vat_rate": "0.13",
        },
    )
    assert wrong.status_code == 422
    for text in ("开票日期格式应为 2026-03-02", "商品序号须为从 1 开始的整数", "“abc”不是数字"):
        assert f"<li>{text} — 按上面的提示重新填写该项后再提交。</li>" in wrong.text
    huge = admin.post(
        f"/console/export-tax/{SHOP}/profile",
        data={"csrf_token": token, "employees": "99999999999", "total_assets": "1e30"},
    )
    assert huge.status_code == 422
    assert "<li>从业人数须为整数 — 按上面的提示重新填写该项后再提交。</li>" in huge.text
    assert "<li>数额过大：整数部分不超过 14 位 — 按上面的提示重新填写该项后再提交。</li>" in huge.text
    linked = admin.post(
        f"/console/export-tax/{SHOP}/invoices",
        data={
            "csrf_token": token,
            "invoice_no": "FP001",
            "invoice_date": "2026-02-20",
            "inventory_no": FIRST,
            "line_no": "1",
            "amount": "100.00",
            "vat_rate": "0.13",
        },
        follow_redirects=False,
    )
    assert linked.status_code == 303
    mine = portal.client("shop").get("/workspace/export-tax").text
    assert "<dd>5,000,000.00 元</dd>" in mine and "<dd>120</dd>" in mine
    assert (
        f'<td class="mono nowrap">FP001</td><td class="nowrap">2026-02-20</td><td class="mono nowrap">{FIRST}</td>'
        in mine
    )
    assert "/profile" not in mine  # no form: the zone office keeps the file


def test_warehouse_registry_names_countries_and_shows_counts_to_the_hub_only(portal: Portal) -> None:
    register_warehouse(
        portal.zone.ctx,
        WarehouseCreate(
            name="洛杉矶仓",
            operator_code=SHOP,
            country="502",
            address="Ontario, CA",
            area_m2=Decimal("5000"),
            services=["storage", "returns"],
        ),
    )
    admin = portal.client("admin").get("/console/warehouses").text
    shop = portal.client("shop").get("/workspace/warehouses?country=502").text
    assert '<td class="nowrap">502 美国</td>' in admin and "退货处理、仓储" in admin
    assert ("9810 清单数" in admin, "9810 清单数" in shop, '<td class="nowrap">502 美国</td>' in shop) == (
        True,
        False,
        True,
    )
    assert '<option value="502" selected>502 美国</option>' in shop
    assert "共 0 个海外仓" in portal.client("shop").get("/workspace/warehouses?country=303").text


def test_dashboard_shows_a_whole_year_with_exports(portal: Portal) -> None:
    released(portal.zone, 3)
    page = portal.client("admin").get("/dashboard?year=2026").text
    year = page.split('id="year-figures"')[1].split("</section>")[0]
    assert "2026 年全年业务量" in year
    assert re.search(r"出口小计</td><td>出口</td><td class=\"num\">3</td><td class=\"num\">3</td>", year)
    assert '<option value="2026" selected>2026</option>' in page
    assert 'id="year-figures"' not in portal.client("admin").get("/dashboard?day=2026-03-02").text


def test_receipts_come_fifty_a_page_newest_first(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(f"ORD202603020003{n:02d}") for n in range(1, 16)])
    client = portal.client("shop")
    first = client.get("/workspace/receipts").text
    total = int(re.search(r"共 (\d+) 条回执", first).group(1))  # type: ignore[union-attr]
    assert total > 50 and first.count('<li class="receipt-card') == 50
    assert f"第 1–50 条，共 {total} 条" in first
    assert '<b class="page current" aria-current="page">1</b><a class="page" href="?offset=50">2</a>' in first
    second = client.get("/workspace/receipts?offset=50").text
    assert '<a class="page" href="?offset=0">1</a><b class="page current" aria-current="page">2</b>' in second
    assert second.count('<li class="receipt-card') == min(50, total - 50)
    assert client.get("/workspace/receipts?offset=-5").status_code == 200


def test_product_form_picks_countries_and_units_by_name(portal: Portal) -> None:
    page = portal.client("shop").get("/workspace/products").text
    assert '<select id="f-origin_country" name="origin_country">' in page
    assert '<option value="502">502 美国</option>' in page and '<option value="036">036 克</option>' in page
    english = portal.client("shop", lang="en").get("/workspace/products").text
    assert '<option value="502">502 United States</option>' in english
    assert '<option value="036">036 gram</option>' in english  # units carry English names (reference/data/unit.csv)


def test_a_document_names_its_parties_beside_their_codes(portal: Portal) -> None:
    send_sets(portal.zone, [released_set("ORD20260302000701")])
    page = portal.client("shop").get("/workspace/documents/46012026I000000001").text
    assert f'电商企业 <span class="mono">{SHOP}</span> 海口全球购电子商务有限公司' in page
    assert "9610 直购进口" in page
