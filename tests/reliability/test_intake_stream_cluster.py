"""The intake stream on a three-node JetStream cluster (loopback) loses its leader mid-stream and nothing is lost.

Three ``nats-server`` processes form a cluster; the intake stream has three replicas. The front publishes 300
messages one after the other; after 100 the stream's leader is killed with SIGKILL. The front's publishes time
out while a new leader is elected and are retried with the same ``Nats-Msg-Id``, so the stream must end with
exactly the 300 messages, in the order they were sent, none twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cbec.config import Settings
from cbec.intake.stream import IntakeFront, Names

pytestmark = pytest.mark.skipif(shutil.which("nats-server") is None, reason="nats-server is not installed")
NODES = 3
SENT = 300
KILL_AFTER = 100


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, subprocess.Popen[bytes]]]]:
    ports = _free_ports(2 * NODES)
    clients, routes = ports[:NODES], ports[NODES:]
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for n in range(NODES):
        name = f"n{n}"
        others = ", ".join(f"nats://127.0.0.1:{routes[m]}" for m in range(NODES) if m != n)
        config = tmp_path / f"{name}.conf"
        config.write_text(
            f"server_name: {name}\nlisten: 127.0.0.1:{clients[n]}\n"
            f'jetstream {{ store_dir: "{tmp_path / name}" }}\n'
            f"cluster {{ name: cbec, listen: 127.0.0.1:{routes[n]}, routes: [{others}] }}\n"
        )
        log = (tmp_path / f"{name}.log").open("wb")
        processes[name] = subprocess.Popen(["nats-server", "-c", str(config)], stdout=log, stderr=log)
    try:
        yield [f"nats://127.0.0.1:{p}" for p in clients], processes
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


async def _ready(urls: list[str]) -> None:
    """Wait until the cluster has a JetStream meta leader (it answers account info)."""
    import nats

    deadline = time.monotonic() + 30
    while True:
        try:
            client = await nats.connect(servers=urls, connect_timeout=1)
            try:
                await client.jetstream().account_info()
                return
            finally:
                await client.close()
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def test_a_lost_stream_leader_costs_no_message_and_duplicates_none(
    cluster: tuple[list[str], dict[str, subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    urls, processes = cluster
    settings = Settings(
        data_dir=tmp_path,
        intake_stream_url=",".join(urls),
        intake_replicas=3,
        intake_partitions=1,
        nats_stream_prefix=f"CBECC{uuid.uuid4().hex[:8]}",
    )
    names = Names.of(settings)
    payloads = [f"<message n='{n}'/>".encode() for n in range(SENT)]

    async def run() -> tuple[str, list[bytes], list[str]]:
        await _ready(urls)
        front = IntakeFront(settings)
        killed = ""
        try:
            for n, raw in enumerate(payloads):
                if n == KILL_AFTER:
                    info = await front._js.stream_info(names.stream)
                    killed = info.cluster.leader
                    processes[killed].send_signal(signal.SIGKILL)
                await front.submit(raw, account="gateway", partition_key="gateway", senders=frozenset())
            js = front._js
            info = await js.stream_info(names.stream)
            stored = [(await js.get_msg(names.stream, seq)).data for seq in range(1, info.state.last_seq + 1)]
            leader = info.cluster.leader
            return killed, stored, [killed, leader]
        finally:
            await front.close()

    killed, stored, leaders = asyncio.run(run())
    assert killed in processes and processes[killed].poll() is not None  # the leader was really killed
    assert leaders[1] != killed  # another node leads now
    assert [hashlib.sha256(m).hexdigest() for m in stored] == [hashlib.sha256(p).hexdigest() for p in payloads]
