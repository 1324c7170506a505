"""`cbec products ...` from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from tests.unit.enterprises.builders import PRODUCT_CSV_HEADER, approved, product_csv_row
from typer.testing import CliRunner

from cbec.cli import products as products_cli
from cbec.cli.state import state
from cbec.products.service import get_product, list_products
from cbec.reference import seed_builtin
from cbec.storage.context import Context

runner = CliRunner()


@pytest.fixture
def app(ctx: Context) -> Iterator[typer.Typer]:
    """A CLI with only the product commands, bound to a context with one approved shop."""
    seed_builtin(ctx)
    approved(ctx, 1)
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Test root."""

    products_cli.register(cli)
    previous = state._ctx
    state._ctx = ctx
    try:
        yield cli
    finally:
        state._ctx = previous


def test_file_approve_show(app: typer.Typer, ctx: Context) -> None:
    result = runner.invoke(
        app,
        [
            "products", "file", "--owner", "4601900001", "--item-no", "SKU-WATCH", "--name", "自动上弦机械手表",
            "--hs-code", "9102210000", "--spec", "自动上弦 钢表带", "--origin", "116", "--unit", "008",
            "--legal-unit", "008", "--net-content", "1", "--net-content-unit", "008", "--unit-gross-weight", "0.32",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [filed] = list_products(ctx).items
    assert str(filed.unit_gross_weight) == "0.32"
    approved_out = runner.invoke(app, ["products", "approve", str(filed.id), "--reason", "核对无误"])
    assert approved_out.exit_code == 0
    assert f"product {filed.id} 4601900001/SKU-WATCH: approved" in approved_out.output
    assert get_product(ctx, filed.id).status == "approved"
    shown = runner.invoke(app, ["products", "show", str(filed.id), "--audit"])
    assert shown.exit_code == 0 and "products.product.approved" in shown.output


def test_file_reports_problems(app: typer.Typer, ctx: Context) -> None:
    result = runner.invoke(
        app,
        [
            "products", "file", "--owner", "4601900001", "--item-no", "SKU-X", "--name", "x",
            "--hs-code", "9999999999", "--spec", "x", "--origin", "116", "--unit", "008",
            "--legal-unit", "008", "--net-content", "1", "--net-content-unit", "008",
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "PRD-HS-UNKNOWN" in result.output
    assert list_products(ctx).total == 0
    heavy = runner.invoke(
        app,
        [
            "products", "file", "--owner", "4601900001", "--item-no", "SKU-X", "--name", "x",
            "--hs-code", "9102210000", "--spec", "x", "--origin", "116", "--unit", "008",
            "--legal-unit", "008", "--net-content", "1", "--net-content-unit", "008", "--unit-gross-weight", "1200",
        ],
    )  # fmt: skip
    assert heavy.exit_code == 1 and "PRD-GROSS-WEIGHT" in heavy.output
    assert list_products(ctx).total == 0


def test_import_and_list(app: typer.Typer, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    rows = [PRODUCT_CSV_HEADER, product_csv_row("4601900001", "SKU-1"), product_csv_row("4601900001", "SKU-2")]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["products", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "import products.csv" in result.output
    listed = runner.invoke(app, ["products", "list", "--owner", "4601900001"])
    assert listed.exit_code == 0
    assert "products: 2" in listed.output and "SKU-2" in listed.output
