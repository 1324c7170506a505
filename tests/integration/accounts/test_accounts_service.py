"""Accounts use cases on the database: sign-in and throttling, API keys, delegations, tenants and roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.builders import PARTIES
from tests.unit.enterprises.builders import approved

from cbec.accounts import (
    AccountExists,
    AccountInvalid,
    AccountNotFound,
    CredentialsRefused,
    LoginThrottled,
    NotAllowed,
)
from cbec.accounts.models import Account, ApiKey, LoginFailure, WebSession
from cbec.accounts.passwords import digest
from cbec.accounts.schemas import AccountCreate, DelegationCreate, TenantCreate
from cbec.accounts.service import (
    create_account,
    create_api_key,
    create_tenant,
    ensure_admin,
    grant_delegation,
    identify_api_key,
    identify_session,
    list_delegations,
    list_tenants,
    revoke_api_key,
    revoke_delegation,
    set_active,
    sign_in,
    sign_out,
)
from cbec.audit.models import AuditRecord
from cbec.common.clock import FixedClock
from cbec.common.scope import Scope
from cbec.enterprises.service import list_enterprises
from cbec.storage.context import Context

PASSWORD = "correct horse battery"


def user(ctx: Context, username: str = "wang.fang", **fields: str | None) -> None:
    data = {"role": "agency_officer", "agency": "customs", "password": PASSWORD, **fields}
    create_account(ctx, AccountCreate(username=username, **data), actor="test")  # type: ignore[arg-type]


def audit_actions(ctx: Context) -> list[tuple[str, str, str]]:
    with ctx.session_factory() as session:
        rows = session.execute(
            select(AuditRecord.actor, AuditRecord.action, AuditRecord.entity_key).order_by(AuditRecord.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_sign_in_opens_a_session_that_sign_out_ends(ctx: Context) -> None:
    user(ctx)
    signed = sign_in(ctx, " Wang.Fang ", PASSWORD, client="10.0.0.1")
    assert (signed.identity.username, signed.identity.role.value, signed.identity.agency) == (
        "wang.fang",
        "agency_officer",
        "customs",
    )
    assert signed.expires_at == ctx.clock.now() + timedelta(hours=8)
    with ctx.session_factory() as session:
        row = session.scalars(select(WebSession)).one()
        assert row.token_hash == digest(signed.token) and signed.token not in row.token_hash
        account = session.scalars(select(Account)).one()
        assert account.password_hash is not None and account.password_hash.startswith("$argon2id$")
    assert identify_session(ctx, signed.token).csrf_token == signed.csrf_token
    assert sign_out(ctx, signed.token) is True
    assert sign_out(ctx, signed.token) is False
    with pytest.raises(CredentialsRefused):
        identify_session(ctx, signed.token)
    assert audit_actions(ctx) == [
        ("test", "accounts.account.created", "wang.fang"),
        ("wang.fang", "accounts.session.started", "wang.fang"),
        ("wang.fang", "accounts.session.ended", "wang.fang"),
    ]


def test_sessions_expire(ctx: Context, clock: FixedClock) -> None:
    user(ctx)
    signed = sign_in(ctx, "wang.fang", PASSWORD, client="c")
    clock.advance(timedelta(hours=8))
    with pytest.raises(CredentialsRefused):
        identify_session(ctx, signed.token)


def test_failed_sign_ins_are_throttled_per_user(ctx: Context, clock: FixedClock) -> None:
    user(ctx)
    with pytest.raises(CredentialsRefused):
        sign_in(ctx, "nobody", PASSWORD, client="c")
    for _ in range(5):
        with pytest.raises(CredentialsRefused):
            sign_in(ctx, "wang.fang", "wrong password!", client="c")
    with pytest.raises(LoginThrottled) as throttled:
        sign_in(ctx, "wang.fang", PASSWORD, client="c")
    assert throttled.value.data["retry_after"] == 15 * 60 + 1
    with ctx.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 6
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    clock.advance(timedelta(seconds=15 * 60 + 1))  # Retry-After later, the oldest failure has left the window
    assert sign_in(ctx, "wang.fang", PASSWORD, client="c").identity.username == "wang.fang"
    with ctx.session_factory() as session:
        assert session.scalars(select(LoginFailure.username)).all() == ["nobody"]


def test_a_disabled_account_cannot_sign_in_and_its_keys_stop(ctx: Context) -> None:
    user(ctx)
    signed = sign_in(ctx, "wang.fang", PASSWORD, client="c")
    key = create_api_key(ctx, username="wang.fang", label="erp", actor="test").key
    set_active(ctx, "wang.fang", False, actor="admin")
    for attempt in (
        lambda: identify_session(ctx, signed.token),
        lambda: identify_api_key(ctx, key),
        lambda: sign_in(ctx, "wang.fang", PASSWORD, client="c"),
    ):
        with pytest.raises(CredentialsRefused):
            attempt()
    set_active(ctx, "wang.fang", True, actor="admin")
    assert identify_api_key(ctx, key).username == "wang.fang"


def test_api_keys_are_stored_hashed_scoped_expiring_and_revocable(ctx: Context, clock: FixedClock) -> None:
    user(ctx, password=None)
    issued = create_api_key(ctx, username="wang.fang", label="清单系统", scopes=["clearance.read"], days=30, actor="t")
    assert issued.key.startswith("cbec_") and len(issued.key) == 48 and issued.prefix == issued.key[:13]
    with ctx.session_factory() as session:
        row = session.scalars(select(ApiKey)).one()
        assert (row.key_hash, row.scopes, row.last_used_at) == (digest(issued.key), ["clearance.read"], None)
    found = identify_api_key(ctx, issued.key)
    assert (found.name, found.via, found.permissions) == (
        f"wang.fang:{issued.prefix}",
        "api_key",
        frozenset({"clearance.read"}),
    )
    with ctx.session_factory() as session:
        assert session.scalars(select(ApiKey.last_used_at)).one() == clock.now()
    with pytest.raises(CredentialsRefused):
        identify_api_key(ctx, issued.key[:-1] + ("A" if issued.key[-1] != "A" else "B"))
    clock.advance(timedelta(days=30))
    with pytest.raises(CredentialsRefused):
        identify_api_key(ctx, issued.key)
    other = create_api_key(ctx, username="wang.fang", label="b", actor="t")
    revoke_api_key(ctx, other.id, actor="t")
    with pytest.raises(CredentialsRefused):
        identify_api_key(ctx, other.key)
    with pytest.raises(AccountInvalid):
        revoke_api_key(ctx, other.id, actor="t")


def test_a_key_cannot_carry_more_than_its_account_or_its_issuer(ctx: Context) -> None:
    user(ctx, "tax.officer", agency="tax", password=None)
    with pytest.raises(AccountInvalid) as refused:
        create_api_key(ctx, username="tax.officer", label="x", scopes=["clearance.decide"], actor="t")
    assert [(p.rule_id, p.field) for p in refused.value.problems] == [("ACC-SCOPE", "scopes")]
    narrowed = create_api_key(
        ctx, username="tax.officer", label="x", actor="t", ceiling=frozenset({"taxbills.read", "clearance.decide"})
    )
    assert narrowed.scopes == ["taxbills.read"]


def test_tenants_form_a_tree_and_officers_see_their_subtree(ctx: Context) -> None:
    create_tenant(ctx, TenantCreate(path="hub/zhengzhou", name="郑州分平台"), actor="t")
    create_tenant(ctx, TenantCreate(path="hub/zhengzhou/window-3", name="三号窗口"), actor="t")
    create_tenant(ctx, TenantCreate(path="hub/luoyang", name="洛阳分平台"), actor="t")
    with pytest.raises(AccountInvalid) as orphan:
        create_tenant(ctx, TenantCreate(path="hub/kaifeng/window-1", name="x"), actor="t")
    assert [p.rule_id for p in orphan.value.problems] == ["ACC-TENANT-PARENT"]
    with pytest.raises(AccountExists):
        create_tenant(ctx, TenantCreate(path="hub/luoyang", name="again"), actor="t")
    with pytest.raises(NotAllowed):
        create_tenant(ctx, TenantCreate(path="hub/kaifeng", name="x"), actor="t", scope=Scope(tenant="hub/zhengzhou"))
    assert [(t.path, t.kind, t.parent) for t in list_tenants(ctx)] == [
        ("hub", "hub", None),
        ("hub/luoyang", "sub_platform", "hub"),
        ("hub/zhengzhou", "sub_platform", "hub"),
        ("hub/zhengzhou/window-3", "window", "hub/zhengzhou"),
    ]
    user(ctx, "hub.officer", password=None)
    user(ctx, "city.officer", tenant="hub/zhengzhou", password=None)
    hub = identify_api_key(ctx, create_api_key(ctx, username="hub.officer", label="k", actor="t").key)
    city = identify_api_key(ctx, create_api_key(ctx, username="city.officer", label="k", actor="t").key)
    assert hub.tenants_visible == {"hub", "hub/luoyang", "hub/zhengzhou", "hub/zhengzhou/window-3"}
    assert city.tenants_visible == {"hub/zhengzhou", "hub/zhengzhou/window-3"}
    with pytest.raises(NotAllowed):
        create_account(
            ctx,
            AccountCreate(username="intruder", role="zone_admin", tenant="hub/luoyang"),
            actor="city.admin",
            scope=Scope(tenant="hub/zhengzhou"),
        )


def test_filings_roll_up_to_the_hub_and_stay_within_their_city(ctx: Context) -> None:
    for path in ("hub/zhengzhou", "hub/zhengzhou/window-3", "hub/luoyang"):
        create_tenant(ctx, TenantCreate(path=path, name=path), actor="t")
    approved(ctx, 1, zone="hub")
    approved(ctx, 2, zone="hub/zhengzhou")
    approved(ctx, 3, zone="hub/zhengzhou/window-3")
    approved(ctx, 4, zone="hub/luoyang")

    def codes(scope: Scope) -> list[str]:
        return [e.customs_code for e in list_enterprises(ctx, scope=scope).items]

    assert codes(Scope()) == ["4601900001", "4601900002", "4601900003", "4601900004"]
    assert codes(Scope(tenant="hub/zhengzhou")) == ["4601900002", "4601900003"]
    assert codes(Scope(tenant="hub/zhengzhou/window-3")) == ["4601900003"]
    assert codes(Scope(tenant="hub/luoyang")) == ["4601900004"]


def test_delegations_let_an_agent_act_for_an_enterprise_until_revoked(zone, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    user(ctx, "agent.user", role="declaring_agent", agency=None, enterprise_code=PARTIES.agent.code, password=None)
    key = create_api_key(ctx, username="agent.user", label="k", actor="t").key
    assert identify_api_key(ctx, key).acting_for == frozenset()
    granted = grant_delegation(
        ctx,
        DelegationCreate(
            agent_code=PARTIES.agent.code,
            scopes=["ceb.submit", "clearance.read"],
            valid_to=clock.now() + timedelta(days=90),
        ),
        grantor_code=PARTIES.ecommerce.code,
        actor="shop-a",
    )
    agent = identify_api_key(ctx, key)
    assert agent.acting_for == frozenset({PARTIES.ecommerce.code})
    assert PARTIES.ecommerce.code in (agent.scope_for("ceb.submit").parties or ())
    assert PARTIES.ecommerce.code not in (agent.scope_for("products.file").parties or ())
    assert [d.id for d in list_delegations(ctx, scope=Scope(parties=frozenset({PARTIES.ecommerce.code})))] == [
        granted.id
    ]
    with pytest.raises(AccountNotFound):
        revoke_delegation(ctx, granted.id, reason="x", actor="other", scope=Scope(parties=frozenset({"4601960001"})))
    revoke_delegation(ctx, granted.id, reason="合同到期", actor="shop-a")
    assert identify_api_key(ctx, key).acting_for == frozenset()
    actions = [a for _, a, _ in audit_actions(ctx) if a.startswith("accounts.delegation")]
    assert actions == ["accounts.delegation.granted", "accounts.delegation.revoked"]


def test_a_mandate_needs_an_approved_agent_scopes_and_a_validity(zone, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccountInvalid) as refused:
        grant_delegation(
            zone.ctx,
            DelegationCreate(agent_code=PARTIES.logistics.code, scopes=["accounts.manage"], valid_to=clock.now()),
            grantor_code=PARTIES.ecommerce.code,
            actor="t",
        )
    assert [(p.rule_id, p.field) for p in refused.value.problems] == [
        ("ACC-SCOPE", "scopes"),
        ("ACC-VALIDITY", "valid_to"),
        ("ACC-AGENT", "agent_code"),
    ]
    with pytest.raises(NotAllowed):
        grant_delegation(
            zone.ctx,
            DelegationCreate(agent_code=PARTIES.agent.code, scopes=["ceb.submit"], valid_to=clock.now() + timedelta(1)),
            grantor_code=PARTIES.ecommerce.code,
            actor="t",
            scope=Scope(parties=frozenset({PARTIES.platform.code})),
        )


def test_enterprise_users_take_their_enterprise_and_its_tenant(zone) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    with pytest.raises(AccountInvalid) as unknown:
        create_account(
            ctx, AccountCreate(username="ghost", role="enterprise_user", enterprise_code="4601999999"), actor="t"
        )
    assert [p.rule_id for p in unknown.value.problems] == ["ACC-ENTERPRISE"]
    with pytest.raises(AccountInvalid):
        create_account(
            ctx,
            AccountCreate(username="not.agent", role="declaring_agent", enterprise_code=PARTIES.ecommerce.code),
            actor="t",
        )
    shop = create_account(
        ctx, AccountCreate(username="shop", role="enterprise_user", enterprise_code=PARTIES.ecommerce.code), actor="t"
    )
    assert (shop.enterprise_code, shop.tenant, shop.has_password) == (PARTIES.ecommerce.code, "hub", False)


def test_ensure_admin_makes_one_administrator_once(ctx: Context) -> None:
    account, password = ensure_admin(ctx)
    assert (account.username, account.role, account.tenant) == ("admin", "zone_admin", "hub")
    assert password is not None and len(password) == 20
    assert sign_in(ctx, "admin", password, client="c").identity.username == "admin"
    again, none = ensure_admin(ctx)
    assert (again.id, none) == (account.id, None)


def test_ensure_admin_takes_the_configured_password(ctx: Context) -> None:
    ctx.settings = ctx.settings.model_copy(update={"admin_password": "from the environment"})
    assert ensure_admin(ctx)[1] is None
    assert sign_in(ctx, "admin", "from the environment", client="c").identity.role.value == "zone_admin"
