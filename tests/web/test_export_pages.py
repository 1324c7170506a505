"""Contract of the export pages: the enterprise's export inventories, summaries and tax ledger; the officers'
held export inventories and their decisions; each in the caller's scope (404 outside it)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from tests.integration.exports.export_zone import AT, LAMP, TEE, XP, release, send
from tests.web.support import Portal, csrf_of
from tests.zone import Zone

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.demo.exports import (
    ExportSet,
    build_departure,
    build_export_arrival,
    build_export_set,
    build_master_bill,
    build_summary_application,
)
from cbec.exports.queries import export_inventory_detail
from cbec.exports.service.reference import seed_export_reference
from cbec.exports.service.summary import summarise

FIRST = "46012026E000000001"
BILL, FLIGHT = "999-20260305", "CA983"


def sets(count: int, prefix: str = "EXW") -> list[ExportSet]:
    return [
        build_export_set(
            XP,
            [(TEE, Decimal(2)), (LAMP, Decimal(1))],
            order_no=f"{prefix}{n:04d}",
            logistics_no=f"L{prefix}{n:04d}",
            at=AT,
        )
        for n in range(1, count + 1)
    ]


@contextmanager
def at(zone: Zone, moment: datetime) -> Iterator[None]:
    """Run the zone's clock at a moment of March 2026, then back at the present (the portal's sessions need it)."""
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    present = clock.now()
    clock.set(moment)
    try:
        yield
    finally:
        clock.set(present)


def released(zone: Zone, count: int) -> tuple[list[ExportSet], list[str]]:
    """Release `count` export parcels of the shop (declared by the agent) on 2 March 2026; return the sets and
    inventory numbers."""
    seed_export_reference(zone.ctx)
    chosen = sets(count)
    with at(zone, AT + timedelta(hours=1)):
        return chosen, release(zone, chosen, ref="ARR-WEB-EXP")


def held(zone: Zone) -> str:
    """Send one export parcel that the policy holds for manual review (300); return its inventory number."""
    seed_export_reference(zone.ctx)
    settings = zone.ctx.settings
    zone.ctx.settings = settings.model_copy(update={"random_review_rate": 1.0})
    try:
        [s] = sets(1, "EXH")
        send(zone, [s.order], XP.platform)
        send(zone, [s.waybill], XP.logistics)
        send(zone, [s.inventory], XP.agent)
        arrival = send(zone, [build_export_arrival(XP, [s.waybill.logistics_no], at=AT, ref="ARR-H")], XP.site_operator)
    finally:
        zone.ctx.settings = settings
    [receipt] = [r for r in arrival.receipts if r.message_type.value == "CEB604Message"]
    assert receipt.status == "300"
    return receipt.inventory_no or ""


def summarised(zone: Zone, chosen: list[ExportSet], numbers: list[str]) -> str:
    """Depart the parcels, apply for March's summary as the agent and answer it (CEB792); return the summary no."""
    parcels = [s.waybill.logistics_no for s in chosen]
    send(
        zone,
        [build_master_bill(XP, list(zip(parcels, numbers, strict=True)), bill_no=BILL, voyage_no=FLIGHT, at=AT)],
        XP.agent,
    )
    left_at = datetime(2026, 3, 5, 23, 0, tzinfo=SHANGHAI)
    with at(zone, left_at):
        send(zone, [build_departure(XP, parcels, bill_no=BILL, voyage_no=FLIGHT, left_at=left_at)], XP.logistics)
    applied_at = datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI)
    with at(zone, applied_at):
        apply = send(
            zone,
            [build_summary_application(XP, at=applied_at, ref="SUM-W", inventory_nos=numbers, item_name_flag="1")],
            XP.agent,
        )
        summarise(zone.ctx, "2026-03")
    return apply.receipts[0].summary_no or ""


# --- enterprise workspace ------------------------------------------------------------------------------------


def test_the_shop_lists_its_export_inventories_twenty_a_page(portal: Portal) -> None:
    _sets, numbers = released(portal.zone, 21)
    client = portal.client("shop")
    first = client.get("/workspace/exports").text
    assert "查询结果：21 条" in first and "第 1–20 条，共 21 条" in first
    assert first.count('href="/workspace/exports/46012026E') == 20
    assert f'href="/workspace/exports/{numbers[-1]}"' in first  # newest first
    assert "9610 一般出口" in first and "800 放行" in first and "142 人民币" in first
    second = client.get("/workspace/exports?offset=20").text
    assert second.count('href="/workspace/exports/46012026E') == 1 and f"/workspace/exports/{FIRST}" in second
    found = client.get("/workspace/exports", params={"q": "EXW0003"}).text
    assert "查询结果：1 条" in found and f'href="/workspace/exports/{numbers[2]}"' in found
    english = portal.client("shop", lang="en").get("/workspace/exports?status=800").text
    assert "21 found" in english and "9610 retail export" in english and "800 released" in english


def test_an_enterprise_not_party_to_an_export_sees_nothing_and_gets_404(portal: Portal) -> None:
    released(portal.zone, 1)
    payer = portal.client("payer")  # the payment company is no party of an export inventory
    assert "查询结果：0 条" in payer.get("/workspace/exports").text
    assert payer.get(f"/workspace/exports/{FIRST}").status_code == 404
    assert portal.client("agent").get(f"/workspace/exports/{FIRST}").status_code == 200  # the declaring agent


def test_the_export_inventory_page_shows_timeline_lines_and_receipts(portal: Portal) -> None:
    released(portal.zone, 1)
    page = portal.client("shop").get(f"/workspace/exports/{FIRST}")
    assert page.status_code == 200
    html = page.text
    assert f'出口清单 <span class="mono">{FIRST}</span>' in html
    assert '<li class="done"><b>399 海关审结</b>' in html and '<li class="done"><b>800 放行</b>' in html
    assert '<li class="todo"><b>899 结关</b></li>' in html
    assert "棉制针织T恤" in html and "LED台灯" in html and "6109100011" in html
    assert html.count('<ol class="receipt-list">') == 1 and html.count("<li><div>") == 4  # 2, 120, 399, 800
    assert "con.decision" not in html and 'name="action"' not in html  # no decision in the workspace


def test_summaries_list_the_shops_applications_with_their_declarations(portal: Portal) -> None:
    chosen, numbers = released(portal.zone, 2)
    summary_no = summarised(portal.zone, chosen, numbers)
    client = portal.client("shop")
    html = client.get("/workspace/export-summaries").text
    assert "共 1 份汇总申请" in html and summary_no in html and "2026-03" in html
    assert "460120260000000001" in html and "2 份清单" in html
    assert "共 0 份汇总申请" in client.get("/workspace/export-summaries?month=2026-02").text
    assert "共 0 份汇总申请" in portal.client("payer").get("/workspace/export-summaries").text
    english = portal.client("shop", lang="en").get("/workspace/export-summaries").text
    assert "1 summary applications" in english and "2 inventories" in english


def test_the_tax_ledger_shows_march_and_downloads_as_csv_and_xlsx(portal: Portal) -> None:
    released(portal.zone, 2)
    client = portal.client("shop")
    html = client.get("/workspace/export-ledger?period=2026-03").text
    assert "台账明细（4 行）" in html and "无票免税" in html and "2026-03-01 – 2026-03-31" in html
    assert 'href="/workspace/export-ledger/file?enterprise=' in html
    csv = client.get("/workspace/export-ledger/file", params={"period": "2026-03", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith("\ufeffinventory_no,line_no".encode()) and csv.text.count(FIRST) == 2
    assert f'filename="export-tax-{XP.ecommerce.code}-2026-03.csv"' in csv.headers["content-disposition"]
    xlsx = client.get("/workspace/export-ledger/file", params={"period": "2026-03", "format": "xlsx"})
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    bad = client.get("/workspace/export-ledger?period=2026-13")
    assert bad.status_code == 422 and "无法生成台账" in bad.text


def test_an_enterprise_asking_for_anothers_ledger_gets_its_own(portal: Portal) -> None:
    released(portal.zone, 1)
    html = portal.client("payer").get(f"/workspace/export-ledger?period=2026-03&enterprise={XP.ecommerce.code}").text
    assert f'value="{XP.payment.code}"' in html and "台账明细（0 行）" in html and "棉制针织T恤" not in html


# --- officer console -----------------------------------------------------------------------------------------


def test_the_officer_releases_a_held_export_with_a_comment(portal: Portal) -> None:
    number = held(portal.zone)
    client = portal.client("officer")
    queue = client.get("/console/exports").text
    assert "共 1 票待处理" in queue and f'href="/console/exports/{number}"' in queue and "300 人工审核" in queue
    page = client.get(f"/console/exports/{number}").text
    token = csrf_of(page)
    assert 'value="release"' in page and 'value="inspect"' in page and 'value="refuse"' in page
    url = f"/console/exports/{number}/decision"
    assert client.post(url, data={"action": "release", "comment": "x"}).status_code == 403  # no token
    empty = client.post(url, data={"csrf_token": token, "action": "release", "comment": " "})
    assert empty.status_code == 422 and "必须填写处理意见" in empty.text
    done = client.post(
        url, data={"csrf_token": token, "action": "release", "comment": "单证相符"}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/console/exports?decided={number}&action=release")
    assert f"出口清单 {number} 已放行。" in client.get(done.headers["location"]).text
    detail = export_inventory_detail(portal.zone.ctx, number)
    assert (detail.summary.status, [r.status for r in detail.receipts][-2:]) == ("800", ["399", "800"])


def test_who_may_see_and_decide_held_exports(portal: Portal) -> None:
    number = held(portal.zone)
    taxman = portal.client("taxman")  # tax reads exports but does not decide them
    assert "共 1 票待处理" in taxman.get("/console/exports").text
    page = taxman.get(f"/console/exports/{number}").text
    assert "您的部门不能处置清单。" in page and 'name="action"' not in page
    token = csrf_of(taxman.get("/console/enterprises").text)
    url = f"/console/exports/{number}/decision"
    assert taxman.post(url, data={"csrf_token": token, "action": "release", "comment": "x"}).status_code == 403
    assert portal.client("shop").get("/console/exports").status_code == 403
    assert portal.client("officer").get("/console/exports/46012026E999999999").status_code == 404
    assert export_inventory_detail(portal.zone.ctx, number).summary.status == "300"


# --- dashboard period -----------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_exports_of_a_chosen_day_or_month(portal: Portal) -> None:
    released(portal.zone, 2)
    admin = portal.client("admin")
    subtotal = '<tr class="total"><td colspan="2">出口小计</td>\n      <td class="num">{0}</td><td class="num">{0}</td>'
    today = admin.get("/dashboard").text
    assert subtotal.format(0) in today and 'name="day" type="date"' in today and 'name="month" type="month"' in today
    day = admin.get("/dashboard?day=2026-03-02").text
    assert "业务日 2026-03-02（北京时间）" in day and subtotal.format(2) + '<td class="num">476.00</td>' in day
    assert 'value="2026-03-02"' in day and 'value="2026-03"' in day
    month = admin.get("/dashboard?month=2026-03").text
    assert "业务日 2026-03-31（北京时间）" in month and subtotal.format(0) in month  # the month's last day
    assert '<td class="num">2</td><td class="num">2</td><td class="num">476.00</td><td class="num">—</td>' in month
