"""Contract of `cbec risk rules …`: draft (a file, or JDM tables), list, show, export, shadow, delta, backtest,
publish by a second person, retire; refusals exit 1 naming their rule id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.risk.versions.service import shipped_text


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_the_lifecycle_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    assert "S1" in run(cli, "risk", "rules") and "version 2026.6" in run(cli, "risk", "rules")
    doc = json.loads(shipped_text())
    doc["version"] = "2026.8"
    doc["typologies"]["fake_order"]["review"] = 30
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert "draft 2026.8 (33 rules)" in run(cli, "risk", "rules", "draft", str(path), "--actor", "ann")
    assert json.loads(run(cli, "risk", "rules", "show", "2026.8"))["typologies"]["fake_order"]["review"] == 30
    listed = run(cli, "risk", "rules", "list")
    assert "2026.8" in listed and "draft" in listed and "published" in listed

    bundle = json.loads(run(cli, "risk", "rules", "export", "2026.8"))
    assert bundle["tables"]["fake_order.bands"]["nodes"][1]["content"]["rules"][2]["score"] == ">= 30"
    bundle["version"] = "2026.9"
    tables = tmp_path / "tables.json"
    tables.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    assert "draft 2026.9 (33 rules)" in run(cli, "risk", "rules", "draft", str(tables), "--tables", "--actor", "ann")
    assert json.loads(run(cli, "risk", "rules", "show", "2026.9"))["typologies"]["fake_order"]["review"] == 30

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**doc, "version": "2026.9", "typologies": {}}), encoding="utf-8")
    assert "RSK-RULESET-ORPHAN" in run(cli, "risk", "rules", "draft", str(bad), code=1)

    assert "2026.8: shadow" in run(cli, "risk", "rules", "shadow", "2026.8", "--actor", "ann")
    assert "0 decisions shadowed" in run(cli, "risk", "rules", "delta", "2026.8")
    report = json.loads(run(cli, "risk", "rules", "backtest", "2026.8", "--format", "json"))
    assert (report["version"], report["decisions"]) == ("2026.8", 0)
    short = json.loads(run(cli, "risk", "backtest", "2026.8", "--format", "json"))  # the issue's `cbec risk backtest`
    assert (short["version"], short["decisions"]) == ("2026.8", 0)
    assert "RSK-VERSION-SELF-APPROVAL" in run(cli, "risk", "rules", "publish", "2026.8", "--actor", "ann", code=1)
    assert "2026.8: published (author ann, approver bob)" in run(
        cli, "risk", "rules", "publish", "2026.8", "--actor", "bob"
    )
    assert "RSK-VERSION-LIVE" in run(cli, "risk", "rules", "retire", "2026.8", code=1)
    assert "2026.9: retired" in run(cli, "risk", "rules", "retire", "2026.9")
    assert "version 2026.8" in run(cli, "risk", "rules")
