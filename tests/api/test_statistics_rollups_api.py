"""Contract of /api/v1/statistics/figures|breakdown|hub|targets: exact figures, files, targets, scope, errors."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from tests.api.auth import client_for
from tests.integration.statistics.test_rollups import GOLDEN, _sanya
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.audit.models import AuditRecord
from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI, FixedClock
from cbec.statistics.service import run_rollup


def test_figures_and_breakdowns_as_json_csv_and_xlsx(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _sanya(zone, tmp_path)
    run_rollup(zone.ctx)
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    rows = tax.get("/api/v1/statistics/figures", params={"period": "2026-03"}).json()
    trade = next(row for row in rows if row["code"] == "trade_value_cny")
    assert trade == {
        "code": "trade_value_cny",
        "name_zh": "进出口额",
        "name_en": "import and export value",
        "value": "238.00",
        "unit": "CNY",
        "from": "2026-03-01",
        "to": "2026-03-31",
        "tenant": "hub",
        "caliber": "platform",
        "vintage": "preliminary",
        "rule_version": "2026.12-2",
    }
    custom = tax.get("/api/v1/statistics/figures", params={"from": "2026-03-02", "to": "2026-03-02"}).json()
    assert next(r["value"] for r in custom if r["code"] == "export_value_cny") == "238.00"
    csv = tax.get("/api/v1/statistics/breakdown", params={"period": "2026-03", "by": "tenant", "format": "csv"})
    assert (csv.status_code, csv.headers["content-type"]) == (200, "text/csv; charset=utf-8")
    assert csv.headers["content-disposition"] == 'attachment; filename="by-tenant-hub-2026-03.csv"'
    assert (
        csv.content
        == (
            "\ufefftenant,direction,value_cny,inventories,share,value_cny_last_year,yoy,contribution,declared,refused,"
            "returned_value_cny\r\nhub,E,118.00,1,0.4958,0.00,,0.4958,1,0,0.00\r\n"
            "hub/sanya,E,120.00,1,0.5042,0.00,,0.5042,1,0,0.00\r\n"
        ).encode()
    )
    xlsx = tax.get("/api/v1/statistics/hub", params={"period": "2026-03", "format": "xlsx"})
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(xlsx.content))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert ("三亚分平台" in strings, "hub/sanya" in strings, "<v>238</v>" in sheet, "<v>0.5042</v>" in sheet) == (
        True,
        True,
        True,
        True,
    )
    bad = tax.get("/api/v1/statistics/figures", params={"period": "2026-13"})
    assert (bad.status_code, bad.json()["problems"][0]["rule_id"]) == (422, "STAT-PERIOD")
    backwards = tax.get("/api/v1/statistics/figures", params={"from": "2026-03-31", "to": "2026-03-01"})
    assert (backwards.status_code, backwards.json()["problems"][0]["rule_id"]) == (422, "STAT-PERIOD")
    by = tax.get("/api/v1/statistics/breakdown", params={"period": "2026", "by": "colour"})
    assert (by.status_code, by.json()["problems"][0]["rule_id"]) == (422, "STAT-DIMENSION")
    city = client_for(zone.ctx, "agency_officer", agency="customs", username="city", tenant="hub/sanya")
    own = city.get("/api/v1/statistics/hub", params={"period": "2026-03"}).json()
    assert [(r["tenant"], r["kind"], r["export_value_cny"]) for r in own] == [
        ("hub/sanya", "own", "120.00"),
        ("hub/sanya", "total", "120.00"),
    ]
    hub = city.get("/api/v1/statistics/figures", params={"period": "2026-03", "tenant": "hub"})
    assert (hub.status_code, hub.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")


def test_targets_per_tenant_with_progress(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _sanya(zone, tmp_path)
    run_rollup(zone.ctx)
    clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI))
    admin = client_for(zone.ctx, "zone_admin", username="office")
    body = {"tenant": "hub/sanya", "indicator": "export_value_cny", "period": "2026-03", "target": "480"}
    done = admin.put("/api/v1/statistics/targets", json=body)
    assert done.json()["updated_by"].startswith("office:")  # the signed-in account and its key
    assert (done.status_code, done.json() | {"updated_by": "office"}) == (
        200,
        {
            "tenant": "hub/sanya",
            "indicator": "export_value_cny",
            "period": "2026-03",
            "target": "480",
            "actual": "120.00",
            "progress": "0.2500",  # 120 / 480
            "elapsed": "0.3226",  # 10 of 31 days
            "updated_by": "office",
            "updated_at": "2026-03-10T12:00:00+08:00",
        },
    )
    admin.put("/api/v1/statistics/targets", json=body | {"tenant": "hub", "target": "1000", "period": "2026-Q1"})
    listed = admin.get("/api/v1/statistics/targets", params={"year": 2026}).json()
    assert [(r["tenant"], r["period"], r["actual"], r["progress"]) for r in listed] == [
        ("hub", "2026-Q1", "238.00", "0.2380"),
        ("hub/sanya", "2026-03", "120.00", "0.2500"),
    ]
    with zone.ctx.uow() as uow:
        audit = uow.session.scalars(
            select(AuditRecord.entity_key)
            .where(AuditRecord.action == "statistics.tenant_target.set")
            .order_by(AuditRecord.id)  # in the order written (no order given, PostgreSQL may return any)
        ).all()
    assert audit == ["hub/sanya:export_value_cny:2026-03", "hub:export_value_cny:2026-Q1"]
    wrong = admin.put("/api/v1/statistics/targets", json=body | {"indicator": "b2b_share", "target": "1.005"})
    assert (wrong.status_code, [p["rule_id"] for p in wrong.json()["problems"]]) == (
        422,
        ["STAT-TARGET-INDICATOR", "STAT-TARGET-VALUE"],
    )
    week = admin.put("/api/v1/statistics/targets", json=body | {"period": "2026-03-01..2026-03-07"})
    assert [p["rule_id"] for p in week.json()["problems"]] == ["STAT-TARGET-PERIOD"]
    city_admin = client_for(zone.ctx, "zone_admin", username="sanya-office", tenant="hub/sanya")
    refused = city_admin.put("/api/v1/statistics/targets", json=body | {"tenant": "hub"})
    assert (refused.status_code, refused.json()["problems"][0]["rule_id"]) == (403, "AUTH-SCOPE")
    assert [r["tenant"] for r in city_admin.get("/api/v1/statistics/targets").json()] == ["hub/sanya"]
    tax = client_for(zone.ctx, "agency_officer", agency="tax", username="tax")
    assert tax.put("/api/v1/statistics/targets", json=body).status_code == 403


def test_the_cli_rolls_up_and_writes_figures_for_excel(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _sanya(zone, tmp_path)
    state._ctx = zone.ctx
    try:
        runner = CliRunner()
        rolled = runner.invoke(app, ["stats", "rollup"])
        assert rolled.exit_code == 0, rolled.output
        assert "2 inventories, 2 tenant-days recounted, 6 rows" in rolled.output.replace("\n", " ")
        out = tmp_path / "by-mode.csv"
        done = runner.invoke(app, ["stats", "breakdown", "--by", "mode", "--period", "2026-03", "--format", "csv",
                                   "--out", str(out)])  # fmt: skip
        assert done.exit_code == 0, done.output
        assert (
            out.read_bytes()
            == (
                "\ufeffmode,direction,value_cny,inventories,share,value_cny_last_year,yoy,contribution,declared,refused,"
                "returned_value_cny\r\n9610,E,238.00,2,1.0000,0.00,,1.0000,2,0,0.00\r\n"
            ).encode()
        )
        book = tmp_path / "figures.xlsx"
        xlsx = runner.invoke(app, ["stats", "figures", "--period", "2026-03", "--tenant", "hub/sanya", "--format",
                                   "xlsx", "--out", str(book)])  # fmt: skip
        assert xlsx.exit_code == 0, xlsx.output
        assert zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml").count(b"<row ") == 35  # title, header, 33
        target = runner.invoke(app, ["stats", "target", "--tenant", "hub/sanya", "--indicator", "export_value_cny",
                                     "--period", "2026", "--target", "1200"])  # fmt: skip
        assert (target.exit_code, target.output.strip()) == (0, "hub/sanya export_value_cny 2026: 1200 (0.1000)")
        assert runner.invoke(app, ["stats", "figures", "--period", "March"]).exit_code == 2
        bad = runner.invoke(app, ["stats", "target", "--tenant", "hub", "--indicator", "x", "--period", "2026",
                                  "--target", "1"])  # fmt: skip
        assert bad.exit_code == 1
        assert GOLDEN.is_dir()
    finally:
        state._ctx = None
