"""The indicator catalogue over trade facts: figures of a month, the 1+M+N roll-up, caliber and vintage, the CLI."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.integration.exports.export_zone import AT, LAMP, TEE, XP, release
from tests.integration.statistics.test_export_figures import SANYA_SHOP, _month, _rates
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.demo.exports import build_export_set
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.statistics.indicators import CALIBER, CATALOGUE, RULE_VERSION, indicator_figures

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def values(zone: Zone, tenant: str = "hub") -> dict[str, Decimal | None]:
    return {f.code: f.value for f in indicator_figures(zone.ctx, *MARCH, tenant=tenant)}


def test_a_months_figures_from_the_facts(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    """March 2026 of the dashboard test (test_export_figures._month), from facts alone."""
    _month(zone, clock, tmp_path)
    exports = Decimal("107338.00")  # 9810 600.00 (US) + 9610 238.00 (US) + 9710 106,500.00 (UK); EUR unconverted
    hhi = (Decimal(838) / exports) ** 2 + (Decimal(106500) / exports) ** 2
    assert values(zone) == {
        "import_value_cny": Decimal("596.00"),  # the goods lines (the dashboard's 606.00 adds the freight)
        "export_value_cny": exports,
        "import_inventories": Decimal(1),
        "export_inventories": Decimal(4),  # the withdrawn one was cancelled after its release
        "value_9610_cny": Decimal("834.00"),  # 596.00 imported + 238.00 exported
        "value_1210_cny": Decimal("0.00"),
        "value_9710_cny": Decimal("106500.00"),
        "value_9810_cny": Decimal("600.00"),
        "active_enterprises": Decimal(1),
        "b2b_share": Decimal("99.78"),  # 107,100 / 107,338
        "export_markets": Decimal(3),  # US, UK, Germany (counted, its value unconverted)
        "destination_diversity": (1 - hhi).quantize(Decimal("0.0001")),
        "refusal_rate": Decimal("14.29"),  # 1 of the 7 stored inventories declared in March (the unstored: no fact)
        "median_release_hours": Decimal("0.00"),  # the test clock stands still while a set is released
    }
    [figure] = [f for f in indicator_figures(zone.ctx, *MARCH) if f.code == "b2b_share"]
    assert (figure.caliber, figure.vintage, figure.rule_version) == (CALIBER, "preliminary", RULE_VERSION)
    [old] = [f for f in indicator_figures(zone.ctx, date(2025, 1, 1), date(2025, 1, 31)) if f.code == "b2b_share"]
    assert (old.value, old.vintage) == (None, "final")  # no exports: a share of nothing is not a figure
    assert [f.code for f in indicator_figures(zone.ctx, *MARCH)] == [i.code for i in CATALOGUE]


def test_the_sub_platforms_figures_add_up_to_the_hubs(zone: Zone, tmp_path: Path) -> None:
    _rates(zone, tmp_path)
    file_enterprise(
        zone.ctx,
        EnterpriseCreate(
            uscc=make_uscc("91460100060000101"),
            customs_code=SANYA_SHOP.code,
            name=SANYA_SHOP.name,
            dxp_id=SANYA_SHOP.dxp_id,
            roles=["ecommerce_enterprise"],
            zone="hub/sanya",
        ),
    )
    approve_enterprise(zone.ctx, SANYA_SHOP.code, reason="材料齐全", actor="zone-office")
    haikou = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-HK-1", logistics_no="LEHK1", at=AT)
    resort = build_export_set(
        replace(XP, ecommerce=SANYA_SHOP), [(LAMP, Decimal(1))], order_no="EX-SY-1", logistics_no="LESY1", at=AT
    )
    release(zone, [haikou, resort], ref="ARR-SCOPE")
    hub, sanya, elsewhere = values(zone), values(zone, "hub/sanya"), values(zone, "hub/wenchang")
    assert (sanya["export_value_cny"], sanya["export_inventories"]) == (Decimal("120.00"), Decimal(1))
    assert (hub["export_value_cny"], hub["export_inventories"]) == (Decimal("238.00"), Decimal(2))
    assert elsewhere["export_value_cny"] == Decimal("0.00")
    # 1+M+N: the hub = its own enterprises' (Haikou: 118.00, one inventory) + its sub-platforms' (Sanya), never twice
    assert hub["export_value_cny"] == Decimal("118.00") + sanya["export_value_cny"]  # type: ignore[operator]
    assert hub["export_inventories"] == Decimal(1) + sanya["export_inventories"]  # type: ignore[operator]
    own = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX-HK-2", logistics_no="LEHK2", at=AT)
    release(zone, [own], ref="ARR-SCOPE-2")
    after = values(zone)
    assert after["export_value_cny"] == hub["export_value_cny"] + Decimal("118.00")  # type: ignore[operator]
    assert values(zone, "hub/sanya") == sanya


def test_the_cli_writes_csv_for_excel_and_index_observations(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    state._ctx = zone.ctx
    try:
        _cli(tmp_path)
    finally:
        state._ctx = None


def _cli(tmp_path: Path) -> None:
    runner = CliRunner()
    march = ["stats", "indicators", "--from", "2026-03-01", "--to", "2026-03-31"]
    out = tmp_path / "march.csv"
    done = runner.invoke(app, [*march, "--format", "csv", "--out", str(out)])
    assert done.exit_code == 0, done.output
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["code"], r["value"], r["caliber"]) for r in rows][:2] == [
        ("import_value_cny", "596.00", "platform"),
        ("export_value_cny", "107338.00", "platform"),
    ]
    listed = runner.invoke(app, [*march, "--format", "json"])
    assert json.loads(listed.output)[1]["name_zh"] == "出口额"
    bad = runner.invoke(app, ["stats", "indicators", "--from", "2026-03-31", "--to", "2026-03-01"])
    assert bad.exit_code == 2
    observations = tmp_path / "obs.csv"
    written = runner.invoke(
        app, ["stats", "observations", "--tenant", "hub", "--years", "2026", "--out", str(observations)]
    )
    assert written.exit_code == 0, written.output
    assert "hub,2026,export_value_cny,107338.0" in observations.read_text("utf-8")
