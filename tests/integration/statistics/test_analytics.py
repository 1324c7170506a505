"""Facts snapshots and the monthly cube in DuckDB agree with the rollups to the fen (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib.util
import json
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from cbec.common.errors import InvalidInput
from cbec.facts import TradeFact
from cbec.statistics.analytics import CUBE_SQL, DATA_FILE, MANIFEST, monthly_cube, read_snapshot, take_snapshot
from cbec.statistics.models import StatRollupGoodsMonth
from cbec.statistics.rollup import recount_all
from cbec.storage.context import Context

TENANTS = ("hub", "hub/sanya", "hub/sanya/w1", None)
MODES = {"I": ("9610", "1210"), "E": ("9610", "9710")}
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _facts(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    inventory = 0
    while len(rows) < count:
        inventory += 1
        direction = rng.choice("IE")
        declared_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(200 * 86400))
        roll = rng.random()
        status = "refused" if roll < 0.1 else "returned" if roll < 0.15 else "120" if roll < 0.2 else "released"
        released_at = None if status in ("refused", "120") else declared_at + timedelta(hours=rng.randrange(1, 60))
        tenant = rng.choice(TENANTS)
        for line in range(1, rng.randint(1, 4) + 1):
            country = f"{rng.randrange(101, 106)}"
            cny = None if rng.random() < 0.05 else Decimal(rng.randrange(100, 900000)) / 100
            rows.append(
                {
                    "direction": direction, "mode": rng.choice(MODES[direction]),
                    "document_id": inventory, "eport_no": f"S{inventory:017d}", "inventory_no": None,
                    "order_no": f"O{inventory}", "line_no": line, "hs_code": f"{rng.randrange(1, 9):02d}01000000",
                    "goods_name": "goods", "origin_country": country if direction == "I" else "142",
                    "destination_country": "142" if direction == "I" else country, "quantity": Decimal(1),
                    "unit": "011", "legal_quantity": Decimal(1), "legal_unit": "011", "currency": "142",
                    "value": cny or Decimal(1), "value_cny": cny, "value_usd": None,
                    "platform_code": f"P{rng.randrange(3)}", "ecommerce_code": f"E{rng.randrange(9)}",
                    "logistics_code": "L1", "payment_code": None, "agent_code": "A1", "warehouse_code": None,
                    "owner_code": None, "tenant": tenant, "customs_code": "6401", "declared_at": declared_at,
                    "declared_on": (declared_at + timedelta(hours=8)).date(), "released_at": released_at,
                    "released_on": None if released_at is None else (released_at + timedelta(hours=8)).date(),
                    "status": status, "updated_at": declared_at,
                }
            )  # fmt: skip
    return rows


@pytest.fixture
def loaded(ctx: Context) -> Context:
    with ctx.uow() as uow:
        uow.session.execute(insert(TradeFact), _facts(3000, 3))  # 3,001 lines: the last inventory is whole
        uow.commit()
    recount_all(ctx)
    return ctx


def test_the_cube_of_a_snapshot_equals_the_monthly_rollups(loaded: Context, tmp_path: Path) -> None:
    snapshot = take_snapshot(loaded, tmp_path / "snap", clock=lambda: NOW)
    assert snapshot.facts == 3001 and snapshot.taken_at == NOW.isoformat()
    manifest = json.loads((tmp_path / "snap" / MANIFEST).read_text("utf-8"))
    assert manifest["sha256"] == snapshot.sha256 and "buyer_key" not in manifest["columns"]
    cube = monthly_cube(tmp_path / "snap")
    assert cube and all(cell["month"].startswith("2026-") for cell in cube)
    by_country: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    by_chapter: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for cell in cube:
        head = (date.fromisoformat(cell["month"] + "-01"), cell["tenant"], cell["direction"], cell["mode"])
        for sums, key in ((by_country, (*head, cell["country"], "")), (by_chapter, (*head, "", cell["hs_chapter"]))):
            sums[key][0] += cell["lines"]
            sums[key][1] += cell["value_fen"]
    g = StatRollupGoodsMonth
    with loaded.uow() as uow:
        stored = {
            (month, tenant, direction, mode, country, chapter): [lines, fen]
            for month, tenant, direction, mode, country, chapter, lines, fen in uow.session.execute(
                select(g.month, g.tenant, g.direction, g.mode, g.country, g.hs_chapter, g.released_lines,
                       g.released_fen)
            )
        }  # fmt: skip
    assert {**by_country, **by_chapter} == stored
    # cells of one month, tenant, direction, mode, country and chapter count each inventory once
    single = [c for c in cube if c["inventories"] > c["lines"]]
    assert single == []


def test_a_snapshot_is_never_overwritten_and_an_edited_file_is_refused(loaded: Context, tmp_path: Path) -> None:
    take_snapshot(loaded, tmp_path / "snap", clock=lambda: NOW)
    with pytest.raises(InvalidInput) as exists:
        take_snapshot(loaded, tmp_path / "snap", clock=lambda: NOW)
    assert [p.rule_id for p in exists.value.problems] == ["STAT-SNAPSHOT-EXISTS"]
    data = tmp_path / "snap" / DATA_FILE
    data.write_bytes(data.read_bytes() + b"x")
    with pytest.raises(InvalidInput) as altered:
        read_snapshot(tmp_path / "snap")
    assert [p.rule_id for p in altered.value.problems] == ["STAT-SNAPSHOT-DIGEST"]
    with pytest.raises(InvalidInput) as missing:
        monthly_cube(tmp_path / "nothing")
    assert [p.rule_id for p in missing.value.problems] == ["STAT-SNAPSHOT-MISSING"]


@pytest.mark.skipif(
    importlib.util.find_spec("chdb") is None,
    reason="chDB (in-process ClickHouse) is not installed: pip install -e '.[clickhouse]' runs this check",
)
def test_the_same_cube_sql_gives_the_same_cells_on_clickhouse(loaded: Context, tmp_path: Path) -> None:
    from chdb import session as chdb_session

    take_snapshot(loaded, tmp_path / "snap", clock=lambda: NOW)
    duck = [tuple(c.values()) for c in monthly_cube(tmp_path / "snap")]
    clickhouse = chdb_session.Session()
    clickhouse.query("CREATE DATABASE IF NOT EXISTS cbec")
    clickhouse.query(f"CREATE VIEW cbec.facts AS SELECT * FROM file('{tmp_path / 'snap' / DATA_FILE}', Parquet)")
    text = clickhouse.query(CUBE_SQL.replace("FROM facts", "FROM cbec.facts"), "JSONCompact")
    rows = [tuple(row) for row in json.loads(str(text))["data"]]
    assert [(*r[:6], int(r[6]), int(r[7]), int(r[8])) for r in rows] == duck


def test_the_cli_takes_a_snapshot_and_writes_its_cube(loaded: Context, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cbec.cli.main import app
    from cbec.cli.state import state

    state._ctx = loaded
    try:
        runner = CliRunner()
        done = runner.invoke(app, ["stats", "snapshot", "--out", str(tmp_path / "snap")])
        assert done.exit_code == 0, done.output
        assert "3,001 facts" in done.output
        again = runner.invoke(app, ["stats", "snapshot", "--out", str(tmp_path / "snap")])
        assert again.exit_code != 0 and "STAT-SNAPSHOT-EXISTS" in again.output
        written = runner.invoke(
            app, ["stats", "cube", "--snapshot", str(tmp_path / "snap"), "--format", "parquet", "--out",
                  str(tmp_path / "cube.parquet")]
        )  # fmt: skip
        assert written.exit_code == 0, written.output
        as_json = runner.invoke(app, ["stats", "cube", "--snapshot", str(tmp_path / "snap"), "--format", "json"])
        cells = json.loads(as_json.output)
        assert f"{len(cells):,} cells" in written.output
        assert sum(c["value_fen"] for c in cells) == sum(c["value_fen"] for c in monthly_cube(tmp_path / "snap"))
    finally:
        state._ctx = None
