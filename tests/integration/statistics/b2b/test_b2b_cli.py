"""Contract of `cbec b2b`: import (bad rows reported, exit 1), identify (method, threshold), runs, show, figures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.statistics.b2b.test_b2b_identify import ROWS
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.statistics.b2b import default_method
from cbec.storage.context import Context


@pytest.fixture
def cli(b2b: Context) -> Iterator[CliRunner]:
    state._ctx = b2b
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, status: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == status, result.output
    return result.output


def test_import_identify_list_and_show(cli: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "feb.json"
    good.write_text(json.dumps(ROWS), "utf-8")
    assert "feb.json → hub/sanya: 8 rows, 8 imported, 0 updated, 0 unchanged, 0 rejected" in run(
        cli, "b2b", "import", str(good), "--tenant", "hub/sanya"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**ROWS[0], "declaration_no": "460120260000000099", "currency": "XXX"}) + "\n", "utf-8")
    refused = run(cli, "b2b", "import", str(bad), status=1)
    assert "0 imported, 0 updated, 0 unchanged, 1 rejected" in refused and "B2B-ROW-CURRENCY" in refused
    first = json.loads(run(cli, "b2b", "identify", "--json"))
    assert (first["declarations"], first["declared"], first["identified"], first["undecided"]) == (8, 1, 4, 2)
    method = tmp_path / "method.json"
    method.write_text(json.dumps({**default_method().document(), "version": "zone-2", "reject_at": "0.6"}), "utf-8")
    listed_only_x = tmp_path / "channels.csv"
    listed_only_x.write_text(
        "code,name_zh,name_en,kind,effective_from,effective_to,basis,verified\nPI-X,X,,,2020-01-01,,,\n"
    )
    args = ("--method", str(method), "--threshold", "0.9", "--channels", str(listed_only_x), "--json")
    second = json.loads(run(cli, "b2b", "identify", *args))
    assert (second["method_version"], second["identify_at"], second["identified"], second["undecided"]) == (
        "zone-2",
        "0.9",
        1,
        3,
    )  # PI-PINGPONG is not on this list: the full declaration scores 0.9, the unfiled one 0.55 (≤ 0.6: general)
    listed = run(cli, "b2b", "runs")
    assert "zone-2" in listed and "b2b-1" in listed
    shown = json.loads(run(cli, "b2b", "show", str(first["run_id"])))
    assert (shown["result_digest"], len(shown["results"])) == (first["result_digest"], 8)
    as_csv = run(cli, "b2b", "show", str(first["run_id"]), "--format", "csv")
    assert as_csv.splitlines()[0] == "\ufeffdeclaration_no,tenant,declared_on,score,class,reasons,value_cny"
    missing = run(cli, "b2b", "show", "999999", status=1)
    assert "B2B-RUN" in missing
    figures = json.loads(run(cli, "b2b", "figures", "--from", "2026-02-01", "--to", "2026-02-28"))
    assert (figures["run_id"], figures["b2b_share"]) == (
        second["run_id"],
        "0.1760",
    )  # (2000 + 7100) / (2000 + 7 × 7100)


def test_a_broken_method_file_is_refused_with_every_problem(cli: CliRunner, tmp_path: Path) -> None:
    method = tmp_path / "method.json"
    method.write_text(json.dumps({"version": "x", "weights": {"order": "1"}}), "utf-8")
    refused = run(cli, "b2b", "identify", "--method", str(method), status=1)
    # weights named, identify_at, reject_at, reject_at ≥ identify_at, window, tolerance
    assert refused.count("B2B-METHOD") == 6
