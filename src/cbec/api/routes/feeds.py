"""REST routes of information sharing (信息共享) under /api/v1/feeds: subscriptions, pull feeds, webhook replay."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import require
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
MANAGE = [Depends(require(Permission.FEEDS_MANAGE))]
CONSUME = [Depends(require(Permission.FEEDS_CONSUME))]


class CursorIn(BaseModel):
    """How far the consumer has processed its feed."""

    position: int = Field(ge=0)


class ActiveIn(BaseModel):
    """Who pauses or resumes a subscription, and why."""

    actor: str = "api"
    reason: str = Field(min_length=1)


class ReplayIn(BaseModel):
    """What to deliver again: dead letters, chosen positions, or everything from a position on."""

    dead: bool = False
    positions: list[int] = Field(default_factory=list)
    from_position: int | None = Field(default=None, ge=1)
    actor: str = "api"


@router.post("", response_model=SubscriptionCreated, status_code=201, dependencies=MANAGE)
def subscribe(body: SubscriptionCreate, ctx: Context = Depends(get_ctx)) -> SubscriptionCreated:
    """Create a subscription; the webhook secret (HMAC-SHA256 key) is shown in this answer only."""
    return create_subscription(ctx, body)


@router.get("", response_model=list[SubscriptionRead])
def subscriptions(ctx: Context = Depends(get_ctx)) -> list[SubscriptionRead]:
    """List subscriptions."""
    return list_subscriptions(ctx)


@router.get("/{subscription}", response_model=SubscriptionRead)
def subscription(subscription: str, ctx: Context = Depends(get_ctx)) -> SubscriptionRead:
    """Return one subscription."""
    return get_subscription(ctx, subscription)


@router.post("/{subscription}/pause", response_model=SubscriptionRead, dependencies=MANAGE)
def pause(subscription: str, body: ActiveIn, ctx: Context = Depends(get_ctx)) -> SubscriptionRead:
    """Pause a subscription (its positions are kept)."""
    return set_subscription_active(ctx, subscription, active=False, actor=body.actor, reason=body.reason)


@router.post("/{subscription}/resume", response_model=SubscriptionRead, dependencies=MANAGE)
def resume(subscription: str, body: ActiveIn, ctx: Context = Depends(get_ctx)) -> SubscriptionRead:
    """Resume a paused subscription."""
    return set_subscription_active(ctx, subscription, active=True, actor=body.actor, reason=body.reason)


@router.get("/{subscription}/events", response_model=FeedPage)
def events(
    subscription: str,
    after: int | None = Query(None, ge=0, description="Read after this position; default: the stored cursor."),
    limit: int = Query(100, ge=1, le=1000),
    ctx: Context = Depends(get_ctx),
) -> FeedPage:
    """Read the feed in position order (at least once; replay by passing an earlier position)."""
    return read_feed(ctx, subscription, after=after, limit=limit)


@router.put("/{subscription}/cursor", dependencies=CONSUME)
def put_cursor(subscription: str, body: CursorIn, ctx: Context = Depends(get_ctx)) -> dict[str, int]:
    """Store the consumer's durable cursor (the ``next_after`` it has processed)."""
    return {"cursor": commit_cursor(ctx, subscription, body.position)}


@router.get("/{subscription}/dead-letters", response_model=list[DeadLetterRead], dependencies=MANAGE)
def get_dead_letters(subscription: str, ctx: Context = Depends(get_ctx)) -> list[DeadLetterRead]:
    """List events the webhook never accepted (死信)."""
    return dead_letters(ctx, subscription)


@router.post("/{subscription}/replay", dependencies=MANAGE)
def replay(subscription: str, body: ReplayIn, ctx: Context = Depends(get_ctx)) -> dict[str, int]:
    """Queue events for webhook delivery again."""
    queued = replay_webhook(
        ctx,
        subscription,
        actor=body.actor,
        dead=body.dead,
        positions=body.positions,
        from_position=body.from_position,
    )
    return {"queued": queued}
