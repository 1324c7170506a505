"""Contract of the portal's pages: who may open them, what they show, their forms, and the language switch."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import text
from tests.builders import BUYER, PARTIES
from tests.integration.exports.export_zone import AT, TEE, XP, release
from tests.web.support import Portal, batch_files, csrf_of, mismatched_set, released_set, send_sets

from cbec.audit.models import AuditRecord
from cbec.clearance.queries import inventory_detail
from cbec.common.ids import make_uscc
from cbec.demo.exports import build_export_set
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import file_enterprise, get_enterprise
from cbec.exports.service.reference import seed_export_reference

O1, O2, O3, O4, O5 = (f"ORD2026030200010{n}" for n in range(1, 6))
PAGES = {
    "shop": [
        "/workspace",
        "/workspace/upload",
        "/workspace/documents",
        "/workspace/receipts",
        "/workspace/tax-bills",
        "/workspace/products",
    ],
    "officer": ["/console", "/console/search", "/console/enterprises", "/console/reports", "/dashboard"],
    "admin": ["/console", "/dashboard", "/dashboard/targets"],
    "auditor": ["/dashboard", "/dashboard/targets"],
}


def _held(portal: Portal) -> None:
    """Send one released and one mismatched set, then one set held for review at 500 yuan."""
    send_sets(portal.zone, [released_set(O1), mismatched_set(O2)])
    ctx = portal.zone.ctx
    ctx.settings = ctx.settings.model_copy(update={"review_value_at_or_above": Decimal("500")})
    send_sets(portal.zone, [released_set(O3)])


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/workspace", "/workspace/upload", "/console", "/console/enterprises", "/dashboard"])
def test_signed_out_visitors_go_to_the_sign_in_page(portal: Portal, path: str) -> None:
    response = portal.client().get(path, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, f"/login?next={path.replace('/', '%2F')}")


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("shop", "/console"),
        ("shop", "/dashboard"),
        ("officer", "/workspace"),
        ("auditor", "/console"),
        ("auditor", "/workspace"),
    ],
)
def test_each_part_of_the_portal_refuses_the_other_roles(portal: Portal, user: str, path: str) -> None:
    response = portal.client(user).get(path)
    assert response.status_code == 403
    assert "无权访问" in response.text


@pytest.mark.parametrize(("user", "path"), [(u, p) for u, paths in PAGES.items() for p in paths])
def test_every_page_opens_for_its_roles(portal: Portal, user: str, path: str) -> None:
    response = portal.client(user).get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<link rel="stylesheet" href="/assets/portal.css">' in response.text


def test_navigation_shows_only_the_sections_of_the_role(portal: Portal) -> None:
    shop = portal.client("shop").get("/").text
    admin = portal.client("admin").get("/").text
    anonymous = portal.client().get("/").text
    assert ('href="/workspace"' in shop, 'href="/console" class' in shop) == (True, False)
    assert (">监管工作台</a>" in admin, ">综试办看板</a>" in admin, ">企业工作台</a>" in admin) == (True, True, False)
    assert ">登录</a>" in anonymous and ">个人额度查询</a>" in anonymous


def test_assets_are_served_from_the_package(portal: Portal) -> None:
    client = portal.client()
    css, js = client.get("/assets/portal.css"), client.get("/assets/upload.js")
    assert (css.status_code, css.headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert (js.status_code, js.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert client.get("/assets/../pages.py").status_code == 404
    assert client.get("/assets/other.js").status_code == 404


# --- language -----------------------------------------------------------------------------------------------


def test_chinese_first_english_by_query_then_by_cookie(portal: Portal) -> None:
    client = portal.client()
    assert '<html lang="zh-CN">' in client.get("/quota").text
    english = client.get("/quota?lang=en")
    assert '<html lang="en">' in english.text and "Personal annual quota" in english.text
    assert english.cookies.get("lang") == "en"
    assert "Resident ID number" in client.get("/quota").text
    back = client.get("/quota?lang=zh-CN")
    assert "身份证号码" in back.text and back.cookies.get("lang") == "zh-CN"


def test_errors_are_shown_in_the_page_language(portal: Portal) -> None:
    zh = portal.client().post("/quota", data={"id_number": "110105194912310021", "name": "张伟"})
    en = portal.client(lang="en").post("/quota", data={"id_number": "110105194912310021", "name": "张伟"})
    assert (zh.status_code, en.status_code) == (422, 422)
    assert (
        "<li>身份证号码校验位错误（应为 X，实为 1） — 核对 18 位公民身份号码：长度、出生日期和最后一位校验码。</li>"
        in zh.text
    )
    assert "The lookup was not accepted" in en.text and "Check the 18-character resident ID" in en.text


# --- enterprise workspace --------------------------------------------------------------------------------


def test_workspace_overview_shows_the_filing_and_latest_documents(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    page = portal.client("shop").get("/workspace").text
    assert PARTIES.ecommerce.name in page and "已备案" in page and "备案通过" in page
    assert "46012026I000000001" in page and "800 放行" in page


def test_upload_runs_each_file_through_intake_and_explains_refusals(portal: Portal, tmp_path) -> None:
    files = batch_files(portal.zone, tmp_path, [released_set(O1), mismatched_set(O2)])
    client = portal.client("agent")  # transmits for every party of the batch, under their mandates
    token = csrf_of(client.get("/workspace/products").text)
    items = []
    for path in files:
        response = client.post(
            "/workspace/upload",
            content=path.read_bytes(),
            headers={"X-File-Name": path.name, "X-CSRF-Token": token, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 200
        items.append(response.text)
    orders, payments, archive, arrival = items
    assert orders.count("<li ") == 1 and "CEB311Message" in orders and "120 海关入库" in orders
    assert "CEB411Message" in payments and "已处理" in payments
    assert archive.count("<li ") == 2
    assert "03-waybills-and-inventories.zip:b-inventories.xml" in archive
    assert "CEB-M3" in archive and "支付金额与订单实际支付金额不一致" in archive
    assert "支付单的支付金额必须与订单的实际支付金额完全一致" in archive
    assert "800 放行" in arrival and "电子税单 1 张" in arrival
    assert inventory_detail(portal.zone.ctx, "46012026I000000001").summary.status == "800"


def test_upload_refuses_without_the_form_token_and_reports_unreadable_files(portal: Portal) -> None:
    client = portal.client("shop")
    refused = client.post("/workspace/upload", content=b"<x/>", headers={"X-File-Name": "x.xml"})
    assert refused.status_code == 403
    token = csrf_of(client.get("/workspace/products").text)
    headers = {"X-CSRF-Token": token}
    garbage = client.post("/workspace/upload", content=b"<not-ceb/>", headers={**headers, "X-File-Name": "x.xml"})
    assert "格式错误" in garbage.text and 'data-outcome="format_error"' in garbage.text
    broken = client.post("/workspace/upload", content=b"PK\x03\x04broken", headers={**headers, "X-File-Name": "b.zip"})
    assert "压缩包无法打开" in broken.text and 'data-outcome="unreadable"' in broken.text


def test_documents_are_found_by_any_number_and_only_by_their_parties(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1), released_set(O4)])
    shop = portal.client("shop")
    for number in (O1, "L" + O1, "46012026I000000001"):
        page = shop.get("/workspace/documents", params={"q": number}).text
        assert "查询结果：1 条" in page and f">{O1}<" in page and f">{O4}<" not in page
    assert "查询结果：2 条" in shop.get("/workspace/documents").text
    payer = portal.client("payer")
    assert "查询结果：0 条" in payer.get("/workspace/documents", params={"q": O1}).text
    assert payer.get("/workspace/documents/46012026I000000001").status_code == 404


def test_a_document_shows_its_timeline_receipts_and_tax_bill(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    page = portal.client("shop").get("/workspace/documents/46012026I000000001").text
    for status in ("2 申报中", "120 海关入库", "399 海关审结", "800 放行"):
        assert f'<li class="done"><b>{status}</b>' in page
    assert '<li class="todo"><b>899 结关</b>' in page
    assert "电子税单" in page and "55.15" in page


def test_a_refused_document_says_rule_field_and_fix(portal: Portal) -> None:
    send_sets(portal.zone, [mismatched_set(O2)])
    found = portal.zone.ctx
    [summary] = [i for i in inventory_detail(found, _eport_of(portal, O2)).receipts if i.status == "100"]
    assert summary.status == "100"
    page = portal.client("shop").get(f"/workspace/documents/{_eport_of(portal, O2)}").text
    assert '<li class="bad"><b>100 退单</b>' in page
    assert "<code>CEB-M3</code>支付金额与订单实际支付金额不一致" in page
    assert "支付单 · 实际支付金额" in page and "payment.amount_paid" not in page  # no internal name in Chinese
    assert "支付金额 651.15 与订单实际支付金额 661.15 不一致" in page
    english = portal.client("shop", lang="en").get(f"/workspace/documents/{_eport_of(portal, O2)}").text
    assert "amount paid 651.15 differs from the order&#39;s actual paid 661.15" in english
    assert "payment · amount paid" in english and "payment.amount_paid" in english


def _eport_of(portal: Portal, order_no: str) -> str:
    from cbec.clearance.queries import search_inventories

    [item], _ = search_inventories(portal.zone.ctx, order_no=order_no)
    return item.eport_no


def test_receipts_list_names_the_refusals_of_documents_never_stored(portal: Portal) -> None:
    unsigned = released_set(O5)
    portal.zone.send([unsigned.inventory], PARTIES.agent, sign=False)
    page = portal.client("shop").get("/workspace/receipts").text
    assert "CEB-R10" in page and "申报状态的清单没有数字签名" in page
    assert "用企业的电子口岸证书（UKey）对清单报文加签后重新发送。" in page


def test_tax_bills_list_the_released_inventories_taxes(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1), released_set(O4)])
    page = portal.client("shop").get("/workspace/tax-bills").text
    assert "税单 2 张" in page and page.count(">55.15<") == 4  # vat and total of each bill
    assert '<td class="num">110.30</td>' in page


def test_product_filing_form_files_a_pending_product_or_lists_every_problem(portal: Portal) -> None:
    client = portal.client("shop")
    token = csrf_of(client.get("/workspace/products").text)
    form = {
        "csrf_token": token,
        "item_no": "SKU-MILK-900",
        "name": "婴幼儿配方奶粉900克",
        "hs_code": "1901101000",
        "specification": "900g/罐",
        "brand": "",
        "origin_country": "609",
        "transaction_unit": "122",
        "legal_unit": "035",
        "net_content": "900",
        "net_content_unit": "036",
        "unit_gross_weight": "1.15",
        "barcode": "",
    }
    filed = client.post("/workspace/products", data=form, follow_redirects=False)
    assert (filed.status_code, filed.headers["location"]) == (303, "/workspace/products?filed=SKU-MILK-900")
    listing = client.get("/workspace/products?filed=SKU-MILK-900").text
    assert "商品 SKU-MILK-900 已提交备案，等待审批。" in listing and "待审核" in listing
    assert "单位毛重（千克）" in listing and '<td class="nowrap">1.15</td>' in listing
    wrong = client.post("/workspace/products", data={**form, "item_no": "SKU-X", "hs_code": "12"})
    assert wrong.status_code == 422 and "备案未通过校验" in wrong.text
    heavy = client.post("/workspace/products", data={**form, "item_no": "SKU-Y", "unit_gross_weight": "0"})
    assert heavy.status_code == 422 and "单位毛重须大于0且不超过1000千克" in heavy.text
    assert "最多5位小数），或留空" in heavy.text  # the catalogue's fix
    typo = client.post("/workspace/products", data={**form, "item_no": "SKU-Z", "unit_gross_weight": "1,2"})
    assert typo.status_code == 422 and "单位毛重须为数字" in typo.text and "请填写数字，如 50 或 1.15。" in typo.text
    assert client.post("/workspace/products", data={**form, "csrf_token": "stale"}).status_code == 403


def test_export_section_appears_only_when_exports_are_installed(portal: Portal, monkeypatch) -> None:
    import cbec.web.workspace as workspace

    monkeypatch.setattr(workspace, "exports_available", lambda: False)
    assert "出口申报汇总" not in portal.client("shop").get("/workspace").text
    monkeypatch.setattr(workspace, "exports_available", lambda: True)
    assert "出口申报汇总" in portal.client("shop").get("/workspace").text


# --- officer console -----------------------------------------------------------------------------------------


def test_console_queue_lists_held_inventories_with_the_reason(portal: Portal) -> None:
    _held(portal)
    page = portal.client("officer").get("/console").text
    assert 'href="/console/inventories/46012026I000000002"' in page
    assert "300 人工审核" in page and "达到人工审核阈值 500" in page
    assert 'href="/console/inventories/46012026I000000001"' not in page


def test_dossier_lines_up_the_documents_masked(portal: Portal) -> None:
    _held(portal)
    page = portal.client("officer").get("/console/inventories/46012026I000000002").text
    assert "张*" in page and "110105********002X" in page and "138****8000" in page
    assert BUYER.id_number not in page and BUYER.name not in page and BUYER.phone not in page
    assert page.count('<span title="一致">✓</span>') == 16
    assert 'name="action" value="release"' in page and 'name="action" value="inspect"' in page


def test_dossier_flags_fields_that_differ(portal: Portal) -> None:
    send_sets(portal.zone, [mismatched_set(O2)])
    page = portal.client("officer").get(f"/console/inventories/{_eport_of(portal, O2)}").text
    assert page.count('<span class="badge bad" title="不一致">≠</span>') == 1
    assert "该清单不在待处置状态。" in page


def test_officer_releases_with_a_comment_and_not_without(portal: Portal) -> None:
    _held(portal)
    client = portal.client("officer")
    token = csrf_of(client.get("/console/inventories/46012026I000000002").text)
    url = "/console/inventories/46012026I000000002/decision"
    empty = client.post(url, data={"csrf_token": token, "action": "release", "comment": " "})
    assert empty.status_code == 422 and "必须填写处理意见" in empty.text
    done = client.post(
        url, data={"csrf_token": token, "action": "release", "comment": "核对发票无误"}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, "/console?decided=46012026I000000002&action=release")
    assert "清单 46012026I000000002 已放行。" in client.get(done.headers["location"]).text
    detail = inventory_detail(portal.zone.ctx, "46012026I000000002")
    assert [r.status for r in detail.receipts] == ["2", "120", "300", "399", "800"]


def test_officers_without_clearance_read_open_no_dossier_and_decide_nothing(portal: Portal) -> None:
    _held(portal)
    client = portal.client("taxman")  # tax holds neither clearance.read nor clearance.decide, as over the API
    assert client.get("/console/inventories/46012026I000000002").status_code == 403
    assert client.get("/console").status_code == 403
    token = csrf_of(client.get("/console/enterprises").text)
    url = "/console/inventories/46012026I000000002/decision"
    assert client.post(url, data={"csrf_token": token, "action": "release", "comment": "x"}).status_code == 403
    assert inventory_detail(portal.zone.ctx, "46012026I000000002").summary.status == "300"


def test_zone_admin_approves_a_pending_filing_with_a_reason(portal: Portal) -> None:
    ctx = portal.zone.ctx
    file_enterprise(
        ctx,
        EnterpriseCreate(
            uscc=make_uscc("91460100090000001"),
            customs_code="4601969999",
            name="海南新到跨境贸易有限公司",
            roles=["ecommerce_enterprise"],
        ),
    )
    admin = portal.client("admin")
    page = admin.get("/console/enterprises").text
    assert "海南新到跨境贸易有限公司" in page and 'value="approve"' in page
    url = "/console/enterprises/4601969999/decision"
    token = csrf_of(page)
    assert admin.post(url, data={"csrf_token": token, "action": "approve", "reason": ""}).status_code == 422
    done = admin.post(
        url,
        data={"csrf_token": token, "action": "approve", "reason": "材料齐全", "status": "pending"},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/console/enterprises?status=pending&done=approve&code=4601969999"
    assert get_enterprise(ctx, "4601969999").status == "approved"
    officer = portal.client("officer").get("/console/enterprises?status=approved").text
    assert 'value="suspend"' not in officer


def test_console_search_finds_any_document_of_the_zone(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1), released_set(O4)])
    page = portal.client("officer").get("/console/search", params={"q": "L" + O4}).text
    assert "查询结果：1 条" in page and "46012026I000000002" in page


# --- dashboard -----------------------------------------------------------------------------------------------------


def test_dashboard_shows_the_days_figures_and_a_chart_per_indicator(portal: Portal) -> None:
    _held(portal)
    page = portal.client("admin").get("/dashboard").text
    assert page.count('<svg class="chart"') == 10  # seven charts and three target bars
    assert "<b>9610</b> 直购进口" in page
    assert '<div class="kpi"><b>1</b><span>今日放行票数</span><em>今日申报 3 票</em></div>' in page
    assert "<b>50.0%</b><span>本月放行率</span>" in page
    assert "<title>CEB-M3: 1</title>" in page and "<title>日本: 596.00 元</title>" in page


def test_dashboard_shows_exports_apart_with_destinations_and_what_was_not_converted(portal: Portal) -> None:
    seed_export_reference(portal.zone.ctx)  # no exchange rates: the euro export cannot be converted
    send_sets(portal.zone, [released_set(O1)])
    retail = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-WEB-1", logistics_no="LEWEB1", at=AT)
    euro = build_export_set(
        XP, [(TEE, Decimal(1))], order_no="EX-WEB-2", logistics_no="LEWEB2", at=AT, currency="300", country="304"
    )
    release(portal.zone, [retail, euro], ref="ARR-WEB")
    page = portal.client("admin").get("/dashboard").text
    assert "出口模块已安装" not in page
    assert (
        '<p class="muted small">出口货值按申报日适用的海关汇率折合人民币；出口清单不征收代征税款'
        "（免税、退税台账见出口模块），税款栏显示“—”。</p>"
    ) in page
    assert (
        "<td><b>9610</b> 一般出口</td><td>出口</td>\n"
        '      <td class="num">2</td><td class="num">2</td><td class="num">118.00</td>\n'
        '      <td class="num">2</td><td class="num">2</td><td class="num">118.00</td><td class="num">—</td></tr>'
    ) in page
    assert (
        '<tr class="total"><td colspan="2">出口小计</td>\n'
        '      <td class="num">2</td><td class="num">2</td><td class="num">118.00</td>\n'
        '      <td class="num">2</td><td class="num">2</td><td class="num">118.00</td><td class="num">—</td></tr>'
    ) in page
    assert (
        '<tr class="total"><td colspan="2">合计</td><td class="num">3</td><td class="num">3</td>'
        '<td class="num">724.00</td>\n'
    ) in page
    assert (
        '<p class="flash warn" role="status">本月有 1 票放行出口清单（今日 1 票）因未载入申报日适用的海关汇率而未折算，'
        "已计入票数，未计入放行货值。</p>"
    ) in page
    assert "<title>美国: 118.00 元</title>" in page and "<title>德国: 0.00 元</title>" in page
    assert "<h2>主要目的国（按货值） <small>本月</small></h2>" in page
    english = portal.client("admin").get("/dashboard?lang=en").text
    assert "<td><b>9610</b> retail export</td><td>Export</td>" in english
    assert "1 export inventories released this month (1 today) have no customs rate loaded" in english


def test_zone_admin_sets_a_yearly_target_and_sees_progress(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    admin = portal.client("admin")
    year = portal.zone.ctx.clock.now().year
    token = csrf_of(admin.get("/dashboard/targets").text)
    bad = admin.post(
        "/dashboard/targets", data={"csrf_token": token, "year": str(year), "indicator": "trade_value", "target": "-1"}
    )
    assert bad.status_code == 422 and "目标值须为正数" in bad.text
    saved = admin.post(
        "/dashboard/targets",
        data={"csrf_token": token, "year": str(year), "indicator": "trade_value", "target": "5,000,000,000"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/dashboard/targets?saved=trade_value"
    page = admin.get("/dashboard").text
    assert "606.00 元 / 50.00 亿元 · 0.0%" in page
    auditor = portal.client("auditor")
    assert "只有综试办管理员可以设置目标。" in auditor.get("/dashboard/targets").text
    denied = auditor.post("/dashboard/targets", data={"csrf_token": csrf_of(admin.get("/dashboard/targets").text)})
    assert denied.status_code == 403
    with portal.zone.ctx.session_factory() as session:
        assert session.query(AuditRecord).filter_by(action="statistics.target.set").count() == 1


# --- consumer page ------------------------------------------------------------------------------------------------


def test_quota_lookup_lists_counted_inventories_masked(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    page = portal.client().post("/quota", data={"id_number": BUYER.id_number, "name": BUYER.name}).text
    assert "张*" in page and "110105********002X" in page and BUYER.id_number not in page
    assert "<b>26,000.00</b>" in page and "<b>606.00</b>" in page and "25,394.00</b>" in page
    assert ">ORD2*********0101<" in page and O1 not in page


def test_quota_lookup_does_not_tell_unknown_from_wrong_name(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    wrong = portal.client().post("/quota", data={"id_number": BUYER.id_number, "name": "李娜"})
    unknown = portal.client().post("/quota", data={"id_number": "110101199003074477", "name": "李娜"})
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert (
        "没有查到与该身份证号码和姓名匹配的记录" in wrong.text
        and "没有查到与该身份证号码和姓名匹配的记录" in unknown.text
    )


def test_consumer_reports_an_inventory_and_the_office_closes_it(portal: Portal) -> None:
    send_sets(portal.zone, [released_set(O1)])
    eport = _eport_of(portal, O1)
    statement = portal.client().post("/quota", data={"id_number": BUYER.id_number, "name": BUYER.name}).text
    token = statement.split('name="token" value="')[1].split('"')[0]
    day = portal.zone.ctx.clock.now().astimezone(__import__("cbec.common.clock", fromlist=["SHANGHAI"]).SHANGHAI)
    reported = portal.client().post(
        "/quota/report", data={"token": token, "inventory_ref": eport, "note": "不是我买的"}
    )
    assert reported.status_code == 200
    # The serial is the report's row id: 1 on a fresh database, higher where sequences outlive a test.
    found = re.search(r'<p class="ref" id="reference">(CR(\d{8})(\d{6}))</p>', reported.text)
    assert found is not None and found.group(2) == f"{day:%Y%m%d}" and int(found.group(3)) >= 1
    reference = found.group(1)
    again = portal.client().post("/quota/report", data={"token": token, "inventory_ref": eport, "note": ""})
    assert reference in again.text and "您已举报过此清单" in again.text
    forged = portal.client().post("/quota/report", data={"token": token[:-4] + "AAAA", "inventory_ref": eport})
    assert forged.status_code == 422 and "查询已过期或无效" in forged.text
    admin = portal.client("admin")
    listing = admin.get("/console/reports").text
    assert reference in listing and "不是我买的" in listing and "46012026I000000001" in listing
    closed = admin.post(
        f"/console/reports/{reference}/review",
        data={"csrf_token": csrf_of(listing), "comment": "已联系平台核实", "outcome": "confirmed"},
        follow_redirects=False,
    )
    assert closed.headers["location"] == f"/console/reports?done={reference}"
    reviewed = admin.get("/console/reports?status=reviewed").text
    assert "<strong>属实：身份被冒用</strong> · 已联系平台核实" in reviewed


def test_quota_lookups_are_limited_per_client_address(portal: Portal) -> None:
    client = portal.client()
    answers = [
        client.post("/quota", data={"id_number": BUYER.id_number, "name": "张伟"}).status_code for _ in range(11)
    ]
    assert answers == [404] * 10 + [429]
    last = client.post("/quota", data={"id_number": BUYER.id_number, "name": "张伟"})
    assert "查询过于频繁" in last.text and int(last.headers["retry-after"]) >= 1


def test_the_language_link_keeps_the_page_and_its_query(portal: Portal) -> None:
    page = portal.client("admin").get("/dashboard?day=2026-03-02").text
    assert 'href="/dashboard?day=2026-03-02&amp;lang=en" hreflang="en">English</a>' in page
    assert "业务日 2026-03-02" in page
    english = portal.client("admin").get("/dashboard?day=2026-03-02&lang=en").text
    assert 'href="/dashboard?day=2026-03-02&amp;lang=zh-CN" hreflang="zh-CN">中文</a>' in english
    assert "Business day 2026-03-02" in english


def test_an_upload_over_the_size_limit_is_refused_unread(portal: Portal) -> None:
    ctx = portal.zone.ctx
    ctx.settings = ctx.settings.model_copy(update={"max_upload_bytes": 1024})
    client = portal.client("shop")
    token = csrf_of(client.get("/workspace/products").text)
    answer = client.post(
        "/workspace/upload", content=b"x" * 1025, headers={"X-File-Name": "big.xml", "X-CSRF-Token": token}
    )
    assert answer.status_code == 413
    assert [p["rule_id"] for p in answer.json()["problems"]] == ["LIMIT-BODY-SIZE"]


def test_an_upload_in_another_enterprises_name_is_refused_and_stores_nothing(portal: Portal) -> None:
    """The web upload checks the sender like POST /ceb (it used to skip the check)."""
    from tests.web.support import signed

    s = released_set(O1)
    client = portal.client("shop")
    token = csrf_of(client.get("/workspace/products").text)
    forged = signed(portal.zone, [s.payment], PARTIES.payment)
    response = client.post("/workspace/upload", content=forged, headers={"X-File-Name": "p.xml", "X-CSRF-Token": token})
    assert response.status_code == 200
    assert 'data-outcome="forbidden"' in response.text and "AUTH-SENDER" in response.text
    with portal.zone.ctx.uow() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM ceb_message")).scalar_one() == 0
