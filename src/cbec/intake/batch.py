"""Several messages in one transaction (批量提交), and the server process's group commit for POST /ceb.

An ERP sends one document at a time. At hundreds of such messages a second the fixed cost of each message's own
transaction (the commit and its fsync, the journal heads locked and written back, one write per journal, the
revision tokens read) is most of what the message costs. ``ingest_batch`` runs the messages that are waiting in one
transaction, first without savepoints (two round trips a message); when a message raises (a sender it may not act
for, an error), that attempt rolls back and the batch runs again with each message inside its own savepoint: the
failing message rolls back alone, and the others keep what they did. Nothing is answered before the one commit, so
every answer is durable before it is sent. When the batch as a whole fails (a deadlock, a lock set that changed,
the commit itself), it is rolled back and every message runs again in a transaction of its own (``ingest_message``,
which retries), so nothing is lost or done twice. Bytes that occur twice in a batch run once in it; the repeat is
answered after the commit, from what was stored, as any resubmission is.

``IntakeBatcher`` is the group commit: requests hand their message over and wait for its future (a request
thread blocks on it; the HTTP front awaits it on its event loop, holding no thread); one intake thread takes
every message waiting, up to ``intake_batch``, and runs them as one batch. At low load a batch is one message
(nothing waits for company); under load batches grow by themselves, and each message's share of the fixed cost
shrinks.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from cbec.intake.pipeline import IngestResult, ingest_in, ingest_message
from cbec.intake.retry import KeysChanged, transient
from cbec.storage.context import Context

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Submission:
    """One message to ingest: its bytes, where it came from, and whom its caller may send as."""

    raw: bytes
    source_name: str | None = None
    senders: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message of a batch: its result, or the error its caller is to get."""

    result: IngestResult | None = None
    error: Exception | None = None

    def unwrap(self) -> IngestResult:
        """Return the result, or raise the message's error."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def ingest_batch(ctx: Context, submissions: Sequence[Submission]) -> list[Outcome]:
    """Ingest messages in one transaction; return their outcomes in order.

    First without savepoints (each costs two round trips a message, and a message that raises is rare: a refusal
    is an answer, not an error); if any message raises, or the commit fails, that transaction is rolled back and
    the batch runs again with a savepoint per message, which keeps the others' work.
    """
    if len(submissions) == 1:
        return [_alone(ctx, submissions[0])]
    try:
        return _run(ctx, submissions, savepoints=False)
    except Exception as exc:  # nothing of this attempt is kept: it rolled back as a whole
        log.info("a batch of %d messages ran again with a savepoint each: %s", len(submissions), type(exc).__name__)
    try:
        return _run(ctx, submissions, savepoints=True)
    except Exception as exc:  # whatever broke the batch, each message runs again alone
        log.info("a batch of %d messages ran again one by one: %s", len(submissions), type(exc).__name__)
        return [_alone(ctx, item) for item in submissions]


def _run(ctx: Context, submissions: Sequence[Submission], *, savepoints: bool) -> list[Outcome]:
    """Run the batch in one transaction; raise what broke it as a whole (the caller runs it again another way).

    Without savepoints any message's error breaks the batch; with them, a message's own error rolls back alone and
    goes to its caller, and only a failure that concerns the whole batch (``_whole_batch``) breaks it.
    """
    outcomes: list[Outcome | None] = [None] * len(submissions)
    first_of: set[str] = set()
    with ctx.uow() as uow:
        session = uow.session
        for index, item in enumerate(submissions):
            digest = hashlib.sha256(item.raw).hexdigest()
            if digest in first_of:
                continue  # the same bytes again: answered after the commit, as a resubmission
            first_of.add(digest)
            savepoint = session.begin_nested() if savepoints else None
            try:
                result = ingest_in(ctx, session, item.raw, source_name=item.source_name, senders=item.senders)
            except Exception as exc:  # the message's own failure goes to its caller
                if savepoint is None or _whole_batch(exc):
                    raise
                savepoint.rollback()
                outcomes[index] = Outcome(error=exc)
                continue
            if savepoint is not None:
                savepoint.commit()
            outcomes[index] = Outcome(result=result)
        uow.commit()
    return [
        outcome if outcome is not None else _alone(ctx, item)
        for outcome, item in zip(outcomes, submissions, strict=True)
    ]


def _whole_batch(exc: Exception) -> bool:
    """Tell whether a message's failure must roll the whole batch back (and run every message alone)."""
    return isinstance(exc, KeysChanged) or (isinstance(exc, DBAPIError) and transient(exc))


def _alone(ctx: Context, item: Submission) -> Outcome:
    """Ingest one message in a transaction of its own (retried where transient)."""
    try:
        return Outcome(result=ingest_message(ctx, item.raw, source_name=item.source_name, senders=item.senders))
    except Exception as exc:  # handed to the message's caller
        return Outcome(error=exc)


class IntakeBatcher:
    """Group commit of one server process: messages handed over by request threads, run in batches by one thread."""

    def __init__(self, ctx: Context, *, max_batch: int) -> None:
        self.ctx = ctx
        self.max_batch = max(1, max_batch)
        self._queue: queue.Queue[tuple[Submission, Future[IngestResult]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, item: Submission) -> IngestResult:
        """Hand a message over and wait for its result (raised as its error where it failed)."""
        return self.hand_over(item).result()

    def hand_over(self, item: Submission) -> Future[IngestResult]:
        """Hand a message over; return the future that gets its result (or error) once its batch has committed."""
        done: Future[IngestResult] = Future()
        self._start()
        self._queue.put((item, done))
        return done

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cbec-intake-batcher", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._answer(self._take())

    def _take(self) -> list[tuple[Submission, Future[IngestResult]]]:
        """Wait for a message, then take every other one waiting, up to the batch size."""
        batch = [self._queue.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _answer(self, batch: list[tuple[Submission, Future[IngestResult]]]) -> None:
        for _, done in batch:
            done.set_running_or_notify_cancel()  # from here on its caller can no longer cancel it
        try:
            outcomes = ingest_batch(self.ctx, [item for item, _ in batch])
        except Exception as exc:  # never leave a caller waiting
            for _, done in batch:
                if not done.cancelled():
                    done.set_exception(exc)
            return
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if done.cancelled():  # its caller gave up waiting; the message is ingested all the same
                continue
            if outcome.error is not None:
                done.set_exception(outcome.error)
            else:
                assert outcome.result is not None
                done.set_result(outcome.result)
