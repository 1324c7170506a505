"""REST routes of information sharing (信息共享) under /api/v1/feeds: subscriptions, pull feeds, webhook replay.

Subscriptions and their feeds are the hub's: callers of a narrower scope (a city sub-platform) list none, find
none (404) and may not subscribe (403 ``AUTH-SCOPE``). Changes are audited under the signed-in principal.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.sharing.schemas import DeadLetterRead, FeedPage, SubscriptionCreate, SubscriptionCreated, SubscriptionRead
from cbec.sharing.service import (
    commit_cursor,
    create_subscription,
    dead_letters,
    get_subscription,
    list_subscriptions,
    read_feed,
    replay_webhook,
    set_subscription_active,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"], dependencies=[Depends(require(Permission.FEEDS_READ))])
READ, MANAGE, CONSUME = Permission.FEEDS_READ, Permission.FEEDS_MANAGE, Permission.FEEDS_CONSUME


class CursorIn(BaseModel):
    """How far the consumer has processed its feed."""

    position: int = Field(ge=0)


class ActiveIn(BaseModel):
    """Why a subscription is paused or resumed (the signed-in principal is recorded as who)."""

    reason: str = Field(min_length=1)


class ReplayIn(BaseModel):
    """What to deliver again: dead letters, chosen positions, or everything from a position on."""

    dead: bool = False
    positions: list[int] = Field(default_factory=list)
    from_position: int | None = Field(default=None, ge=1)


@router.post("", response_model=SubscriptionCreated, status_code=201)
def subscribe(
    body: SubscriptionCreate,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> SubscriptionCreated:
    """Create a subscription; the webhook secret (HMAC-SHA256 key) is shown in this answer only.

    The body's ``actor`` is ignored: the signed-in principal is recorded.
    """
    return create_subscription(ctx, body.model_copy(update={"actor": principal.name}), scope=scope)


@router.get("", response_model=list[SubscriptionRead])
def subscriptions(scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[SubscriptionRead]:
    """List the subscriptions in the caller's scope."""
    return list_subscriptions(ctx, scope=scope)


@router.get("/{subscription}", response_model=SubscriptionRead)
def subscription(
    subscription: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)
) -> SubscriptionRead:
    """Return one subscription."""
    return get_subscription(ctx, subscription, scope=scope)


def _set_active(
    ctx: Context, subscription: str, body: ActiveIn, principal: Principal, scope: Scope, *, active: bool
) -> SubscriptionRead:
    return set_subscription_active(
        ctx, subscription, active=active, actor=principal.name, reason=body.reason, scope=scope
    )


@router.post("/{subscription}/pause", response_model=SubscriptionRead)
def pause(
    subscription: str,
    body: ActiveIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> SubscriptionRead:
    """Pause a subscription (its positions are kept)."""
    return _set_active(ctx, subscription, body, principal, scope, active=False)


@router.post("/{subscription}/resume", response_model=SubscriptionRead)
def resume(
    subscription: str,
    body: ActiveIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> SubscriptionRead:
    """Resume a paused subscription."""
    return _set_active(ctx, subscription, body, principal, scope, active=True)


@router.get("/{subscription}/events", response_model=FeedPage)
def events(
    subscription: str,
    after: int | None = Query(None, ge=0, description="Read after this position; default: the stored cursor."),
    limit: int = Query(100, ge=1, le=1000),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> FeedPage:
    """Read the feed in position order (at least once; replay by passing an earlier position)."""
    return read_feed(ctx, subscription, after=after, limit=limit, scope=scope)


@router.put("/{subscription}/cursor")
def put_cursor(
    subscription: str, body: CursorIn, scope: Scope = Depends(scoped(CONSUME)), ctx: Context = Depends(get_ctx)
) -> dict[str, int]:
    """Store the consumer's durable cursor (the ``next_after`` it has processed)."""
    return {"cursor": commit_cursor(ctx, subscription, body.position, scope=scope)}


@router.get("/{subscription}/dead-letters", response_model=list[DeadLetterRead])
def get_dead_letters(
    subscription: str, scope: Scope = Depends(scoped(MANAGE)), ctx: Context = Depends(get_ctx)
) -> list[DeadLetterRead]:
    """List events the webhook never accepted (死信)."""
    return dead_letters(ctx, subscription, scope=scope)


@router.post("/{subscription}/replay")
def replay(
    subscription: str,
    body: ReplayIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, int]:
    """Queue events for webhook delivery again."""
    queued = replay_webhook(
        ctx,
        subscription,
        actor=principal.name,
        dead=body.dead,
        positions=body.positions,
        from_position=body.from_position,
        scope=scope,
    )
    return {"queued": queued}
