"""`cbec reference seed | load | show` from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from cbec.cli import reference as reference_cli
from cbec.cli.state import state
from cbec.reference.models import CodeEntry, TaxParameter
from cbec.storage.context import Context

runner = CliRunner()


@pytest.fixture
def app(ctx: Context) -> Iterator[typer.Typer]:
    """A CLI with only the reference commands, bound to the test context."""
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Test root."""

    reference_cli.register(cli)
    previous = state._ctx
    state._ctx = ctx
    try:
        yield cli
    finally:
        state._ctx = previous


def test_seed_twice(app: typer.Typer, ctx: Context) -> None:
    first = runner.invoke(app, ["reference", "seed"])
    assert first.exit_code == 0, first.output
    assert "builtin:codes" in first.output and "9474" in first.output
    second = runner.invoke(app, ["reference", "seed"])
    assert second.exit_code == 0
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CodeEntry)) == 9474


def test_load_reports_every_bad_row_and_writes_nothing(app: typer.Typer, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "params.csv"
    path.write_text(
        "name,value,valid_from,source\nsingle_limit,abc,2027-01-01,x\nannual_limt,1,2027-01-01,x\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["reference", "load", str(path), "--kind", "tax-parameters"])
    assert result.exit_code == 1
    assert "params.csv: 2 problem(s); nothing was loaded" in result.output
    assert "row[2].value" in result.output and "row[3].name" in result.output
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TaxParameter)) == 0


def test_load_then_show(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "districts.csv"
    path.write_text("table,code,name_zh,valid_from,source\ncustoms_district,4601,测试关区,2020-01-01,zone\n")
    loaded = runner.invoke(app, ["reference", "load", str(path), "--kind", "codes"])
    assert loaded.exit_code == 0, loaded.output
    shown = runner.invoke(app, ["reference", "show", "customs_district", "--on", "2026-03-02"])
    assert shown.exit_code == 0
    assert "测试关区" in shown.output and "1 row(s)" in shown.output


def test_show_goods(app: typer.Typer) -> None:
    runner.invoke(app, ["reference", "seed"])
    result = runner.invoke(app, ["reference", "show", "goods", "1701991000", "--on", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "每人每年限购2千克" in result.output
    unknown = runner.invoke(app, ["reference", "show", "goods", "0101210000"])
    assert unknown.exit_code == 1
    assert "neither on the positive list nor in the tariff" in unknown.output


def test_unknown_kind_is_a_usage_error(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    result = runner.invoke(app, ["reference", "load", str(path), "--kind", "rates"])
    assert result.exit_code == 2
