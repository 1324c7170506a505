"""POST /ceb through the group commit: a request waiting for its batch holds no thread of the thread pool."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future

import httpx
import pytest
from anyio import to_thread
from tests.api.auth import key_for
from tests.api.clearance.test_ceb_endpoint import xml_of
from tests.builders import PARTIES, a_set
from tests.zone import Zone

from cbec.api.app import create_app
from cbec.intake import IngestResult
from cbec.intake import batch as batch_module
from cbec.intake.batch import IntakeBatcher, Submission
from cbec.messages import parse_receipts
from cbec.storage.context import Context


def test_requests_waiting_for_their_batch_hold_no_thread(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    key = key_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    app = create_app(zone.ctx)
    orders = [xml_of(zone, [a_set(f"ORD20260302{n:06d}").order], PARTIES.ecommerce) for n in range(1, 7)]
    sizes: list[int] = []
    release = threading.Event()
    real = batch_module.ingest_batch

    def held(ctx: Context, submissions: list[Submission]) -> list[batch_module.Outcome]:
        sizes.append(len(submissions))
        assert release.wait(60)  # the first batch waits until the others have queued behind it
        return real(ctx, submissions)

    monkeypatch.setattr(batch_module, "ingest_batch", held)

    async def post_all() -> tuple[int, list[httpx.Response]]:
        # Two threads only: with a thread held by every waiting request, the third request could not even be
        # authenticated before the first batch committed.
        to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {key}", "content-type": "application/xml"}
        async with httpx.AsyncClient(transport=transport, base_url="http://cbec", headers=headers) as client:
            posts = [asyncio.create_task(client.post("/ceb", content=raw)) for raw in orders]
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    batcher: IntakeBatcher | None = getattr(app.state, "intake_batcher", None)
                    if len(sizes) == 1 and batcher is not None and sizes[0] + batcher._queue.qsize() == len(orders):
                        break
                    await asyncio.sleep(0.02)
                batcher = getattr(app.state, "intake_batcher", None)
                queued = batcher._queue.qsize() if batcher is not None else 0
            finally:
                release.set()
            return queued, list(await asyncio.gather(*posts))

    queued, answers = asyncio.run(post_all())

    assert sizes[0] + queued == 6  # every request handed over while the first batch was still running
    assert [a.status_code for a in answers] == [200] * 6
    # The next batch took every message waiting, without waiting for more.
    assert sizes == [sizes[0], 6 - sizes[0]]
    receipts = [parse_receipts(a.content) for a in answers]
    assert [[(r.order_no, r.status) for r in found] for found in receipts] == [
        [(f"ORD20260302{n:06d}", "120")] for n in range(1, 7)
    ]


def test_a_future_handed_over_is_set_after_the_commit_and_a_cancelled_one_is_skipped(zone: Zone) -> None:
    first, second = (xml_of(zone, [a_set(f"ORD20260303{n:06d}").order], PARTIES.ecommerce) for n in (1, 2))
    batcher = IntakeBatcher(zone.ctx, max_batch=8)
    items = [Submission(raw, "test", frozenset({PARTIES.ecommerce.code})) for raw in (first, second)]
    waiting = [(item, Future[IngestResult]()) for item in items]
    assert waiting[1][1].cancel()  # its caller gave up before the batch ran

    batcher._answer(waiting)

    assert waiting[0][1].result().outcome == "processed"
    assert waiting[1][1].cancelled()
    # The message given up on was ingested all the same: sent again, it is a duplicate.
    assert batcher.submit(items[1]).outcome == "duplicate"
