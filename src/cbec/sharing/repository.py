"""All SQL of information sharing (信息共享); never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cbec.sharing.models import FeedCursor, OutboxEvent, Subscription, WebhookDelivery
from cbec.sharing.rules import Filter
from cbec.storage.upsert import insert_ignore


def subscription_by_name(session: Session, name: str) -> Subscription | None:
    """Return a subscription by name."""
    return session.scalar(select(Subscription).where(Subscription.name == name))


def subscriptions(session: Session, *, webhooks_only: bool = False, active_only: bool = False) -> list[Subscription]:
    """Return subscriptions by name."""
    stmt = select(Subscription)
    if webhooks_only:
        stmt = stmt.where(Subscription.webhook_url.is_not(None))
    if active_only:
        stmt = stmt.where(Subscription.active.is_(True))
    return list(session.scalars(stmt.order_by(Subscription.name)))


def cursor(session: Session, name: str, now: datetime, *, for_update: bool = False) -> FeedCursor:
    """Return a consumer's cursor, created at position 0 if absent."""
    insert_ignore(session, FeedCursor, {"name": name, "position": 0, "updated_at": now}, ["name"])
    stmt = select(FeedCursor).where(FeedCursor.name == name).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one()


def events_after(session: Session, position: int, event_filter: Filter | None, *, limit: int) -> list[OutboxEvent]:
    """Return up to ``limit`` committed events after a position, in position order, pre-filtered in SQL.

    Tenants are not filtered here (parties is a JSON list); callers apply ``Filter.matches``.
    """
    stmt = select(OutboxEvent).where(OutboxEvent.position > position)
    if event_filter is not None:
        stmt = stmt.where(OutboxEvent.kind.in_(sorted(event_filter.kinds())))
        if event_filter.document_types:
            stmt = stmt.where(OutboxEvent.document_type.in_(event_filter.document_types))
        if event_filter.zones:
            stmt = stmt.where(OutboxEvent.zone.in_(event_filter.zones))
        if event_filter.statuses:
            stmt = stmt.where(OutboxEvent.status.in_(event_filter.statuses))
    return list(session.scalars(stmt.order_by(OutboxEvent.position).limit(limit)))


def events_at(session: Session, positions: Sequence[int]) -> list[OutboxEvent]:
    """Return the events at the given positions, in position order."""
    if not positions:
        return []
    stmt = select(OutboxEvent).where(OutboxEvent.position.in_(sorted(set(positions))))
    return list(session.scalars(stmt.order_by(OutboxEvent.position)))


def last_position(session: Session) -> int:
    """Return the highest committed event position (0 when there is none)."""
    found = session.scalar(select(OutboxEvent.position).order_by(OutboxEvent.position.desc()).limit(1))
    return int(found or 0)


def deliveries(
    session: Session, subscription_id: int, *, status: str | None = None, at_or_below: int | None = None
) -> list[WebhookDelivery]:
    """Return delivery rows of a subscription, in position order."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if at_or_below is not None:
        stmt = stmt.where(WebhookDelivery.position <= at_or_below)
    return list(session.scalars(stmt.order_by(WebhookDelivery.position)))


def delivery(session: Session, subscription_id: int, position: int) -> WebhookDelivery | None:
    """Return the delivery row of one event to one subscription."""
    return session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.position == position
        )
    )


def forget_delivered(session: Session, subscription_id: int, up_to: int) -> None:
    """Delete delivered rows at or below the cursor (dead letters stay)."""
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.position <= up_to,
            WebhookDelivery.status == "delivered",
        )
    )


def forget_from(session: Session, subscription_id: int, position: int) -> None:
    """Delete every delivery row at or after a position (before a replay from there)."""
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.position >= position
        )
    )
