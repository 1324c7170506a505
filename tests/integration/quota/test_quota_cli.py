"""`cbec quota show`: the consumer's annual quota from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
import typer
from typer.testing import CliRunner

from cbec.cli import quota as quota_cli
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.quota import buyer_key_for, name_key_for, reserve
from cbec.storage.context import Context

ID_NUMBER = "11010519491231002X"
NAME = "张三"


@pytest.fixture
def app(ctx: Context) -> Iterator[typer.Typer]:
    """A CLI with only the quota commands, bound to the test context."""
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Test root."""

    quota_cli.register(cli)
    previous = state._ctx
    state._ctx = ctx
    try:
        yield cli
    finally:
        state._ctx = previous


def consume(ctx: Context) -> None:
    when = datetime(2026, 2, 1, 9, 30, tzinfo=SHANGHAI)
    with ctx.uow() as uow:
        reserve(
            uow.session,
            buyer_key=buyer_key_for(ctx.cipher, ID_NUMBER),
            name_key=name_key_for(ctx.cipher, NAME),
            year=2026,
            amount=Decimal("1234.50"),
            annual_limit=Decimal("26000.00"),
            inventory_ref="4601:INV001",
            order_no="ORDER-1",
            platform_name="测试平台",
            declared_at=when,
        )
        uow.commit()


def test_show_prints_the_masked_statement(ctx: Context, app: typer.Typer) -> None:
    consume(ctx)
    result = CliRunner().invoke(
        app, ["quota", "show", "--id-number", ID_NUMBER, "--name", NAME], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "110105********002X" in result.output
    assert ID_NUMBER not in result.output
    assert "used 1,234.50" in result.output
    assert "remaining 24,765.50" in result.output
    assert "4601:INV001" in result.output and "2026-02-01 09:30" in result.output


def test_show_json(ctx: Context, app: typer.Typer) -> None:
    consume(ctx)
    args = ["quota", "show", "--id-number", ID_NUMBER, "--name", NAME, "--year", "2026", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["used"], body["remaining"], len(body["entries"])) == ("1234.50", "24765.50", 1)


def test_show_refuses_a_wrong_name(ctx: Context, app: typer.Typer) -> None:
    consume(ctx)
    result = CliRunner().invoke(app, ["quota", "show", "--id-number", ID_NUMBER, "--name", "李四"])
    assert result.exit_code == 1
    assert "no counted inventory matches" in result.output
