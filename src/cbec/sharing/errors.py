"""Errors of information sharing (信息共享)."""

from __future__ import annotations

from cbec.common.errors import AlreadyExists, Conflict, InvalidInput, NotFound


class SubscriptionNotFound(NotFound):
    """No subscription with this name."""


class SubscriptionExists(AlreadyExists):
    """A subscription with this name exists."""


class SubscriptionInvalid(InvalidInput):
    """The subscription breaks one or more rules."""


class NoWebhook(Conflict):
    """The subscription has no webhook to deliver to."""
