"""Intake through NATS JetStream (cbec.intake.stream): the front stores, a worker ingests, the answer waits.

Needs the local NATS server (127.0.0.1:4222, JetStream on); each test uses stream and bucket names of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.api.auth import client_for
from tests.builders import PARTIES, SERUM, a_set
from tests.integration.sharing.test_jetstream import NATS_URL, nats_reachable
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.demo.builders import build_message
from cbec.intake import ingest_message
from cbec.intake.models import MessageRecord
from cbec.intake.stream import IntakeFront, Names, StoredAnswer, digest_of, partition_of, run_worker
from cbec.messages import parse_receipts, render_message
from cbec.messages.signature import sign_document

pytestmark = pytest.mark.skipif(not nats_reachable(), reason="no NATS server on 127.0.0.1:4222")


def _configure(zone: Zone, partitions: int = 4) -> str:
    token = uuid.uuid4().hex[:8]
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={
            "intake_stream_url": NATS_URL,
            "nats_stream_prefix": f"CBECI{token}",
            "nats_subject_prefix": f"cbeci{token}",
            "intake_partitions": partitions,
        }
    )
    return token


async def _drop(zone: Zone) -> None:
    import nats

    names = Names.of(zone.ctx.settings)
    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        for stream in (names.stream, f"KV_{names.bucket}"):
            with contextlib.suppress(Exception):  # absent when the test failed early
                await js.delete_stream(stream)
    finally:
        await client.close()


def _signed(zone: Zone, documents: list, party) -> bytes:  # type: ignore[no-untyped-def]
    return sign_document(render_message(build_message(documents, party)), zone.signer)


def _unsign(xml: bytes) -> bytes:
    return xml


def test_a_queued_set_is_processed_by_a_worker_and_answered_as_the_direct_path_would(zone: Zone) -> None:
    _configure(zone)
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    messages = [
        (_signed(zone, [s.order], PARTIES.ecommerce), PARTIES.ecommerce.code),
        (_signed(zone, [s.payment], PARTIES.payment), PARTIES.payment.code),
        (_signed(zone, [s.waybill], PARTIES.logistics), PARTIES.logistics.code),
        (_signed(zone, [s.inventory], PARTIES.agent), PARTIES.agent.code),
    ]

    async def submit() -> list:  # type: ignore[type-arg]
        front = IntakeFront(zone.ctx.settings)
        try:
            queued = [
                await front.submit(raw, account=f"user-{code}", partition_key=code, senders=frozenset({code}))
                for raw, code in messages
            ]
            again = await front.submit(
                messages[0][0], account="user-x", partition_key=messages[0][1], senders=frozenset({messages[0][1]})
            )
            return [*queued, again]
        finally:
            await front.close()

    try:
        queued = asyncio.run(submit())
        assert [q.digest for q in queued[:4]] == [digest_of(raw) for raw, _ in messages]
        assert queued[4].duplicate and queued[4].sequence == queued[0].sequence  # JetStream kept one copy
        assert [q.partition for q in queued[:4]] == [partition_of(code, 4) for _, code in messages]
        report = run_worker(zone.ctx, range(4), _unsign, idle_stop=1.0)
        assert report.processed == 4
        assert report.by_outcome == {"processed": 4}

        async def answers() -> list[StoredAnswer | None]:
            front = IntakeFront(zone.ctx.settings)
            try:
                return [await front.answer(q.digest) for q in queued[:4]]
            finally:
                await front.close()

        stored = asyncio.run(answers())
        assert all(a is not None and a.status == 200 for a in stored)
        assert [a.account for a in stored if a] == [f"user-{code}" for _, code in messages]
        inventory_answer = stored[3]
        assert inventory_answer is not None and inventory_answer.headers["X-Cbec-Outcome"] == "processed"
        # The direct path answers the same bytes from what was stored: the very receipts the worker answered.
        direct = ingest_message(zone.ctx, messages[3][0])
        assert direct.outcome == "duplicate"
        assert direct.receipts and all(r.guid.encode() in inventory_answer.body for r in direct.receipts)
        # Partitions are consumed one after the other, so the set completes in whichever order: it is released.
        with zone.ctx.uow() as uow:
            assert list(uow.session.scalars(select(InventoryRecord.status))) == ["800"]
        with zone.ctx.uow() as uow:
            logged = uow.session.scalar(select(func.count()).select_from(MessageRecord))
        assert logged == 4
    finally:
        asyncio.run(_drop(zone))


def test_a_worker_answers_a_sender_it_may_not_transmit_as_with_the_api_error(zone: Zone) -> None:
    _configure(zone, partitions=1)
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    raw = _signed(zone, [s.order], PARTIES.ecommerce)

    async def submit() -> None:
        front = IntakeFront(zone.ctx.settings)
        try:
            await front.submit(raw, account="intruder", partition_key="x", senders=frozenset({"9999999999"}))
        finally:
            await front.close()

    try:
        asyncio.run(submit())
        assert run_worker(zone.ctx, [0], _unsign, idle_stop=1.0).processed == 1

        async def answer() -> StoredAnswer | None:
            front = IntakeFront(zone.ctx.settings)
            try:
                return await front.answer(digest_of(raw))
            finally:
                await front.close()

        stored = asyncio.run(answer())
        assert stored is not None and stored.error_code == "forbidden" and stored.account == "intruder"
        with zone.ctx.uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(MessageRecord)) == 0  # stored nowhere
    finally:
        asyncio.run(_drop(zone))


def test_post_ceb_queues_and_the_sender_collects_the_answer(zone: Zone) -> None:
    _configure(zone)
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    raw = _signed(zone, [s.order], PARTIES.ecommerce)
    owner = client_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    other = client_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.payment.code)
    try:
        with owner, other:
            queued = owner.post("/ceb", content=raw, headers={"content-type": "application/xml"})
            assert queued.status_code == 202
            digest = digest_of(raw)
            assert queued.json()["digest"] == digest
            assert queued.headers["location"] == f"/ceb/answers/{digest}"
            pending = owner.get(f"/ceb/answers/{digest}")
            assert (pending.status_code, pending.json()["problems"][0]["rule_id"]) == (404, "INTAKE-ANSWER")
            assert run_worker(zone.ctx, range(4), _unsign, idle_stop=1.0).processed == 1
            answer = owner.get(f"/ceb/answers/{digest}")
            assert answer.status_code == 200 and answer.headers["x-cbec-outcome"] == "processed"
            [receipt] = parse_receipts(answer.content)
            assert (receipt.status, receipt.order_no) == ("120", s.order.order_no)
            assert other.get(f"/ceb/answers/{digest}").status_code == 404  # only the sending account collects it
            assert owner.post("/ceb?dry_run=true", content=raw).json()["outcome"] == "duplicate"  # preflight: direct
    finally:
        asyncio.run(_drop(zone))


def test_without_the_stream_nothing_waits_for_collection(zone: Zone) -> None:
    client = client_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    response = client.get(f"/ceb/answers/{'0' * 64}")
    assert (response.status_code, response.json()["problems"][0]["rule_id"]) == (404, "INTAKE-SYNC")
    assert client.get("/ceb/answers/not-a-digest").status_code == 422
