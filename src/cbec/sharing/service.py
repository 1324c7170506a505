"""Use cases of information sharing (信息共享): subscriptions, pull feeds with durable cursors, dead letters.

Every public function is one transaction; subscription changes are audited.
"""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.scope import Scope, require_whole
from cbec.sharing import repository as repo
from cbec.sharing.errors import NoWebhook, SubscriptionExists, SubscriptionInvalid, SubscriptionNotFound
from cbec.sharing.models import OutboxEvent, Subscription, WebhookDelivery
from cbec.sharing.rules import EventFacts, FeedScope, Filter, SubscriberKind, check_subscription
from cbec.sharing.schemas import (
    DeadLetterRead,
    EventRead,
    FeedPage,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from cbec.sharing.targets import WebhookTargetRefused, vet_target
from cbec.storage.context import Context

ENTITY = "subscription"
MAX_PAGE = 1000


def feed_cursor_name(subscription: str) -> str:
    """Return the cursor name of a subscription's pull feed."""
    return f"feed:{subscription}"


def webhook_cursor_name(subscription: str) -> str:
    """Return the cursor name of a subscription's webhook worker."""
    return f"webhook:{subscription}"


def filter_of(row: Subscription) -> Filter:
    """Return the filter of a stored subscription."""
    return Filter(
        scope=FeedScope(row.scope),
        document_types=tuple(row.document_types),
        zones=tuple(row.zones),
        parties=tuple(row.parties),
        statuses=tuple(row.statuses),
    )


def facts_of(event: OutboxEvent) -> EventFacts:
    """Return what filters look at in an event."""
    return EventFacts(event.kind, event.document_type, event.zone, event.status, tuple(event.parties))


def event_read(event: OutboxEvent) -> EventRead:
    """Return the feed shape of an event."""
    assert event.position is not None
    return EventRead(
        position=event.position,
        occurred_at=event.occurred_at,
        kind=event.kind,
        document_type=event.document_type,
        business_key=event.business_key,
        zone=event.zone,
        status=event.status,
        parties=list(event.parties),
        payload=event.payload,
    )


def _read(row: Subscription) -> SubscriptionRead:
    return SubscriptionRead(
        id=row.id,
        name=row.name,
        subscriber_kind=row.subscriber_kind,
        subscriber_code=row.subscriber_code,
        scope=row.scope,
        document_types=list(row.document_types),
        zones=list(row.zones),
        parties=list(row.parties),
        statuses=list(row.statuses),
        webhook_url=row.webhook_url,
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _load(session: Session, name: str, scope: Scope | None = None) -> Subscription:
    row = repo.subscription_by_name(session, name)
    if row is None or not _admits(scope):
        raise SubscriptionNotFound(f"no subscription {name!r}", name=name)
    return row


def _admits(scope: Scope | None) -> bool:
    # Subscriptions and the feed they read have no tenant: they are the hub's, out of any narrower scope.
    return scope is None or scope.unrestricted


def create_subscription(ctx: Context, data: SubscriptionCreate, *, scope: Scope | None = None) -> SubscriptionCreated:
    """Subscribe an agency or enterprise to events; a webhook gets a fresh signing secret, shown once.

    Only the hub subscribes (403 ``AUTH-SCOPE`` for a narrower scope): the feed is not kept to a tenant.
    """
    if scope is not None:
        require_whole(scope, "订阅", "a subscription")
    code = data.subscriber_code.strip()
    code = code.upper() if data.subscriber_kind == SubscriberKind.ENTERPRISE else code.lower()
    parties = [t.strip().upper() for t in data.parties if t.strip()]
    problems = check_subscription(data.name, data.subscriber_kind, code, data.scope, data.webhook_url, parties)
    if data.webhook_url is not None and not problems:
        try:
            vet_target(data.webhook_url, ctx.settings.webhook_allow)
        except WebhookTargetRefused as exc:
            problems = exc.problems
    if problems:
        raise SubscriptionInvalid("the subscription breaks one or more rules", problems=problems)
    if data.subscriber_kind == SubscriberKind.ENTERPRISE:
        parties = [code]  # an enterprise sees only the documents it takes part in
    secret = secrets.token_urlsafe(32) if data.webhook_url else None
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        if repo.subscription_by_name(session, data.name) is not None:
            raise SubscriptionExists(f"a subscription named {data.name!r} exists", name=data.name)
        row = Subscription(
            name=data.name,
            subscriber_kind=data.subscriber_kind,
            subscriber_code=code,
            scope=data.scope,
            document_types=sorted({d.strip() for d in data.document_types if d.strip()}),
            zones=sorted({z.strip() for z in data.zones if z.strip()}),
            parties=sorted(set(parties)),
            statuses=sorted({s.strip() for s in data.statuses if s.strip()}),
            webhook_url=data.webhook_url,
            secret_enc=ctx.cipher.encrypt(secret) if secret else None,
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=data.actor,
            action="sharing.subscription.created",
            entity_type=ENTITY,
            entity_key=row.name,
            after=_read(row).model_dump(mode="json", exclude={"id", "created_at", "updated_at"}),
        )
        read = _read(row)
        try:
            uow.commit()
        except IntegrityError as exc:
            raise SubscriptionExists(f"a subscription named {data.name!r} exists", name=data.name) from exc
    return SubscriptionCreated(**read.model_dump(), webhook_secret=secret)


def list_subscriptions(ctx: Context, *, scope: Scope | None = None) -> list[SubscriptionRead]:
    """Return every subscription in the scope by name."""
    if not _admits(scope):
        return []
    with ctx.uow() as uow:
        return [_read(row) for row in repo.subscriptions(uow.session)]


def get_subscription(ctx: Context, name: str, *, scope: Scope | None = None) -> SubscriptionRead:
    """Return one subscription (outside the scope: not found)."""
    with ctx.uow() as uow:
        return _read(_load(uow.session, name, scope))


def set_subscription_active(
    ctx: Context, name: str, *, active: bool, actor: str, reason: str, scope: Scope | None = None
) -> SubscriptionRead:
    """Pause or resume a subscription (its feed and webhook keep their positions)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = _load(uow.session, name, scope)
        before = row.active
        row.active, row.updated_at = active, now
        record_audit(
            uow.session,
            at=now,
            actor=actor,
            action="sharing.subscription.resumed" if active else "sharing.subscription.paused",
            entity_type=ENTITY,
            entity_key=name,
            before={"active": before},
            after={"active": active},
            reason=reason,
        )
        read = _read(row)
        uow.commit()
        return read


def read_feed(
    ctx: Context, name: str, *, after: int | None = None, limit: int = 100, scope: Scope | None = None
) -> FeedPage:
    """Return the subscription's events after a position (default: its durable cursor), oldest first.

    Delivery is at least once: the consumer stores ``next_after`` with ``commit_cursor`` once it has
    processed the page, and may read again from any earlier position to replay.
    """
    limit = max(1, min(limit, MAX_PAGE))
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = _load(session, name, scope)
        stored = repo.cursor(session, feed_cursor_name(name), now).position
        start = stored if after is None else max(0, after)
        event_filter = filter_of(row)
        found: list[EventRead] = []
        scanned = start
        while len(found) < limit:
            batch = repo.events_after(session, scanned, event_filter, limit=max(limit, 200))
            if not batch:
                break
            for event in batch:
                assert event.position is not None
                scanned = event.position
                if event_filter.matches(facts_of(event)):
                    found.append(event_read(event))
                    if len(found) == limit:
                        break
        uow.commit()  # keeps the cursor row made on first read
    return FeedPage(subscription=name, after=start, next_after=scanned, cursor=stored, events=found)


def commit_cursor(ctx: Context, name: str, position: int, *, scope: Scope | None = None) -> int:
    """Store how far a pull consumer has processed its feed (any position: moving back replays)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        _load(uow.session, name, scope)
        cursor = repo.cursor(uow.session, feed_cursor_name(name), now, for_update=True)
        cursor.position, cursor.updated_at = max(0, position), now
        uow.commit()
        return cursor.position


def dead_letters(ctx: Context, name: str, *, scope: Scope | None = None) -> list[DeadLetterRead]:
    """Return the events the subscription's webhook never accepted."""
    with ctx.uow() as uow:
        row = _load(uow.session, name, scope)
        return [
            DeadLetterRead(
                position=d.position,
                business_key=d.business_key,
                attempts=d.attempts,
                last_error=d.last_error,
                updated_at=d.updated_at,
            )
            for d in repo.deliveries(uow.session, row.id, status="dead")
        ]


def replay_webhook(
    ctx: Context,
    name: str,
    *,
    actor: str,
    dead: bool = False,
    positions: list[int] | None = None,
    from_position: int | None = None,
    scope: Scope | None = None,
) -> int:
    """Queue events for delivery again: dead letters, chosen positions, or everything from a position on.

    Returns how many events were queued (for ``from_position``: the new cursor is one below it).
    """
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = _load(session, name, scope)
        if row.webhook_url is None:
            raise NoWebhook(f"subscription {name!r} has no webhook", name=name)
        queued = 0
        if from_position is not None:
            cursor = repo.cursor(session, webhook_cursor_name(name), now, for_update=True)
            repo.forget_from(session, row.id, from_position)
            cursor.position, cursor.updated_at = max(0, from_position - 1), now
            queued = sum(
                1
                for e in repo.events_after(session, cursor.position, filter_of(row), limit=1_000_000)
                if filter_of(row).matches(facts_of(e))
            )
        wanted = set(positions or [])
        for delivery in repo.deliveries(session, row.id):
            if (dead and delivery.status == "dead") or delivery.position in wanted:
                delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, None
                delivery.last_error, delivery.updated_at = None, now
                queued += 1
                wanted.discard(delivery.position)
        for position in sorted(wanted):  # delivered rows were forgotten: queue them afresh
            event = next(iter(repo.events_at(session, [position])), None)
            if event is not None:
                session.add(
                    WebhookDelivery(
                        subscription_id=row.id,
                        position=position,
                        business_key=event.business_key,
                        status="pending",
                        attempts=0,
                        updated_at=now,
                    )
                )
                queued += 1
        record_audit(
            session,
            at=now,
            actor=actor,
            action="sharing.webhook.replayed",
            entity_type=ENTITY,
            entity_key=name,
            after={"dead": dead, "positions": sorted(positions or []), "from": from_position, "queued": queued},
        )
        uow.commit()
        return queued
