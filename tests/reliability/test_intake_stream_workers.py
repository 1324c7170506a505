"""Intake through JetStream survives a worker killed with -9 mid-batch, and a stream leader lost mid-stream.

Two worker processes share one intake stream, each consuming its own partitions. One of them is killed with
SIGKILL while it has messages fetched but not acknowledged — one of them committed and not yet acknowledged — and
a new worker takes its partitions over. Nothing may be lost (every message answered, every set stored) or
duplicated (every message logged once, every inventory stored once), and the quota ledger must equal the
inventories that count. Needs PostgreSQL and the local NATS server.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing as mp
import os
import signal
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cbec.clearance.codes import QUOTA_HOLDING
from cbec.clearance.models import InventoryRecord
from cbec.common.clock import FixedClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.intake import stream
from cbec.intake.models import MessageRecord
from cbec.intake.stream import IntakeFront, Names, digest_of, partition_of
from cbec.quota.models import QuotaAccount
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from tests.builders import PARTIES
from tests.conftest import TEST_KEY, is_postgres_run
from tests.integration.sharing.test_jetstream import NATS_URL, nats_reachable
from tests.reliability.test_parallel_submitters import _messages, _sets
from tests.zone import Zone

pytestmark = [
    pytest.mark.skipif(not is_postgres_run(), reason="needs PostgreSQL (CBEC_TEST_DATABASE_URL)"),
    pytest.mark.skipif(not nats_reachable(), reason="no NATS server on 127.0.0.1:4222"),
]
PARTITIONS = 4
SENDERS = frozenset(
    p.code for p in (PARTIES.ecommerce, PARTIES.payment, PARTIES.logistics, PARTIES.agent, PARTIES.site_operator)
)


def key_of(partition: int) -> str:
    """Return a partition key that lands on the partition."""
    return next(k for n in itertools.count() if partition_of(k := f"sender-{n}", PARTITIONS) == partition)


def _work(settings: Settings, now: Any, partitions: list[int], slow: bool, queue: Any, idle: float = 3.0) -> None:
    """Run a worker in a process of its own; a slow one holds each answer a while between commit and ack."""
    try:
        engine = make_engine(settings.database_url)
        ctx = Context(settings, engine, make_session_factory(engine), FixedClock(now), PersonalDataCipher(b"k" * 32))
        if slow:
            answers = stream.answers_of

            def held(*args: Any) -> Any:
                result = answers(*args)  # a batch committed …
                time.sleep(60)  # … and not acknowledged: the window a kill must not turn into a loss or a repeat
                return result

            stream.answers_of = held  # type: ignore[assignment]
        report = stream.run_worker(ctx, partitions, lambda xml: xml, batch=5, idle_stop=idle)
        queue.put(("ok", report.processed))
    except Exception:
        queue.put(("error", traceback.format_exc()))


def _logged(zone: Zone, digest: str) -> bool:
    with zone.ctx.uow() as uow:
        return uow.session.scalar(select(MessageRecord.id).where(MessageRecord.sha256 == digest)) is not None


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(zone: Zone, tmp_path: Path) -> None:
    token = uuid.uuid4().hex[:8]
    url = zone.ctx.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        data_key=TEST_KEY,
        intake_stream_url=NATS_URL,
        intake_partitions=PARTITIONS,
        nats_stream_prefix=f"CBECK{token}",
        nats_subject_prefix=f"cbeck{token}",
        intake_ack_wait_seconds=2.0,  # what the victim fetched comes back to its successor after 2 s
    )
    zone.ctx.settings = settings
    sets = _sets()
    per_sender = _messages(zone, sets)  # four senders' messages, each in its own order, on four partitions
    keys = [key_of(p) for p in range(PARTITIONS)]

    async def submit() -> list[str]:
        front = IntakeFront(settings)
        try:
            digests = []
            for messages, key in zip(per_sender, keys, strict=True):
                for raw in messages:
                    await front.submit(raw, account="gateway", partition_key=key, senders=SENDERS)
                    digests.append(digest_of(raw))
            return digests
        finally:
            await front.close()

    async def answered(digests: list[str]) -> dict[str, str]:
        front = IntakeFront(settings)
        try:
            found = {d: await front.answer(d) for d in digests}
            return {d: a.headers.get("X-Cbec-Outcome", "") for d, a in found.items() if a is not None}
        finally:
            await front.close()

    context = mp.get_context("fork")
    queue = context.Queue()
    now = zone.ctx.clock.now()
    try:
        digests = asyncio.run(submit())
        victim = context.Process(target=_work, args=(settings, now, [0, 1], True, queue))
        steady = context.Process(target=_work, args=(settings, now, [2, 3], False, queue))
        victim.start()
        steady.start()
        first = digest_of(per_sender[0][0])  # the victim's first message (partition 0 comes first)
        deadline = time.monotonic() + 60
        while not _logged(zone, first) and time.monotonic() < deadline:  # committed, not acknowledged
            time.sleep(0.05)
        assert victim.is_alive(), "the victim finished before it could be killed"
        assert victim.pid is not None  # (os.kill of 0 would signal the whole process group)
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(timeout=10)
        successor = context.Process(target=_work, args=(settings, now, [0, 1], False, queue, 6.0))
        successor.start()
        reports = [queue.get(timeout=180) for _ in range(2)]  # the steady worker and the successor
        steady.join(timeout=30)
        successor.join(timeout=30)
        assert [status for status, _ in reports] == ["ok", "ok"], reports
        outcomes = asyncio.run(answered(digests))
        assert len(outcomes) == len(set(digests))  # every message answered: nothing lost
        # The message committed before the kill was answered again from what was stored, not processed again.
        assert outcomes[first] == "duplicate"
        assert sorted(set(outcomes.values())) == ["duplicate", "processed"]
    finally:
        asyncio.run(_drop(settings))

    with zone.ctx.uow() as uow:
        session = uow.session
        logged = session.scalar(select(func.count()).select_from(MessageRecord))
        inventories = [(i.buyer_key, i.status, i.dutiable_value) for i in session.scalars(select(InventoryRecord))]
        accounts = {a.buyer_key: a.used_fen for a in session.scalars(select(QuotaAccount))}
    assert logged == len(set(digests))  # each message processed once
    assert len(inventories) == len(sets)  # each inventory stored once
    for buyer_key, used in accounts.items():
        counted = sum(
            int(value * 100)
            for key, status, value in inventories
            if key == buyer_key and status in QUOTA_HOLDING and value is not None
        )
        assert used == counted


async def _drop(settings: Settings) -> None:
    import nats

    names = Names.of(settings)
    client = await nats.connect(NATS_URL)
    try:
        for name in (names.stream, f"KV_{names.bucket}"):
            with contextlib.suppress(Exception):
                await client.jetstream().delete_stream(name)
    finally:
        await client.close()
