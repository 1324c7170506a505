"""Intake through NATS JetStream (报文队列): the front stores a message, workers ingest it, the answer waits.

For scale-out past one process (docs/scaling.md). The HTTP front does not process a message: it stores its bytes
in the intake stream — ``{stream prefix}_INTAKE``, subjects ``{subject prefix}.intake.<partition>``, acknowledged
by JetStream once stored on its replicas — and answers "received" with the message's digest. A worker consumes
its partitions, each through its own durable consumer, in stream order, so the messages of one partition key (the
sending account) are processed in the order they were sent. What it fetched from a partition is ingested in one
transaction, each message in its own savepoint (``cbec.intake.batch``; idempotent by the SHA-256 of its bytes),
and after that commit each answer (the same receipt XML, CEB900 or JSON the synchronous ``POST /ceb`` gives) is
put in the answers bucket (a JetStream key-value store) under its digest *before* the stream message is
acknowledged. So a worker killed at any point costs nothing: an unacknowledged message is delivered again, and a
message whose transaction had committed is answered from what was stored (outcome ``duplicate``, the same
receipts), never processed twice. A publish that is retried (the front timing out while the stream's leader
changes) carries the digest as ``Nats-Msg-Id``, so JetStream keeps one copy.

The synchronous answer stays the default for the embedded single-node platform (``intake_stream_url`` unset).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cbec.common.errors import DomainError
from cbec.config import Settings
from cbec.intake.answers import direct_answer, result_json
from cbec.intake.batch import Submission, ingest_batch
from cbec.intake.pipeline import IngestResult
from cbec.messages import MessageRefused
from cbec.messages.documents import Edition
from cbec.storage.context import Context

log = logging.getLogger(__name__)

SENDERS = "Cbec-Senders"  # header: the enterprise codes the authenticated caller may transmit as
ACCOUNT = "Cbec-Account"  # header: the account that sent it (only it may collect the answer)
ANSWER_TTL_SECONDS = 7 * 24 * 3600  # answers are kept a week for the sender to collect
Sign = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class Names:
    """Where the intake stream and its answers live on the NATS server."""

    stream: str
    subject_prefix: str
    bucket: str
    partitions: int
    replicas: int

    @classmethod
    def of(cls, settings: Settings) -> Names:
        """Return the names configured in the settings."""
        return cls(
            stream=f"{settings.nats_stream_prefix}_INTAKE",
            subject_prefix=f"{settings.nats_subject_prefix}.intake",
            bucket=f"{settings.nats_stream_prefix}_ANSWERS",
            partitions=settings.intake_partitions,
            replicas=settings.intake_replicas,
        )

    def subject(self, partition: int) -> str:
        """Return the subject of one partition."""
        return f"{self.subject_prefix}.{partition}"


@dataclass(frozen=True, slots=True)
class Queued:
    """A message stored in the intake stream, not yet processed."""

    digest: str
    partition: int
    sequence: int
    duplicate: bool  # JetStream already held these bytes (a retried or repeated submission)


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What a message was answered, as the synchronous ``POST /ceb`` would have answered it."""

    status: int  # 0 when ``error_code`` is set: the transport maps the code to its status
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    account: str = ""  # who submitted the message (set by the worker from the stream message)

    def encode(self) -> bytes:
        """Return the answer as stored in the answers bucket."""
        return json.dumps(
            {
                "status": self.status,
                "media_type": self.media_type,
                "body": self.body.decode("utf-8"),
                "headers": self.headers,
                "error_code": self.error_code,
                "account": self.account,
            },
            ensure_ascii=False,
        ).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> StoredAnswer:
        """Read an answer back from the answers bucket."""
        held = json.loads(data)
        body = held["body"].encode("utf-8")
        return cls(held["status"], held["media_type"], body, held["headers"], held["error_code"], held["account"])


def partition_of(key: str, partitions: int) -> int:
    """Return the partition of a key (stable across processes and restarts)."""
    return zlib.crc32(key.encode("utf-8")) % partitions


def digest_of(raw: bytes) -> str:
    """Return the digest a message is known by: the SHA-256 of its bytes, as in the message log."""
    return hashlib.sha256(raw).hexdigest()


def answers_of(
    ctx: Context, messages: Sequence[tuple[bytes, frozenset[str]]], sign: Sign
) -> list[StoredAnswer | Exception]:
    """Ingest messages in one transaction (``cbec.intake.batch``) and return the answer ``POST /ceb`` gives to each.

    A refused caller's error is answered as its code; an error that is not a refusal (a fault, not the caller's)
    is returned in the answer's place: the worker stops there, and the message is delivered again.
    """
    edition = Edition(ctx.settings.edition)
    found: list[StoredAnswer | Exception] = []
    for outcome in ingest_batch(ctx, [Submission(raw, "stream", senders) for raw, senders in messages]):
        if outcome.result is not None:
            found.append(http_answer(outcome.result, edition, sign))
        elif isinstance(outcome.error, DomainError):
            found.append(_error_answer(outcome.error))
        else:
            assert outcome.error is not None
            found.append(outcome.error)
    return found


def _error_answer(exc: DomainError) -> StoredAnswer:
    """Return the stored answer of a refused caller: the API's error, by its code."""
    content = {"error": str(exc.code), "message": exc.message, "problems": [p.as_dict() for p in exc.problems]}
    body = json.dumps(content, ensure_ascii=False)  # the shape of the API's errors (cbec.api.errors)
    return StoredAnswer(0, "application/json", body.encode("utf-8"), error_code=str(exc.code))


def http_answer(result: IngestResult, edition: Edition, sign: Sign) -> StoredAnswer:
    """Return the HTTP answer to an ingest result: the receipt XML (422 for a CEB900), or JSON when there is none.

    The receipts of a processed message are answered as JSON, too, where the zone's edition cannot carry them (a
    2018-edition CEB604 must name an 18-character inventory number an export inventory is given only once
    matched): what was stored stands, and the sender learns it either way.
    """
    try:
        answer = direct_answer(result, edition, sign)
    except MessageRefused as exc:
        if result.format_receipt is not None:
            raise
        log.warning("the answer to a %s message is sent as JSON: %s", result.message_type, exc)
        answer = None
    if result.format_receipt is not None and answer is not None:
        return StoredAnswer(422, "application/xml", answer.xml)
    headers = {"X-Cbec-Outcome": result.outcome, "X-Cbec-Receipts": str(len(result.receipts))}
    if answer is None:
        # Serialised as Starlette's JSONResponse does, so the direct and the queued answer are the same bytes.
        body = json.dumps(result_json(result), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return StoredAnswer(200, "application/json", body.encode("utf-8"), headers)
    return StoredAnswer(200, "application/xml", answer.xml, headers)


async def _connect(url: str, **options: Any) -> Any:
    """Connect to the NATS servers of a URL list ("nats://a:4222,nats://b:4222": a cluster's members)."""
    import nats  # the broker client is loaded only where the intake stream is configured

    return await nats.connect(servers=[u.strip() for u in url.split(",") if u.strip()], **options)


async def ensure_stream(js: Any, names: Names) -> None:
    """Create the intake stream and the answers bucket where they do not exist yet."""
    from nats.js.api import KeyValueConfig, RetentionPolicy, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(names.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=names.stream,
                subjects=[f"{names.subject_prefix}.*"],
                retention=RetentionPolicy.WORK_QUEUE,  # a message leaves the stream once a worker acknowledged it
                num_replicas=names.replicas,
                duplicate_window=600.0,  # a retried publish within ten minutes is kept once
            )
        )
    try:
        await js.key_value(names.bucket)
    except NotFoundError:  # BucketNotFoundError
        await js.create_key_value(
            KeyValueConfig(bucket=names.bucket, ttl=ANSWER_TTL_SECONDS, replicas=names.replicas, history=1)
        )


class IntakeFront:
    """The HTTP front's connection to the intake stream (one per server process, opened on first use)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.intake_stream_url:
            raise ValueError("intake_stream_url is not configured")
        self.url = settings.intake_stream_url
        self.names = Names.of(settings)
        self._client: Any = None
        self._js: Any = None
        self._kv: Any = None
        self._lock = asyncio.Lock()

    async def _open(self) -> tuple[Any, Any]:
        async with self._lock:
            if self._client is None or self._client.is_closed:
                self._client = await _connect(self.url, max_reconnect_attempts=-1)
                self._js = self._client.jetstream()
                await ensure_stream(self._js, self.names)
                self._kv = await self._js.key_value(self.names.bucket)
            return self._js, self._kv

    async def submit(
        self, raw: bytes, *, account: str, partition_key: str, senders: frozenset[str], attempts: int = 20
    ) -> Queued:
        """Store a message in the intake stream; return once JetStream has acknowledged it.

        ``partition_key`` (the sending enterprise) keeps one sender's messages in order. A publish that times out
        (a stream leader being elected) is retried with the same ``Nats-Msg-Id``.
        """
        js, _kv = await self._open()
        digest = digest_of(raw)
        partition = partition_of(partition_key, self.names.partitions)
        headers = {"Nats-Msg-Id": digest, SENDERS: ",".join(sorted(senders)), ACCOUNT: account}
        for attempt in range(attempts):
            try:
                ack = await js.publish(self.names.subject(partition), raw, headers=headers, timeout=2.0)
                return Queued(digest, partition, int(ack.seq), bool(ack.duplicate))
            except Exception:  # nats-py raises timeouts and "no responders" while a leader is elected
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(min(0.1 * (attempt + 1), 1.0))
        raise AssertionError("unreachable")

    async def answer(self, digest: str) -> StoredAnswer | None:
        """Return a message's answer once a worker has put it, else None."""
        from nats.js.errors import KeyNotFoundError

        _js, kv = await self._open()
        try:
            entry = await kv.get(digest)
        except KeyNotFoundError:
            return None
        return StoredAnswer.decode(entry.value) if entry.value else None

    async def close(self) -> None:
        """Close the connection (server shutdown)."""
        if self._client is not None and not self._client.is_closed:
            await self._client.close()  # publishes are awaited to their acknowledgement: nothing to drain


def _senders(message: Any) -> frozenset[str]:
    """Return the enterprise codes the front found the message's caller may send as."""
    return frozenset(s for s in (message.headers or {}).get(SENDERS, "").split(",") if s)


@dataclass(slots=True)
class WorkerReport:
    """What a worker did before it stopped."""

    processed: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


def run_worker(
    ctx: Context,
    partitions: Sequence[int],
    sign: Sign,
    *,
    batch: int = 50,
    idle_stop: float | None = None,
    limit: int | None = None,
) -> WorkerReport:
    """Consume the given partitions until stopped: ``idle_stop`` seconds with nothing to do, or ``limit`` messages."""
    return asyncio.run(_work(ctx, list(partitions), sign, batch, idle_stop, limit))


async def _work(
    ctx: Context, partitions: list[int], sign: Sign, batch: int, idle_stop: float | None, limit: int | None
) -> WorkerReport:
    from nats.errors import TimeoutError as FetchTimeout
    from nats.js.api import AckPolicy, ConsumerConfig

    settings = ctx.settings
    if not settings.intake_stream_url:
        raise ValueError("intake_stream_url is not configured")
    names = Names.of(settings)
    client = await _connect(settings.intake_stream_url, max_reconnect_attempts=-1)
    report = WorkerReport()
    try:
        js = client.jetstream()
        await ensure_stream(js, names)
        kv = await js.key_value(names.bucket)
        subscriptions = [
            await js.pull_subscribe(
                names.subject(p),
                durable=f"intake-{p}",
                stream=names.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT, ack_wait=settings.intake_ack_wait_seconds, max_ack_pending=batch
                ),
            )
            for p in partitions
        ]
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        while limit is None or report.processed < limit:
            took = 0
            for subscription in subscriptions:
                try:
                    messages = await subscription.fetch(batch, timeout=0.2)
                except (FetchTimeout, TimeoutError):  # nothing waiting in this partition
                    continue
                # In stream order, in one transaction (its answers come after its commit): one partition's messages
                # one after the other.
                batch_in = [(message.data, _senders(message)) for message in messages]
                answers = await asyncio.to_thread(answers_of, ctx, batch_in, sign)
                for message, answer in zip(messages, answers, strict=True):
                    if isinstance(answer, Exception):
                        raise answer  # not acknowledged: this message and those after it are delivered again
                    headers = message.headers or {}
                    answer = replace(answer, account=headers.get(ACCOUNT, ""))
                    await kv.put(digest_of(message.data), answer.encode())
                    await message.ack_sync()  # only now may the stream forget it
                    outcome = answer.headers.get("X-Cbec-Outcome", answer.error_code or str(answer.status))
                    report.by_outcome[outcome] = report.by_outcome.get(outcome, 0) + 1
                    report.processed += 1
                    took += 1
            if took:
                idle_since = loop.time()
            elif idle_stop is not None and loop.time() - idle_since >= idle_stop:
                break
    finally:
        await client.close()  # every message handled was acknowledged synchronously: nothing to drain
    return report
