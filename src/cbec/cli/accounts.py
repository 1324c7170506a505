"""`cbec accounts ...`: users, API keys, delegations, tenants and the first administrator (账号管理).

The command line runs with the database's own credentials, so it is the zone operator's tool: it is not
subject to the permission matrix (the REST API and web pages are). Secrets are printed once and never stored.
"""

from __future__ import annotations

import sys
from datetime import datetime

import typer
from rich.table import Table

from cbec.accounts import ROOT_TENANT, Role
from cbec.accounts.passwords import new_password
from cbec.accounts.schemas import AccountCreate, DelegationCreate, TenantCreate
from cbec.accounts.service import (
    create_account,
    create_api_key,
    create_tenant,
    ensure_admin,
    grant_delegation,
    list_accounts,
    list_api_keys,
    list_delegations,
    list_tenants,
    revoke_api_key,
    revoke_delegation,
    set_active,
    set_password,
)
from cbec.cli.format import when
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError

# Demo accounts (`make run` only): documented passwords, created only on a database holding the demo zone.
DEMO_USERS: tuple[tuple[str, str, str | None, str | None, str, str], ...] = (
    # username, role, agency, enterprise, password, display name
    ("zone-office", "zone_admin", None, None, "demo-zone-office", "综试办（演示）"),
    ("customs", "agency_officer", "customs", None, "demo-customs-officer", "海关关员（演示）"),
    ("shop-a", "enterprise_user", None, "4601960002", "demo-shop-a-user", "全球购电商企业用户（演示）"),
    ("consumer", "consumer", None, None, "demo-consumer", "消费者（演示）"),
)
DEMO_ENTERPRISE = "4601960002"  # shop_a of cbec.demo.zone


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {text}") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)


def _password(from_stdin: bool) -> tuple[str, bool]:
    """Return a password read from stdin, or a generated one (and whether it was generated)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return new_password(), True


def register(app: typer.Typer) -> None:
    """Add the `accounts` command group."""
    group = typer.Typer(help="Accounts, roles, API keys, delegations and tenants (账号与权限).", no_args_is_help=True)
    keys = typer.Typer(help="API keys of systems (接口密钥): shown once, stored hashed.", no_args_is_help=True)
    tenants = typer.Typer(help="Tenants of the 1+M+N structure: sub-platforms and windows.", no_args_is_help=True)

    @group.command("create-user")
    def create_user(
        username: str = typer.Argument(...),
        role: str = typer.Option(..., "--role", help=", ".join(r.value for r in Role)),
        agency: str | None = typer.Option(None, "--agency", help="customs, tax, fx, market, post, commerce."),
        enterprise: str | None = typer.Option(None, "--enterprise", help="Customs code (enterprise users)."),
        tenant: str | None = typer.Option(None, "--tenant", help=f"Tenant path (default {ROOT_TENANT})."),
        name: str | None = typer.Option(None, "--name", help="Display name."),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
        no_password: bool = typer.Option(False, "--no-password", help="A system account: API keys only."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Create an account; without --password-stdin a password is generated and printed once."""
        password, generated = (None, False) if no_password else _password(password_stdin)
        data = AccountCreate(
            username=username,
            role=role,
            agency=agency,
            enterprise_code=enterprise,
            tenant=tenant,
            display_name=name,
            password=password,
        )
        try:
            account = create_account(state.context(), data, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"created {account.username} ({account.role}) at {account.tenant}")
        if generated:
            console().print(f"password (shown once): {password}")

    @group.command("set-password")
    def set_password_(
        username: str = typer.Argument(...),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Set a new password (generated and printed once unless read from stdin); sessions end."""
        password, generated = _password(password_stdin)
        try:
            set_password(state.context(), username, password, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"password of {username} changed")
        if generated:
            console().print(f"password (shown once): {password}")

    @group.command("disable")
    def disable(username: str = typer.Argument(...), actor: str = typer.Option("cli", "--actor")) -> None:
        """Disable an account: sessions end, API keys stop working."""
        try:
            set_active(state.context(), username, False, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"{username} disabled")

    @group.command("enable")
    def enable(username: str = typer.Argument(...), actor: str = typer.Option("cli", "--actor")) -> None:
        """Enable a disabled account."""
        try:
            set_active(state.context(), username, True, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"{username} enabled")

    @group.command("list")
    def list_() -> None:
        """List the accounts."""
        table = Table(
            "username", "role", "agency", "enterprise", "tenant", "active", "password", "last sign-in (Asia/Shanghai)"
        )
        for a in list_accounts(state.context()):
            last = when(a.last_login_at)
            table.add_row(
                a.username,
                a.role,
                a.agency or "",
                a.enterprise_code or "",
                a.tenant,
                "yes" if a.active else "no",
                "yes" if a.has_password else "no",
                last,
            )
        console().print(table)

    @group.command("ensure-admin")
    def ensure_admin_(username: str = typer.Option("admin", "--username")) -> None:
        """Make sure the hub has a zone administrator; a generated password is printed once.

        The password is CBEC_ADMIN_PASSWORD when set, else generated.
        """
        try:
            account, generated = ensure_admin(state.context(), username=username)
        except DomainError as exc:
            fail(exc)
        if generated is None:
            console().print(f"zone administrator: {account.username}")
        else:
            console().print(f"created zone administrator {account.username}; password (shown once): {generated}")

    @group.command("demo-users")
    def demo_users() -> None:
        """Create the demo accounts with their documented passwords (only on a database holding the demo zone)."""
        ctx = state.context()
        from cbec.enterprises.service import list_enterprises

        if not any(e.customs_code == DEMO_ENTERPRISE for e in list_enterprises(ctx, limit=500).items):
            console().print("[red]not a demo database[/red]: demo accounts are made only after `cbec demo`")
            raise typer.Exit(1)
        existing = {a.username for a in list_accounts(ctx)}
        table = Table("username", "password", "role", title="演示账号 / demo accounts (demo only)")
        for username, role, agency, enterprise, password, display in DEMO_USERS:
            if username not in existing:
                data = AccountCreate(
                    username=username,
                    role=role,
                    agency=agency,
                    enterprise_code=enterprise,
                    display_name=display,
                    password=password,
                )
                try:
                    create_account(ctx, data, actor="cbec accounts demo-users")
                except DomainError as exc:
                    fail(exc)
            table.add_row(username, password, f"{role} {agency or enterprise or ''}".strip())
        console().print(table)

    @keys.command("create")
    def key_create(
        username: str = typer.Argument(..., help="Owner of the key."),
        label: str = typer.Option(..., "--label", help="The system that uses it."),
        scopes: list[str] = typer.Option([], "--scope", help="A permission; repeat. Default: all of the account's."),
        days: int | None = typer.Option(None, "--days", help="Validity (default CBEC_API_KEY_DAYS, 365)."),
        actor: str = typer.Option("cli", "--actor"),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only the key (KEY=$(cbec … -q))."),
    ) -> None:
        """Issue an API key; it is printed once."""
        try:
            issued = create_api_key(
                state.context(), username=username, label=label, scopes=scopes or None, days=days, actor=actor
            )
        except DomainError as exc:
            fail(exc)
        if quiet:
            typer.echo(issued.key)
            return
        console().print(f"API key {issued.id} for {issued.username}, expires {when(issued.expires_at)} (Asia/Shanghai)")
        console().print(f"key (shown once): {issued.key}")

    @keys.command("revoke")
    def key_revoke(key_id: int = typer.Argument(...), actor: str = typer.Option("cli", "--actor")) -> None:
        """Revoke an API key."""
        try:
            revoke_api_key(state.context(), key_id, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"API key {key_id} revoked")

    @keys.command("list")
    def key_list(username: str | None = typer.Argument(None)) -> None:
        """List API keys (no secrets): id, owner, prefix, scopes, expiry, last use."""
        table = Table(
            "id",
            "username",
            "label",
            "prefix",
            "scopes",
            *(f"{c} (Asia/Shanghai)" for c in ("expires", "revoked", "last used")),
        )
        for k in list_api_keys(state.context()):
            if username is not None and k.username != username:
                continue
            table.add_row(
                str(k.id),
                k.username,
                k.label,
                k.prefix,
                ", ".join(k.scopes) if k.scopes is not None else "(all)",
                when(k.expires_at),
                when(k.revoked_at),
                when(k.last_used_at),
            )
        console().print(table)

    @group.command("delegate")
    def delegate(
        grantor: str = typer.Option(..., "--grantor", help="Customs code of the delegating enterprise."),
        agent: str = typer.Option(..., "--agent", help="Customs code of the declaring agent."),
        scopes: list[str] = typer.Option(..., "--scope", help="ceb.submit, clearance.read, ...; repeat."),
        until: str = typer.Option(..., "--until", help="End (ISO 8601; Asia/Shanghai if no offset)."),
        since: str | None = typer.Option(None, "--from", help="Start (default now)."),
        reason: str | None = typer.Option(None, "--reason"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Record an enterprise's mandate to a declaring agent (委托申报)."""
        data = DelegationCreate(
            agent_code=agent,
            scopes=scopes,
            valid_from=_time(since) if since else None,
            valid_to=_time(until),
            reason=reason,
        )
        try:
            row = grant_delegation(state.context(), data, grantor_code=grantor, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"delegation {row.id}: {row.grantor_code} -> {row.agent_code} ({', '.join(row.scopes)})")

    @group.command("revoke-delegation")
    def revoke_delegation_(
        delegation_id: int = typer.Argument(...),
        reason: str = typer.Option(..., "--reason"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """End a mandate before its time."""
        try:
            revoke_delegation(state.context(), delegation_id, reason=reason, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"delegation {delegation_id} revoked")

    @group.command("delegations")
    def delegations() -> None:
        """List the mandates."""
        table = Table("id", "grantor", "agent", "scopes", *(f"{c} (Asia/Shanghai)" for c in ("from", "to", "revoked")))
        for d in list_delegations(state.context()):
            table.add_row(
                str(d.id),
                d.grantor_code,
                d.agent_code,
                ", ".join(d.scopes),
                when(d.valid_from),
                when(d.valid_to),
                when(d.revoked_at),
            )
        console().print(table)

    @tenants.command("add")
    def tenant_add(
        path: str = typer.Argument(..., help="hub/<city> or hub/<city>/<window>"),
        name: str = typer.Option(..., "--name"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Add a sub-platform or a front window."""
        try:
            row = create_tenant(state.context(), TenantCreate(path=path, name=name), actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"tenant {row.path} ({row.kind}) added")

    @tenants.command("list")
    def tenant_list() -> None:
        """List the tenants."""
        table = Table("path", "name", "kind")
        for t in list_tenants(state.context()):
            table.add_row(t.path, t.name, t.kind)
        console().print(table)

    group.add_typer(keys, name="api-key")
    group.add_typer(tenants, name="tenant")
    app.add_typer(group, name="accounts")
