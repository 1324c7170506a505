"""Who an API key stands for is kept in memory, and never answered stale: revocations by any means, expiry and
delegations that start or end by time alone are seen by the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from tests.builders import PARTIES
from tests.sql import statements

from cbec.accounts import CredentialsRefused
from cbec.accounts.models import ApiKey
from cbec.accounts.schemas import AccountCreate, DelegationCreate
from cbec.accounts.service import create_account, create_api_key, grant_delegation, identify_api_key
from cbec.common.clock import FixedClock
from cbec.storage.context import Context
from cbec.storage.revisions import tokens


def account_token(ctx: Context) -> str | None:
    with ctx.uow() as uow:
        return tokens(uow.session).get("account")


def shop_key(ctx: Context, username: str = "shop") -> str:
    create_account(
        ctx, AccountCreate(username=username, role="enterprise_user", enterprise_code=PARTIES.ecommerce.code), actor="t"
    )
    return create_api_key(ctx, username=username, label="erp", actor="t").key


def test_a_known_key_is_answered_from_memory_with_one_token_read(zone, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    key = shop_key(ctx)
    assert identify_api_key(ctx, key).enterprise_code == PARTIES.ecommerce.code  # read, last use written
    with statements(ctx) as seen:
        again = identify_api_key(ctx, key)
    assert again.enterprise_code == PARTIES.ecommerce.code
    assert [s for s in seen if "data_revision" in s] != []
    assert [s for s in seen if "FROM api_key" in s or "FROM account" in s or "UPDATE api_key" in s] == []
    token = account_token(ctx)
    clock.advance(timedelta(minutes=2))
    with statements(ctx) as seen:
        identify_api_key(ctx, key)  # a minute on: the last use is written again, from memory otherwise
    assert [s.split(" SET")[0] for s in seen if s.startswith("UPDATE")] == ["UPDATE api_key"]
    assert [s for s in seen if "FROM api_key" in s] == []
    with ctx.session_factory() as session:
        assert session.scalars(select(ApiKey.last_used_at)).one() == clock.now()
    assert account_token(ctx) == token  # writing the last use is no change of who the caller is


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE api_key SET revoked_at = expires_at",
        "UPDATE account SET active = false",
        "DELETE FROM api_key",
    ],
)
def test_a_key_revoked_or_an_account_disabled_by_sql_is_refused_at_the_next_request(zone, change: str) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    key = shop_key(ctx)
    identify_api_key(ctx, key)
    identify_api_key(ctx, key)  # cached
    with ctx.engine.begin() as conn:
        conn.execute(text(change))
    with pytest.raises(CredentialsRefused):
        identify_api_key(ctx, key)


def test_a_change_of_the_enterprise_filing_is_seen_by_the_next_request(zone) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    key = shop_key(ctx)
    assert identify_api_key(ctx, key).tenant == "hub"
    with ctx.engine.begin() as conn:  # the filing changes, not the account: the filing token is in the key
        conn.execute(
            text("UPDATE enterprise SET zone = 'hub/zhengzhou' WHERE customs_code = :c"), {"c": PARTIES.ecommerce.code}
        )
    assert identify_api_key(ctx, key).tenant == "hub/zhengzhou"


def test_an_expired_key_is_refused_though_its_answer_was_kept(zone, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    create_account(
        ctx, AccountCreate(username="shop", role="enterprise_user", enterprise_code=PARTIES.ecommerce.code), actor="t"
    )
    key = create_api_key(ctx, username="shop", label="erp", actor="t", days=1).key
    identify_api_key(ctx, key)
    clock.advance(timedelta(hours=23, minutes=59))
    identify_api_key(ctx, key)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(CredentialsRefused):
        identify_api_key(ctx, key)


def test_a_mandate_takes_effect_when_it_starts_and_lapses_when_it_ends_with_no_write_between(
    zone, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    ctx = zone.ctx
    create_account(
        ctx,
        AccountCreate(username="agent.user", role="declaring_agent", enterprise_code=PARTIES.agent.code),
        actor="t",
    )
    key = create_api_key(ctx, username="agent.user", label="k", actor="t").key
    start = clock.now() + timedelta(hours=1)
    grant_delegation(
        ctx,
        DelegationCreate(
            agent_code=PARTIES.agent.code, scopes=["ceb.submit"], valid_from=start, valid_to=start + timedelta(days=1)
        ),
        grantor_code=PARTIES.ecommerce.code,
        actor="shop",
    )
    assert identify_api_key(ctx, key).acting_for == frozenset()
    assert identify_api_key(ctx, key).acting_for == frozenset()  # cached, until the mandate starts
    token = account_token(ctx)
    clock.advance(timedelta(hours=1))
    assert identify_api_key(ctx, key).acting_for == frozenset({PARTIES.ecommerce.code})
    clock.advance(timedelta(hours=23, minutes=59))
    assert identify_api_key(ctx, key).acting_for == frozenset({PARTIES.ecommerce.code})
    clock.advance(timedelta(minutes=1))
    assert identify_api_key(ctx, key).acting_for == frozenset()
    assert account_token(ctx) == token  # no write in between: time alone
    clock.advance(timedelta(hours=-12))  # a clock set back inside the mandate sees it, not the later answer
    assert identify_api_key(ctx, key).acting_for == frozenset({PARTIES.ecommerce.code})
