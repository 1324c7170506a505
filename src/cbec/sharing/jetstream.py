"""Publisher to NATS JetStream (消息总线发布): every event, one stream per zone, one subject per document type.

Stream ``{prefix}_{zone}`` holds subjects ``{subject_prefix}.{zone}.>``; an event goes to
``{subject_prefix}.{zone}.{document_type}`` with header ``Nats-Msg-Id: cbec-{position}``, so JetStream
drops a duplicate when a batch is published again after a crash. The cursor advances only after
JetStream acknowledged the whole batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re

from cbec.common.errors import DomainError, ErrorCode
from cbec.sharing import repository as repo
from cbec.sharing.models import OutboxEvent
from cbec.sharing.service import event_read
from cbec.storage.context import Context

log = logging.getLogger(__name__)

CURSOR = "nats"
_TOKEN = re.compile(r"[^A-Za-z0-9_-]")


class BrokerUnavailable(DomainError):
    """The NATS server cannot be reached or refused the events."""

    code = ErrorCode.UNAVAILABLE
    retryable = True


def stream_name(prefix: str, zone: str) -> str:
    """Return the JetStream stream of a zone."""
    return f"{prefix}_{_TOKEN.sub('_', zone)}"


def subject_of(subject_prefix: str, zone: str, document_type: str) -> str:
    """Return the subject an event is published on."""
    return f"{subject_prefix}.{_TOKEN.sub('_', zone)}.{_TOKEN.sub('_', document_type)}"


def publish_to_nats(ctx: Context, *, url: str | None = None, batch: int = 500) -> int:
    """Publish the events after the NATS cursor; return how many were acknowledged."""
    settings = ctx.settings
    server = url or settings.nats_url
    if not server:
        raise BrokerUnavailable("no NATS server configured (CBEC_NATS_URL)")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        start = repo.cursor(uow.session, CURSOR, now).position
        events = repo.events_after(uow.session, start, None, limit=batch)
        uow.commit()
    if not events:
        return 0
    try:
        asyncio.run(_publish(server, settings.nats_stream_prefix, settings.nats_subject_prefix, events))
    except Exception as exc:  # nats-py raises many unrelated types for one outage
        raise BrokerUnavailable(f"NATS publish failed: {type(exc).__name__}: {exc}") from exc
    last = events[-1].position or start
    with ctx.uow() as uow:
        cursor = repo.cursor(uow.session, CURSOR, ctx.clock.now(), for_update=True)
        cursor.position, cursor.updated_at = max(cursor.position, last), ctx.clock.now()
        uow.commit()
    log.info("nats: %s events published up to position %s", len(events), last)
    return len(events)


async def _publish(server: str, stream_prefix: str, subject_prefix: str, events: list[OutboxEvent]) -> None:
    import nats
    from nats.js.errors import NotFoundError

    async def quiet(exc: Exception) -> None:
        log.debug("nats: %s", exc)

    # nats-py keeps retrying a refused first connection; bound it ourselves.
    client = await asyncio.wait_for(
        nats.connect(server, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False, error_cb=quiet),
        timeout=4,
    )
    try:
        js = client.jetstream(timeout=5)
        streams: set[str] = set()
        for event in events:
            stream = stream_name(stream_prefix, event.zone)
            if stream not in streams:
                try:
                    await js.stream_info(stream)
                except NotFoundError:
                    await js.add_stream(name=stream, subjects=[f"{subject_prefix}.{_TOKEN.sub('_', event.zone)}.>"])
                streams.add(stream)
            body = json.dumps(event_read(event).model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
            await js.publish(
                subject_of(subject_prefix, event.zone, event.document_type),
                body.encode("utf-8"),
                stream=stream,
                headers={"Nats-Msg-Id": f"cbec-{event.position}"},
            )
    finally:
        await client.close()
