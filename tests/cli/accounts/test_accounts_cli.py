"""`cbec accounts ...` from the command line: users, keys, delegations, tenants, the first admin, demo users."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from tests.builders import PARTIES
from typer.testing import CliRunner

from cbec.accounts.service import identify_api_key, sign_in
from cbec.cli import accounts as accounts_cli
from cbec.cli.state import state
from cbec.storage.context import Context

runner = CliRunner()


@pytest.fixture
def app(ctx: Context) -> Iterator[typer.Typer]:
    """A CLI with only the accounts commands, bound to the test context."""
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """Test root."""

    accounts_cli.register(cli)
    previous = state._ctx
    state._ctx = ctx
    try:
        yield cli
    finally:
        state._ctx = previous


def run(app: typer.Typer, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, ["accounts", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def shown(output: str, label: str) -> str:
    found = re.search(rf"{label} \(shown once\): (\S+)", output)
    assert found is not None, output
    return found.group(1)


def test_users_get_a_generated_password_or_one_from_stdin(app: typer.Typer, ctx: Context) -> None:
    output = run(app, "create-user", "wang.fang", "--role", "agency_officer", "--agency", "tax")
    assert "created wang.fang (agency_officer) at hub" in output
    assert sign_in(ctx, "wang.fang", shown(output, "password"), client="cli").identity.agency is not None
    run(app, "create-user", "li.na", "--role", "auditor", "--password-stdin", stdin="a long pass phrase\n")
    assert sign_in(ctx, "li.na", "a long pass phrase", client="cli").identity.role.value == "auditor"
    refused = runner.invoke(app, ["accounts", "create-user", "x y", "--role", "officer"])
    assert refused.exit_code == 1
    assert "ACC-USERNAME" in refused.output and "ACC-ROLE" in refused.output


def test_keys_are_shown_once_listed_without_secret_and_revoked(app: typer.Typer, ctx: Context) -> None:
    run(app, "create-user", "erp", "--role", "agency_officer", "--agency", "customs", "--no-password")
    created = run(app, "api-key", "create", "erp", "--label", "报关系统", "--scope", "clearance.read")
    key, key_id = shown(created, "key"), created.split()[2]
    assert identify_api_key(ctx, key).permissions == frozenset({"clearance.read"})
    listed = run(app, "api-key", "list")
    assert "erp" in listed and key[:13] in listed and key not in listed
    assert f"API key {key_id} revoked" in run(app, "api-key", "revoke", key_id)


def test_delegations_and_tenants(app: typer.Typer, zone) -> None:  # type: ignore[no-untyped-def]
    output = run(
        app,
        "delegate",
        "--grantor", PARTIES.ecommerce.code,
        "--agent", PARTIES.agent.code,
        "--scope", "ceb.submit",
        "--until", "2026-12-31",
        "--reason", "年度委托",
    )  # fmt: skip
    number = output.split()[1].rstrip(":")
    assert output.strip() == f"delegation {number}: {PARTIES.ecommerce.code} -> {PARTIES.agent.code} (ceb.submit)"
    assert "2026-12-31 00:00:00" in run(app, "delegations")  # shown in Asia/Shanghai, the column says so
    assert f"delegation {number} revoked" in run(app, "revoke-delegation", number, "--reason", "合同终止")
    assert "tenant hub/zhengzhou (sub_platform) added" in run(app, "tenant", "add", "hub/zhengzhou", "--name", "郑州")
    assert "hub/zhengzhou" in run(app, "tenant", "list")


def test_ensure_admin_and_demo_users(app: typer.Typer, ctx: Context) -> None:
    first = run(app, "ensure-admin")
    assert sign_in(ctx, "admin", shown(first, "password"), client="cli").identity.role.value == "zone_admin"
    assert run(app, "ensure-admin").strip() == "zone administrator: admin"
    refused = runner.invoke(app, ["accounts", "demo-users"])
    assert (refused.exit_code, "not a demo database" in refused.output) == (1, True)


def test_demo_users_on_the_demo_zone(app: typer.Typer, ctx: Context) -> None:
    from cbec.demo.filing import set_up_zone

    set_up_zone(ctx)
    output = run(app, "demo-users")
    assert "demo only" in output
    for username, _role, _agency, _enterprise, password, _name in accounts_cli.DEMO_USERS:
        assert sign_in(ctx, username, password, client="cli").identity.username == username
    assert run(app, "demo-users") == output  # a second run changes nothing
