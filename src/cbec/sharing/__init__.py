"""Information sharing (信息共享): subscriptions of agencies and enterprises, the event outbox and its feeds.

Domains that change state call ``emit_event`` / ``emit_receipt`` / ``emit_document`` inside their own
transaction; transports use the use cases in ``service``, ``delivery`` (webhooks) and ``jetstream``; read-side
systems follow the outbox with ``consume`` (a durable position, exactly once), ``position_of`` and ``rewind``.
"""

from cbec.sharing.consumers import ConsumedBatch, consume, position_of, rewind
from cbec.sharing.outbox import emit_certificate, emit_document, emit_event, emit_filing, emit_receipt
from cbec.sharing.rules import EventKind, FeedScope, SubscriberKind, mask_personal

__all__ = [
    "ConsumedBatch",
    "EventKind",
    "FeedScope",
    "SubscriberKind",
    "consume",
    "emit_certificate",
    "emit_document",
    "emit_event",
    "emit_filing",
    "emit_receipt",
    "mask_personal",
    "position_of",
    "rewind",
]
