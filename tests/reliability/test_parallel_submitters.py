"""Parallel submitters in several processes (并发申报): mixed documents for the same buyers, on PostgreSQL.

Four intake processes, each with its own engine, send at the same moment: one sends the orders, one the
payments, one the waybills and arrivals, one the inventories, every message carrying several sets in its own
order, so whichever document comes last triggers the match and the quota reservation in any of them. All four
also send one identical message at once. None may error or deadlock, the annual quota may never be overspent,
and the ledger must equal the inventories that count.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import traceback
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cbec.clearance.codes import QUOTA_HOLDING
from cbec.clearance.models import InventoryRecord
from cbec.common.clock import FixedClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.demo.builders import DocumentSet, Party, build_arrival, build_message, build_set
from cbec.intake import ingest_message
from cbec.messages import ImportDocument, render_message
from cbec.messages.signature import sign_document
from cbec.quota.models import QuotaAccount
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from tests.builders import AT, BUYER, MILK, OTHER_BUYER, PARTIES
from tests.conftest import TEST_KEY, is_postgres_run
from tests.zone import Zone

pytestmark = pytest.mark.skipif(not is_postgres_run(), reason="needs PostgreSQL (CBEC_TEST_DATABASE_URL)")

WATCH = replace(MILK, unit_price=Decimal("4990.00"), item_record_no="T4601W000001-0001")  # 5 000.00 with freight
MILK_FILED = replace(MILK, item_record_no="T4601W000001-0001")
LIMIT_FEN = 26_000_00


def _sets() -> list[DocumentSet]:
    """Sixteen sets of two buyers: six 5 000.00 watches and two tins of milk each (more than 26 000 a year)."""
    sets = []
    for number in range(16):
        buyer = BUYER if number % 2 else OTHER_BUYER
        expensive = number < 12
        sets.append(
            build_set(
                PARTIES,
                buyer,
                [(WATCH, Decimal(1))] if expensive else [(MILK_FILED, Decimal(2))],
                order_no=f"PAR{number:06d}",
                logistics_no=f"LPAR{number:06d}",
                at=AT,
                trade_mode="1210" if expensive or number % 4 == 0 else "9610",
                bill_no="MAWBPAR0001",
            )
        )
    return sets


def _messages(zone: Zone, sets: list[DocumentSet]) -> list[list[bytes]]:
    """Return each process's messages: orders, payments, waybills and arrivals, inventories; 3-5 sets each."""
    rng = random.Random(11)

    def sign(documents: list[ImportDocument], sender: Party) -> bytes:
        return sign_document(render_message(build_message(documents, sender)), zone.signer)

    def batches(kind: str, sender: Party) -> list[bytes]:
        shuffled = list(sets)
        rng.shuffle(shuffled)
        out, start = [], 0
        while start < len(shuffled):
            size = rng.randint(3, 5)
            out.append(sign([getattr(s, kind) for s in shuffled[start : start + size]], sender))
            start += size
        return out

    direct = [s.waybill.logistics_no for s in sets if s.inventory.trade_mode == "9610"]
    arrival = sign([build_arrival(PARTIES, direct, bill_no="MAWBPAR0001", at=AT)], PARTIES.site_operator)
    return [
        batches("order", PARTIES.ecommerce),
        batches("payment", PARTIES.payment),
        [*batches("waybill", PARTIES.logistics), arrival],
        batches("inventory", PARTIES.agent),
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


def test_parallel_processes_never_overspend_nor_deadlock(zone: Zone, tmp_path: Path) -> None:
    sets = _sets()
    shared = sign_document(render_message(build_message([sets[0].order], PARTIES.ecommerce)), zone.signer)
    per_process = [[shared, *messages] for messages in _messages(zone, sets)]
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
    outcomes = [outcome for _, detail in reports for outcome in detail]
    assert outcomes.count("duplicate") == len(per_process) - 1  # the identical message was processed once
    assert set(outcomes) == {"processed", "duplicate"}
    with zone.ctx.uow() as uow:
        session = uow.session
        inventories = [
            (i.buyer_key, i.status, i.status_info, i.dutiable_value) for i in session.scalars(select(InventoryRecord))
        ]
        accounts = {a.buyer_key: a.used_fen for a in session.scalars(select(QuotaAccount))}
    assert len(inventories) == len(sets)  # each stored once
    # Per buyer six 5 000.00 watches and two 606.00 tins of milk come in any order: whichever way, the first that
    # fit are released (five watches and a tin, or four and both tins) and exactly two are refused (1313).
    assert sorted(status for _, status, _, _ in inventories) == sorted(["800"] * 12 + ["100"] * 4)
    assert all("1313" in info for _, status, info, _ in inventories if status == "100")
    assert len(accounts) == 2
    for buyer_key, used in accounts.items():
        counted = sum(
            int(value * 100)
            for key, status, _, value in inventories
            if key == buyer_key and status in QUOTA_HOLDING and value is not None
        )
        assert used == counted <= LIMIT_FEN
