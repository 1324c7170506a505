"""Parallel export submitters in several processes (出口并发申报): the documents of the same parcels, on PostgreSQL.

Four intake processes, each with its own engine, send at the same moment: one the orders, one the waybills, one
the inventories, one the arrivals, every message carrying several sets in its own order, so whichever of an
inventory's order, waybill and arrival comes last completes it, in any of the processes. A message locks the
keys of its documents and of the inventories they complete in one sorted statement: none may error or deadlock,
and every inventory is matched and released exactly once (a join lost between two messages would leave it
waiting; one made twice would answer twice).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import traceback
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cbec.common.clock import FixedClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.demo.exports import ExportParty, ExportSet, build_export_arrival, build_export_message, build_export_set
from cbec.exports.models import ExportInventoryRecord
from cbec.intake import ingest_message
from cbec.intake.models import IssuedReceipt
from cbec.messages import render_message
from cbec.messages.export_documents import ExportDocument
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from tests.conftest import TEST_KEY, is_postgres_run
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP
from tests.zone import Zone

pytestmark = pytest.mark.skipif(not is_postgres_run(), reason="needs PostgreSQL (CBEC_TEST_DATABASE_URL)")

SETS = 24


def _sets() -> list[ExportSet]:
    return [
        build_export_set(
            XP,
            [(TEE if number % 2 else LAMP, Decimal(1 + number % 3))],
            order_no=f"XPAR{number:06d}",
            logistics_no=f"XLPAR{number:06d}",
            at=AT,
        )
        for number in range(SETS)
    ]


def _messages(sets: list[ExportSet]) -> list[list[bytes]]:
    """Return each process's messages: orders, waybills, inventories, arrivals; 2-5 sets each, shuffled."""
    rng = random.Random(17)

    def render(documents: list[ExportDocument], sender: ExportParty) -> bytes:
        return render_message(build_export_message(documents, sender))

    def batches(documents: list[ExportDocument], sender: ExportParty) -> list[bytes]:
        shuffled = list(documents)
        rng.shuffle(shuffled)
        out, start = [], 0
        while start < len(shuffled):
            size = rng.randint(2, 5)
            out.append(render(shuffled[start : start + size], sender))
            start += size
        return out

    parcels = [s.waybill.logistics_no for s in sets]
    rng.shuffle(parcels)
    arrivals = [
        render([build_export_arrival(XP, parcels[start : start + 6], at=AT, ref=f"XARR-{start}")], XP.site_operator)
        for start in range(0, len(parcels), 6)
    ]
    return [
        batches([s.order for s in sets], XP.platform),
        batches([s.waybill for s in sets], XP.logistics),
        batches([s.inventory for s in sets], XP.agent),
        arrivals,
    ]


def _submit(url: str, now: Any, data_dir: Path, messages: list[bytes], barrier: Any, queue: Any) -> None:
    """Send messages through intake in a process of its own; report outcomes or the error."""
    try:
        engine = make_engine(url)
        settings = Settings(data_dir=data_dir, database_url=url, data_key=TEST_KEY)
        ctx = Context(settings, engine, make_session_factory(engine), FixedClock(now), PersonalDataCipher(b"k" * 32))
        barrier.wait(timeout=60)
        outcomes = [ingest_message(ctx, raw).outcome for raw in messages]
        engine.dispose()
        queue.put(("ok", outcomes))
    except Exception:
        queue.put(("error", traceback.format_exc()))


def test_parallel_export_processes_join_every_inventory_once_without_deadlock(zone: Zone, tmp_path: Path) -> None:
    sets = _sets()
    per_process = _messages(sets)
    url = zone.ctx.engine.url.render_as_string(hide_password=False)
    context = mp.get_context("fork")
    barrier, queue = context.Barrier(len(per_process)), context.Queue()
    processes = [
        context.Process(target=_submit, args=(url, zone.ctx.clock.now(), tmp_path, messages, barrier, queue))
        for messages in per_process
    ]
    for process in processes:
        process.start()
    reports = [queue.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)

    errors = [detail for status, detail in reports if status == "error"]
    assert not errors, errors[0]
    assert Counter(outcome for _, detail in reports for outcome in detail) == Counter(
        {"processed": sum(len(messages) for messages in per_process)}
    )
    with zone.ctx.uow() as uow:
        statuses = Counter(row.status for row in uow.session.scalars(select(ExportInventoryRecord)))
        receipts = Counter(
            (row.guid, row.status)
            for row in uow.session.scalars(select(IssuedReceipt).where(IssuedReceipt.message_type == "CEB604Message"))
        )
    assert statuses == Counter({"800": SETS})  # every inventory matched, arrived and released
    # Each answered once per step: declared (2), matched (120), concluded (399) and released (800).
    assert receipts == Counter(
        {(s.inventory.declaration.guid, status): 1 for s in sets for status in ("2", "120", "399", "800")}
    )
