"""Crash safety (崩溃安全): kill -9 the intake process part-way through a batch, restart, resend the whole batch.

Nothing is lost and nothing is doubled: every document is stored once, every receipt can be produced again,
the quota ledger equals the inventories that count. Runs on the suite's database and, when that is
PostgreSQL, on a SQLite file as well.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cbec.common.clock import FixedClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.intake.models import MessageRecord
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from cbec.storage.migrate import upgrade
from tests.conftest import is_postgres_run
from tests.reliability.batch import Batch, assert_nothing_lost_or_doubled, cli_environment, make_batch
from tests.zone import Zone, make_zone

ROOT = Path(__file__).resolve().parents[2]
CRASHING = Path(__file__).with_name("crashing_ingest.py")
CBEC = str(Path(sys.executable).with_name("cbec"))
DATABASES = ["suite", "sqlite"] if is_postgres_run() else ["suite"]


@pytest.fixture(params=DATABASES)
def crash_zone(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[Zone]:
    """A filed zone on the suite's database, or on a SQLite file of its own."""
    if request.param == "suite":
        yield request.getfixturevalue("zone")
        return
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(data_dir=tmp_path, database_url=url, data_key=None)
    ctx = Context(settings, engine, make_session_factory(engine), clock, PersonalDataCipher(b"k" * 32))
    yield make_zone(ctx)
    engine.dispose()


def _messages_stored(zone: Zone) -> int:
    with zone.ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(MessageRecord)) or 0)


def _crash(folder: Path, index: int, point: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, str(CRASHING), str(folder), str(index), point], env=env, cwd=ROOT, timeout=180
    )
    assert done.returncode == -signal.SIGKILL, f"the intake process was not killed at message {index} ({point})"


def _kill_cbec_ingest_part_way(folder: Path, out: Path, env: dict[str, str], zone: Zone, at_least: int) -> None:
    """Start `cbec ingest` on the batch and SIGKILL it once at_least messages are stored."""
    process = subprocess.Popen(
        [CBEC, "ingest", str(folder), "--out", str(out)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _messages_stored(zone) < at_least and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, "`cbec ingest` finished before it could be killed part-way"
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL


def test_intake_killed_at_any_point_loses_and_doubles_nothing(crash_zone: Zone, tmp_path: Path) -> None:
    batch: Batch = make_batch(crash_zone, sets=16)
    folder = batch.write(tmp_path / "batch")
    env = cli_environment(crash_zone.ctx, tmp_path / "data")

    # Killed inside a transaction (documents and receipts flushed, nothing committed), then just after a COMMIT
    # before the receipts reached the sender.
    _crash(folder, 3, "flush", env)
    assert _messages_stored(crash_zone) == 3
    _crash(folder, 7, "answered", env)
    assert _messages_stored(crash_zone) == 8
    # `cbec ingest` restarted on the whole batch, killed from outside wherever it has got to.
    _kill_cbec_ingest_part_way(folder, tmp_path / "out-killed", env, crash_zone, at_least=10)

    # Restart once more and resend everything: the earlier messages are answered from what was stored.
    out = tmp_path / "out"
    done = subprocess.run([CBEC, "ingest", str(folder), "--out", str(out)], env=env, cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert len(list(out.glob("*.xml"))) >= len(batch.messages)  # receipts written for every message
    assert_nothing_lost_or_doubled(crash_zone.ctx, batch)
