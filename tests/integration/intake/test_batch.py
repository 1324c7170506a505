"""Several messages in one transaction (cbec.intake.batch): the same outcomes as one at a time, failures alone."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select
from tests.api.clearance.test_ceb_endpoint import sender, xml_of
from tests.builders import PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord, OrderRecord
from cbec.intake import KeysChanged, ingest_message
from cbec.intake import batch as batch_module
from cbec.intake.batch import IntakeBatcher, Submission, ingest_batch
from cbec.intake.models import MessageRecord, NumberSequence
from cbec.intake.numbers import next_number
from cbec.intake.pipeline import IngestResult
from cbec.intake.senders import SenderNotAllowed
from cbec.messages import parse_receipts
from cbec.sharing.models import OutboxEvent


def _sets(zone: Zone, count: int, first: int = 1) -> list[Submission]:
    """One-document messages of complete sets, each sent as its own party may."""
    found = []
    for number in range(first, first + count):
        s = a_set(f"ORD20260302{number:06d}", items=[(SERUM, Decimal(1))], trade_mode="1210")
        for documents, party in (
            ([s.order], PARTIES.ecommerce),
            ([s.payment], PARTIES.payment),
            ([s.waybill], PARTIES.logistics),
            ([s.inventory], PARTIES.agent),
        ):
            found.append(Submission(xml_of(zone, documents, party), "test", frozenset({party.code})))
    return found


def _count(zone: Zone, model: type) -> int:
    with zone.ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _statuses(zone: Zone) -> Counter[str]:
    with zone.ctx.uow() as uow:
        return Counter(uow.session.scalars(select(InventoryRecord.status)))


def _answered(outcomes: list) -> list[list[tuple[str, str]]]:  # type: ignore[type-arg]
    return [[(r.message_type.value, r.status) for r in o.unwrap().receipts] for o in outcomes]


def test_a_batch_of_sets_is_cleared_as_one_message_at_a_time_would_clear_it(zone: Zone) -> None:
    alone = [batch_module._alone(zone.ctx, s) for s in _sets(zone, 2, first=101)]
    submissions = _sets(zone, 3)

    outcomes = ingest_batch(zone.ctx, submissions)

    assert [o.unwrap().outcome for o in outcomes] == ["processed"] * 12
    assert _answered(outcomes) == _answered(alone) + _answered(alone[:4])
    assert _answered(outcomes)[3] == [("CEB622Message", s) for s in ("2", "120", "399", "800")]
    assert _statuses(zone) == Counter({"800": 5})
    assert (_count(zone, MessageRecord), _count(zone, OrderRecord)) == (20, 5)
    # Each answer is what was stored: sending the same bytes again replays exactly those receipts.
    again = ingest_message(zone.ctx, submissions[3].raw)
    assert again.outcome == "duplicate"
    assert [r.guid for r in again.receipts] == [r.guid for r in outcomes[3].unwrap().receipts]
    with zone.ctx.uow() as uow:
        numbers = list(uow.session.scalars(select(InventoryRecord.inventory_no).order_by(InventoryRecord.id)))
    assert [n[-9:] for n in numbers] == [f"{n:09d}" for n in range(1, 6)]  # gap-free, batch or not


def test_a_clean_batch_takes_no_savepoint(zone: Zone) -> None:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0].upper())

    event.listen(zone.ctx.engine, "before_cursor_execute", seen)
    try:
        outcomes = ingest_batch(zone.ctx, _sets(zone, 2))
    finally:
        event.remove(zone.ctx.engine, "before_cursor_execute", seen)
    assert [o.unwrap().outcome for o in outcomes] == ["processed"] * 8
    assert ("SAVEPOINT" in statements, _statuses(zone)) == (False, Counter({"800": 2}))


def test_a_message_refused_in_a_batch_rolls_back_alone(zone: Zone) -> None:
    first, intruder, last = _sets(zone, 3)[0::4]
    intruder = Submission(intruder.raw, "test", frozenset({PARTIES.payment.code}))  # may not send as the shop
    events = _count(zone, OutboxEvent)

    outcomes = ingest_batch(zone.ctx, [first, intruder, last])

    assert outcomes[0].unwrap().outcome == outcomes[2].unwrap().outcome == "processed"
    with pytest.raises(SenderNotAllowed):
        outcomes[1].unwrap()
    assert (_count(zone, MessageRecord), _count(zone, OrderRecord)) == (2, 2)
    # Its receipt events went with it: two orders, two receipt events and two data events.
    assert _count(zone, OutboxEvent) - events == 4


def test_the_same_bytes_twice_in_a_batch_run_once_and_the_repeat_is_answered_as_stored(zone: Zone) -> None:
    order = _sets(zone, 1)[0]

    first, repeat = ingest_batch(zone.ctx, [order, order])

    assert (first.unwrap().outcome, repeat.unwrap().outcome) == ("processed", "duplicate")
    assert [r.guid for r in repeat.unwrap().receipts] == [r.guid for r in first.unwrap().receipts]
    assert _count(zone, OrderRecord) == 1


def test_a_batch_broken_as_a_whole_runs_every_message_again_alone(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> None:
    submissions = _sets(zone, 2)
    real = batch_module.ingest_in
    calls = Counter[str]()

    def breaking(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["batched"] += 1
        # the second set's order, in the attempt without savepoints (5) and again in the one with them (5 + 5):
        # its lock set changed under it
        if calls["batched"] in (5, 10):
            raise KeysChanged("changed")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "ingest_in", breaking)

    outcomes = ingest_batch(zone.ctx, submissions)

    assert [o.unwrap().outcome for o in outcomes] == ["processed"] * 8  # none is a "duplicate": nothing was kept
    assert calls["batched"] == 10
    assert _statuses(zone) == Counter({"800": 2})
    assert (_count(zone, MessageRecord), _count(zone, OrderRecord)) == (8, 2)


def test_numbers_taken_inside_a_savepoint_that_rolls_back_are_given_back(zone: Zone) -> None:
    with zone.ctx.uow() as uow:
        session = uow.session
        inner = session.begin_nested()
        assert next_number(session, "test", "2026") == 1  # the sequence's first number, taken inside
        inner.rollback()
        assert next_number(session, "test", "2026") == 1  # its row's update went with the savepoint
        inner = session.begin_nested()
        assert (next_number(session, "test", "2026"), next_number(session, "test", "2026")) == (2, 3)
        inner.rollback()
        kept = session.begin_nested()
        assert next_number(session, "test", "2026") == 2
        kept.commit()
        uow.commit()
    with zone.ctx.uow() as uow:
        stored = uow.session.scalar(select(NumberSequence.next_value).where(NumberSequence.name == "test"))
    assert stored == 3  # gap-free: 1 and 2 handed out and kept


def test_post_ceb_from_many_threads_is_answered_per_message_after_its_batch_commits(zone: Zone) -> None:
    submissions = _sets(zone, 4)
    clients = {
        code: sender(zone, party)
        for party in (PARTIES.ecommerce, PARTIES.payment, PARTIES.logistics, PARTIES.agent)
        for code in (party.code,)
    }
    # Orders, payments and waybills first, all at once; then the inventories, all at once.
    waves = [[s for s in submissions if not s.raw.count(b"CEB621")], [s for s in submissions if s.raw.count(b"CEB621")]]
    answers = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for wave in waves:
            answers += list(pool.map(lambda s: clients[next(iter(s.senders or ()))].post("/ceb", content=s.raw), wave))

    assert [a.status_code for a in answers] == [200] * 16
    statuses = [r.status for a in answers for r in parse_receipts(a.content)]
    # Each answers its own type's receipts: 120 for the partners; 2, 120, 399 and 800 for the inventory.
    assert Counter(statuses) == Counter({"120": 4 * 3 + 4, "2": 4, "399": 4, "800": 4})
    assert _statuses(zone) == Counter({"800": 4})
    assert _count(zone, MessageRecord) == 16


def test_a_batcher_hands_each_caller_its_own_error(zone: Zone) -> None:
    order = _sets(zone, 1)[0]
    batcher = IntakeBatcher(zone.ctx, max_batch=8)

    assert batcher.submit(order).outcome == "processed"
    with pytest.raises(SenderNotAllowed):
        batcher.submit(Submission(_sets(zone, 1, first=2)[0].raw, "test", frozenset({"9999999999"})))
    assert batcher.submit(order).outcome == "duplicate"


def test_a_batcher_takes_every_message_waiting_up_to_its_batch_size(zone: Zone) -> None:
    batcher = IntakeBatcher(zone.ctx, max_batch=3)
    waiting = [(s, Future[IngestResult]()) for s in _sets(zone, 2)[:5]]
    for item in waiting:
        batcher._queue.put(item)

    first, second = batcher._take(), batcher._take()

    assert (first, second) == (waiting[:3], waiting[3:])
    batcher._answer(first)
    assert [done.result().outcome for _, done in first] == ["processed"] * 3
