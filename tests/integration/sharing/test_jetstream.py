"""The NATS JetStream publisher against the local server: one stream per zone, one subject per document type."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from tests.builders import PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.sharing import repository as repo
from cbec.sharing.jetstream import CURSOR, BrokerUnavailable, publish_to_nats, stream_name
from cbec.sharing.models import FeedCursor, OutboxEvent

NATS_URL = "nats://127.0.0.1:4222"


def nats_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not nats_reachable(), reason="no NATS server on 127.0.0.1:4222")


async def stream_messages(stream: str) -> list[tuple[str, dict, str]]:
    import nats

    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        info = await js.stream_info(stream)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(stream, seq)
            found.append((message.subject, json.loads(message.data), (message.headers or {}).get("Nats-Msg-Id", "")))
        return found
    finally:
        await client.close()


async def delete_stream(stream: str) -> None:
    import nats

    client = await nats.connect(NATS_URL)
    try:
        await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


def test_events_are_published_once_per_position_even_when_published_again(zone: Zone) -> None:
    token = uuid.uuid4().hex[:8]
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={"nats_url": NATS_URL, "nats_stream_prefix": f"CBECT{token}", "nats_subject_prefix": f"cbect{token}"}
    )
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    for documents, party in (([s.order], PARTIES.ecommerce), ([s.payment], PARTIES.payment)):
        zone.send(documents, party)
    stream = stream_name(f"CBECT{token}", "4601")
    try:
        total = publish_to_nats(zone.ctx)
        with zone.ctx.uow() as uow:
            count = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
            uow.session.execute(update(FeedCursor).where(FeedCursor.name == CURSOR).values(position=0))
            uow.commit()
        assert total == count
        assert publish_to_nats(zone.ctx) == total  # published again from 0: JetStream drops the duplicates
        messages = asyncio.run(stream_messages(stream))
        assert len(messages) == total
        subjects = [subject for subject, _, _ in messages]
        assert f"cbect{token}.4601.CEB312Message" in subjects
        assert f"cbect{token}.4601.enterprise" in subjects
        assert [body["position"] for _, body, _ in messages] == sorted(body["position"] for _, body, _ in messages)
        assert all(msg_id == f"cbec-{body['position']}" for _, body, msg_id in messages)
        assert publish_to_nats(zone.ctx) == 0
    finally:
        asyncio.run(delete_stream(stream))


def test_an_unreachable_server_is_reported_and_the_cursor_stays(zone: Zone) -> None:
    zone.send([a_set().order], PARTIES.ecommerce)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"nats://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(BrokerUnavailable):
        publish_to_nats(zone.ctx, url=dead)
    with zone.ctx.uow() as uow:
        assert repo.cursor(uow.session, CURSOR, zone.ctx.clock.now()).position == 0
