"""Statistics pages: indicators for any period and tenant with caliber and vintage, XLSX/CSV downloads, targets per
sub-platform, and the development index published, shown, downloaded and verified."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.statistics.test_export_figures import _month
from tests.web.support import Portal, csrf_of
from tests.zone import Zone

from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.common.clock import FixedClock
from cbec.statistics import compute_index, parse_method, parse_observations
from cbec.statistics.index.edition import csv_rows
from cbec.statistics.service import run_rollup


def _zone(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    clock.set(datetime.now(UTC).replace(microsecond=0))  # back to the present: sessions live in real time
    create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="test")
    run_rollup(zone.ctx)


def test_a_zone_office_reads_every_indicator_of_a_period_and_downloads_it(
    portal: Portal, clock: FixedClock, tmp_path: Path
) -> None:
    _zone(portal.zone, clock, tmp_path)
    admin = portal.client("admin")
    page = admin.get("/dashboard/figures", params={"period": "2026-03", "tenant": "hub"})
    assert page.status_code == 200
    row = page.text.split('data-code="export_value_cny"', 1)[1].split("</tr>", 1)[0]
    assert "107338.00" in row and "管理平台数据口径" in row and "终值" in row and "2026.12-1" in row
    assert "郑州分平台" in page.text  # the side-by-side view and the tenant selector
    xlsx = admin.get("/dashboard/figures/file", params={"period": "2026-03", "tenant": "hub", "format": "xlsx"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.headers["content-disposition"] == 'attachment; filename="figures-hub-2026-03.xlsx"'
    assert xlsx.content[:2] == b"PK"
    csv = admin.get("/dashboard/figures/file", params={"period": "2026-03", "tenant": "hub", "format": "csv"})
    assert csv.content.startswith("\ufeff".encode()) and "export_value_cny,出口额" in csv.content.decode("utf-8-sig")
    english = portal.client("admin", lang="en").get("/dashboard/figures", params={"period": "2026-03"})
    assert "export value" in english.text and "platform data" in english.text
    city = portal.client("officer")  # a hub officer: fine
    assert city.get("/dashboard/figures", params={"period": "2026-Q1", "tenant": "hub/zhengzhou"}).status_code == 200
    assert portal.client("shop").get("/dashboard/figures").status_code == 403


def test_a_zone_office_sets_a_sub_platforms_target(portal: Portal, clock: FixedClock, tmp_path: Path) -> None:
    _zone(portal.zone, clock, tmp_path)
    admin = portal.client("admin")
    form = admin.get("/dashboard/plan")
    token = csrf_of(form.text)
    fields = {"csrf_token": token, "tenant": "hub/zhengzhou", "indicator": "export_value_cny", "period": "2026"}
    bad = admin.post("/dashboard/plan", data={**fields, "target": "-5"}, follow_redirects=False)
    assert bad.status_code == 422 and "目标值须为正数且最多两位小数" in bad.text
    done = admin.post("/dashboard/plan", data={**fields, "target": "1000000"}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/dashboard/plan?saved=hub/zhengzhou")
    listed = admin.get("/dashboard/plan").text
    row = listed.split("<td>hub/zhengzhou</td>", 1)[1].split("</tr>", 1)[0]
    assert "出口额" in row and "1000000" in row
    officer = portal.client("officer")
    refused = officer.post("/dashboard/plan", data={**fields, "target": "1"}, follow_redirects=False)
    assert refused.status_code == 403


def test_a_zone_office_publishes_an_index_edition_anyone_can_recompute(
    portal: Portal, clock: FixedClock, tmp_path: Path
) -> None:
    _zone(portal.zone, clock, tmp_path)
    admin = portal.client("admin")
    listing = admin.get("/dashboard/index")
    assert "尚无发布版次" in listing.text
    token = csrf_of(listing.text)
    form = {"csrf_token": token, "label": "2026-T1", "zones": "hub hub/zhengzhou", "years": "2025-2026"}
    done = admin.post("/dashboard/index", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/dashboard/index/2026-T1")
    again = admin.post("/dashboard/index", data=form, follow_redirects=False)
    assert again.status_code == 422 and "版次 2026-T1 已发布，不可更改" in again.text
    shown = admin.get("/dashboard/index/2026-T1")
    assert shown.status_code == 200 and "zone-2026.1" in shown.text and "hub/zhengzhou" in shown.text
    verified = admin.get("/dashboard/index/2026-T1", params={"verify": "1"})
    assert "已按发布的输入重算" in verified.text
    officer = portal.client("officer")
    observations = officer.get("/dashboard/index/2026-T1/files/observations.csv").text
    method = parse_method(json.loads(officer.get("/dashboard/index/2026-T1/files/method.json").text))
    digest = compute_index(parse_observations(csv_rows(observations), method), method, seed=20261206)["digest"]
    assert digest in shown.text
    assert officer.get("/dashboard/index/2026-T1/files/secret.txt").status_code == 404
    assert officer.post("/dashboard/index", data={**form, "label": "2026-T2"}).status_code == 403


def test_a_zone_office_generates_the_monthly_report(portal: Portal, clock: FixedClock, tmp_path: Path) -> None:
    _zone(portal.zone, clock, tmp_path)
    admin = portal.client("admin")
    listing = admin.get("/dashboard/reports")
    assert "尚无报告" in listing.text
    form = {"csrf_token": csrf_of(listing.text), "period": "2026-03", "tenant": "hub"}
    done = admin.post("/dashboard/reports", data=form, follow_redirects=False)
    assert done.status_code == 303
    shown = admin.get(done.headers["location"])
    assert shown.status_code == 200 and "综试区总平台 跨境电商统计月报（2026-03）" in shown.text
    assert shown.headers["content-security-policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    saved = admin.get(done.headers["location"], params={"download": "1"})
    assert saved.headers["content-disposition"] == 'attachment; filename="report-hub-2026-03-r1.html"'
    bad = admin.post("/dashboard/reports", data={**form, "period": "2026"}, follow_redirects=False)
    assert bad.status_code == 422 and "报告期间 &#39;2026&#39; 无效" in bad.text
    assert "2026-03" in admin.get("/dashboard/reports").text
    assert portal.client("officer").post("/dashboard/reports", data=form, follow_redirects=False).status_code == 403
