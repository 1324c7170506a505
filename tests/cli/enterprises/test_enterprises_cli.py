"""`cbec enterprises ...` from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from tests.unit.enterprises.builders import ENTERPRISE_CSV_HEADER, customs_code_for, enterprise_csv_row, uscc_for
from typer.testing import CliRunner

from cbec.cli import enterprises as enterprises_cli
from cbec.cli.state import state
from cbec.enterprises.models import Enterprise
from cbec.enterprises.service import enterprise_audit, get_enterprise
from cbec.storage.context import Context

runner = CliRunner()


@pytest.fixture
def app(ctx: Context) -> Iterator[typer.Typer]:
    """A CLI with only the enterprise commands, bound to the test context."""
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Test root."""

    enterprises_cli.register(cli)
    previous = state._ctx
    state._ctx = ctx
    try:
        yield cli
    finally:
        state._ctx = previous


def file_one(app: typer.Typer) -> None:
    result = runner.invoke(
        app,
        [
            "enterprises", "file", "--uscc", uscc_for(1), "--customs-code", customs_code_for(1),
            "--name", "海口测试电子商务有限公司", "--role", "ecommerce_enterprise;ecommerce_platform",
            "--contact-phone", "13800138000", "--actor", "clerk",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_file_approve_show_with_audit(app: typer.Typer, ctx: Context) -> None:
    file_one(app)
    approved = runner.invoke(app, ["enterprises", "approve", customs_code_for(1), "--reason", "资料齐全"])
    assert approved.exit_code == 0, approved.output
    assert f"enterprise {customs_code_for(1)} 海口测试电子商务有限公司: approved" in approved.output
    shown = runner.invoke(app, ["enterprises", "show", customs_code_for(1), "--audit"])
    assert shown.exit_code == 0
    assert "138****8000" in shown.output and "13800138000" not in shown.output
    assert "enterprises.enterprise.approved" in shown.output
    trail = enterprise_audit(ctx, customs_code_for(1))
    assert [(a.action, a.actor, a.reason) for a in trail] == [
        ("enterprises.enterprise.filed", "clerk", None),
        ("enterprises.enterprise.approved", "cli", "资料齐全"),
    ]


def test_transition_needs_a_reason(app: typer.Typer) -> None:
    file_one(app)
    result = runner.invoke(app, ["enterprises", "suspend", customs_code_for(1)])
    assert result.exit_code == 2
    refused = runner.invoke(app, ["enterprises", "suspend", customs_code_for(1), "--reason", "x"])
    assert refused.exit_code == 1
    assert "cannot suspend a filing that is pending" in refused.output


def test_import_bad_file_reports_every_problem(app: typer.Typer, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "ents.csv"
    rows = [ENTERPRISE_CSV_HEADER, enterprise_csv_row(1), enterprise_csv_row(2, uscc="91110000600037341N"),
            enterprise_csv_row(3, roles="")]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["enterprises", "import", str(path)])
    assert result.exit_code == 1
    assert "ents.csv: 2 problem(s); nothing was imported" in result.output
    assert "row[3].uscc" in result.output and "row[4].roles" in result.output
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_import_summary_and_list(app: typer.Typer, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "ents.csv"
    path.write_text("\n".join([ENTERPRISE_CSV_HEADER, enterprise_csv_row(1), enterprise_csv_row(2)]) + "\n")
    result = runner.invoke(app, ["enterprises", "import", str(path), "--actor", "bulk"])
    assert result.exit_code == 0, result.output
    assert "import ents.csv" in result.output
    again = runner.invoke(app, ["enterprises", "import", str(path)])
    assert again.exit_code == 0
    assert get_enterprise(ctx, customs_code_for(2)).status == "pending"
    listed = runner.invoke(app, ["enterprises", "list", "--status", "pending", "--role", "ecommerce_platform"])
    assert listed.exit_code == 0
    assert "enterprises: 2" in listed.output and customs_code_for(2) in listed.output
