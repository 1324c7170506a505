"""Information-sharing tables (信息共享): subscriptions, the event outbox, cursors and webhook deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import ENCRYPTED, Base, BigId, UtcDateTime


class Subscription(Base):
    """An agency's or enterprise's subscription to platform events (订阅), with its optional webhook."""

    __tablename__ = "sharing_subscription"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    subscriber_kind: Mapped[str] = mapped_column(String(20))
    subscriber_code: Mapped[str] = mapped_column(String(30), index=True)
    scope: Mapped[str] = mapped_column(String(4))
    document_types: Mapped[list[str]] = mapped_column(JSON)
    zones: Mapped[list[str]] = mapped_column(JSON)
    parties: Mapped[list[str]] = mapped_column(JSON)
    statuses: Mapped[list[str]] = mapped_column(JSON)
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    secret_enc: Mapped[str | None] = mapped_column(
        Text, nullable=True, info=ENCRYPTED
    )  # HMAC key, encrypted like personal data
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxEvent(Base):
    """One event, written in the transaction of the change it records (事件发件箱).

    ``position`` is given at commit, in commit order (cbec.audit.journal): feeds read by position.
    """

    __tablename__ = "sharing_event"
    __table_args__ = (Index("ix_sharing_event_kind_type", "kind", "document_type"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    position: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(10))
    document_type: Mapped[str] = mapped_column(String(30))
    business_key: Mapped[str] = mapped_column(String(200), index=True)
    zone: Mapped[str] = mapped_column(String(10))
    status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    parties: Mapped[list[str]] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class FeedCursor(Base):
    """A durable position of one consumer: a pull feed, a webhook worker or the NATS publisher."""

    __tablename__ = "sharing_cursor"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """The delivery state of one event to one webhook beyond its cursor: pending, delivered or dead (死信)."""

    __tablename__ = "sharing_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(BigId, index=True)
    position: Mapped[int] = mapped_column(BigInteger)
    business_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
