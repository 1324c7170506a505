"""Latency of ``POST /ceb`` at fixed offered rates (报文接收时延), open loop, over loopback.

The server is ``cbec serve`` (uvicorn, one process) on a fresh database; this process drives it with an
open-loop generator (asyncio + httpx): request *i* of a run is due at ``start + i / rate`` whether or not the
earlier ones have been answered, and its latency is counted from when it was due (so a server that falls behind
shows it, no coordinated omission). Every request is a real single-document message (CEB311, 411, 511, 621 or
711, signed, payments and waybills in DxpMsg envelopes) sent with the API key of the enterprise that sends it.
Each rate runs for a bounded time on fresh sets, after a short warm-up that is not counted.

    .venv/bin/python -m bench.latency --rates 50,100,200 --seconds 30 --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.env import CACHE, fmt, fresh_database, percentile, print_header, record
from bench.runner import BENCH_KEY, NOW, bench_context, prepare_zone
from bench.workload import Message, WorkloadSpec, load_or_generate
from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account, create_api_key


@dataclass(slots=True)
class RunResult:
    """What one offered rate achieved."""

    rate: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # ms, from when each request was due
    service: list[float] = field(default_factory=list)  # ms, from when it was actually sent
    statuses: Counter[str] = field(default_factory=Counter)
    late_starts: int = 0  # requests the generator itself sent more than 5 ms after they were due
    elapsed: float = 0.0
    # CPU seconds from when the first counted request was due to the last answer (the warm-up's excluded, but
    # for what of it was still in flight then): the `cbec serve` processes, the benchmark database's backends.
    server_cpu: float = 0.0
    database_cpu: float = 0.0

    def line(self) -> str:
        """Return the run as one line of the record."""
        done = len(self.latencies)
        return (
            f"offered {fmt(self.rate)} msgs/s for {self.elapsed:.0f} s: {done:,} answered "
            f"({fmt(done / self.elapsed)} msgs/s), statuses {dict(self.statuses)}; latency from due time "
            f"p50 {percentile(self.latencies, 0.5):.1f} ms, p95 {percentile(self.latencies, 0.95):.1f} ms, "
            f"p99 {percentile(self.latencies, 0.99):.1f} ms, max {max(self.latencies, default=0):.0f} ms; "
            f"generator late >5 ms on {self.late_starts:,} requests; CPU per message "
            f"{self.server_cpu / max(1, self.sent) * 1000:.1f} ms in the server processes"
            + (f", {self.database_cpu / max(1, self.sent) * 1000:.1f} ms in PostgreSQL" if self.database_cpu else "")
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_keys(url: str, senders: set[str]) -> dict[str, str]:
    """Create an enterprise account for every sender and return an API key of each."""
    ctx = bench_context(url)
    keys: dict[str, str] = {}
    for code in sorted(senders):
        name = f"bench-{code}"
        create_account(ctx, AccountCreate(username=name, role="enterprise_user", enterprise_code=code), actor="bench")
        keys[code] = create_api_key(ctx, username=name, label="bench", actor="bench").key
    ctx.engine.dispose()
    return keys


def start_server(url: str, port: int, log: Path, workers: int = 1, batch: int | None = None) -> subprocess.Popen[bytes]:
    """Start `cbec serve` on the benchmark database and wait until it answers (``batch``: its group commit size)."""
    env = {
        **os.environ,
        "CBEC_DATABASE_URL": url,
        "CBEC_DATA_DIR": str(CACHE / "data"),
        "CBEC_DATA_KEY": BENCH_KEY,
        "CBEC_NOW": NOW.isoformat(),
        "CBEC_REVIEW_VALUE_AT_OR_ABOVE": "8000",
        **({"CBEC_INTAKE_BATCH": str(batch)} if batch is not None else {}),
    }
    cbec = str(Path(sys.executable).with_name("cbec"))
    handle = log.open("wb")
    server = subprocess.Popen(
        [cbec, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=handle,
        stderr=handle,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        # Every worker up (each logs its start), so that none is still starting (and spending CPU) when a rate runs.
        started = log.read_bytes().count(b"Application startup complete.")
        try:
            if started >= workers and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"cbec serve exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("cbec serve did not start within 120 s")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += _descendants(child)
    return found


def server_cpu(pid: int) -> float:
    """Return the CPU seconds the server process and its live workers have used so far."""
    return sum(_cpu_seconds(p) for p in _descendants(pid))


def database_cpu(url: str) -> float:
    """Return the CPU seconds the PostgreSQL backends of a benchmark database have used so far (0 on SQLite)."""
    if not url.startswith("postgresql"):
        return 0.0
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": name},
            ).scalars()
            return sum(_cpu_seconds(int(pid)) for pid in pids)
    finally:
        engine.dispose()


IN_FLIGHT = 128


async def offer(
    base: str,
    keys: dict[str, str],
    messages: list[Message],
    rate: float,
    *,
    warmup: int,
    timeout: float,
    cpu: Callable[[], tuple[float, float]] | None = None,
) -> RunResult:
    """Send messages open-loop at a fixed rate; count everything after the warm-up messages."""
    result = RunResult(rate)
    # At most IN_FLIGHT requests are handed to the connection pool at once; the others wait here, their latency
    # still counted from when they were due. (httpcore matches every queued request against every connection on
    # each event: with a backlog of thousands and a thousand connections, the generator itself fell behind.)
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    gate = asyncio.Semaphore(IN_FLIGHT)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def one(index: int, message: Message, due: float) -> None:
            async with gate:
                sent = time.perf_counter()
                try:
                    response = await client.post(
                        "/ceb",
                        content=message.raw,
                        headers={"content-type": "application/xml", "X-API-Key": keys[message.sender]},
                    )
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
            done = time.perf_counter()
            if index >= warmup:
                result.statuses[status] += 1
                result.latencies.append((done - due) * 1000)
                result.service.append((done - sent) * 1000)
                if sent - due > 0.005:
                    result.late_starts += 1

        start = time.perf_counter() + 0.05
        tasks = []
        mark: tuple[float, float] | None = None
        for index, message in enumerate(messages):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if index == warmup and cpu is not None:
                mark = await asyncio.to_thread(cpu)
            tasks.append(asyncio.create_task(one(index, message, due)))
        await asyncio.gather(*tasks)
        result.sent = len(messages) - warmup
        if mark is not None and cpu is not None:
            server, database = await asyncio.to_thread(cpu)
            result.server_cpu, result.database_cpu = server - mark[0], database - mark[1]
        result.elapsed = (len(messages) - warmup) / rate
    return result


def main() -> None:
    """Measure POST /ceb latency at each offered rate and record it."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="50,100,200", help="comma-separated offered rates (messages/s)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per rate")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per rate not counted")
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seed", type=int, default=20260303)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout (s)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (cbec serve --workers)")
    parser.add_argument("--batch", type=int, default=None, help="messages per transaction (CBEC_INTAKE_BATCH)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    needed = int(sum(r * (args.seconds + args.warmup) for r in rates)) + 10
    machine = print_header("latency of POST /ceb (open loop)")
    # About 4.5 single-document messages per set (311, 411, 511, 621, and 711 for direct purchase).
    workload = load_or_generate(WorkloadSpec(sets=needed // 4 + 50, seed=args.seed, single=True))
    messages = workload.messages
    if len(messages) < needed:
        raise SystemExit(f"the workload has {len(messages)} messages, {needed} needed")
    print(workload.describe(), flush=True)
    results: list[str] = []
    with fresh_database(args.db) as url:
        prepare_zone(url, workload.certificates)
        keys = api_keys(url, {m.sender for m in messages})
        port = _free_port()
        log = CACHE / "latency-server.log"
        server = start_server(url, port, log, args.workers, args.batch)
        try:
            offset = 0
            for rate in rates:
                warmup = int(rate * args.warmup)
                count = warmup + int(rate * args.seconds)
                chunk = messages[offset : offset + count]
                offset += count
                run = asyncio.run(
                    offer(
                        f"http://127.0.0.1:{port}",
                        keys,
                        chunk,
                        rate,
                        warmup=warmup,
                        timeout=args.timeout,
                        cpu=lambda: (server_cpu(server.pid), database_cpu(url)),
                    )
                )
                print(run.line(), flush=True)
                results.append(run.line())
        finally:
            server.terminate()
            server.wait(timeout=30)
    data = (
        f"{workload.describe()}; server `cbec serve --workers {args.workers}` (uvicorn) on {args.db}, "
        f"group commit of up to {args.batch or 'the default'} messages, "
        f"load from a separate process over loopback"
    )
    record("Latency of POST /ceb", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
