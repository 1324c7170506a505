"""Where a benchmark ran and what it measured: machine, versions, fresh databases, and the record in docs.

Every benchmark prints a header (cores, RAM, CPU model; Python, SQLite, PostgreSQL, cbec git sha) and
appends its figures, with the exact command line that produced them, to docs/performance.md.
"""

from __future__ import annotations

import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.autoanalyze import keeping_statistics

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
LOG_HEADING = "## Run log"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
CACHE = ROOT / "var" / "bench"


def pg_base_url() -> str:
    """Return the PostgreSQL server benchmarks make their databases on (CBEC_BENCH_PG_URL)."""
    return os.environ.get("CBEC_BENCH_PG_URL", DEFAULT_PG)


def sqlalchemy_url(url: str) -> str:
    """Return a URL SQLAlchemy opens with psycopg 3."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _git_sha() -> str:
    try:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return f"{sha}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _pg_version() -> str:
    try:
        engine = create_engine(sqlalchemy_url(pg_base_url()))
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            settings = {
                name: str(conn.execute(text(f"SHOW {name}")).scalar_one())
                for name in ("fsync", "synchronous_commit", "shared_buffers", "autovacuum")
            }
        engine.dispose()
        return f"{version} ({', '.join(f'{k}={v}' for k, v in settings.items())})"
    except Exception as exc:  # the header must print even when PostgreSQL is down
        return f"unavailable ({type(exc).__name__})"


@dataclass(slots=True)
class Machine:
    """The machine and software a figure was measured on."""

    cores: int = field(default_factory=lambda: os.cpu_count() or 0)
    ram_gib: float = field(default_factory=_ram_gib)
    cpu: str = field(default_factory=_cpu_model)
    python: str = field(default_factory=lambda: platform.python_version())
    sqlite: str = field(default_factory=lambda: sqlite3.sqlite_version)
    postgres: str = field(default_factory=_pg_version)
    cbec: str = field(default_factory=_git_sha)
    load: str = field(default_factory=lambda: " ".join(f"{x:.2f}" for x in os.getloadavg()))

    def lines(self) -> list[str]:
        """Return the header lines."""
        return [
            f"machine: {self.cores} cores, {self.ram_gib:.1f} GiB RAM, {self.cpu}; load average before: {self.load}",
            f"versions: Python {self.python}, SQLite {self.sqlite}, PostgreSQL {self.postgres}, cbec {self.cbec}",
        ]


def command_line() -> str:
    """Return the command that is running, as a user would type it from the repository root."""
    argv = list(sys.argv)
    module = sys.modules["__main__"].__spec__
    if module is not None and module.name:
        return shlex.join([".venv/bin/python", "-m", module.name, *argv[1:]])
    return shlex.join([".venv/bin/python", *argv])


def print_header(title: str) -> Machine:
    """Print what runs where, and return it for the record."""
    machine = Machine()
    print(f"== {title}")
    print(f"command: {command_line()}")
    for line in machine.lines():
        print(line)
    return machine


def record(title: str, machine: Machine, data: str, results: list[str], *, enabled: bool = True) -> None:
    """Append one run (command, machine, data size, results) to the run log of docs/performance.md."""
    block = [
        f"### {title} — {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %z')}",
        "",
        "```",
        f"$ {command_line()}",
        *machine.lines(),
        f"data: {data}",
        *results,
        "```",
        "",
    ]
    print("\n".join(block[3:-2]))
    if not enabled:
        return
    existing = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else "# Performance\n"
    if LOG_HEADING not in existing:
        existing = existing.rstrip("\n") + f"\n\n{LOG_HEADING}\n\nEvery benchmark run appends its block here.\n"
    PERFORMANCE_MD.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(block), encoding="utf-8")
    print(f"recorded in {PERFORMANCE_MD.relative_to(ROOT)}")


@contextmanager
def fresh_database(kind: str, *, keep: bool = False, name: str | None = None) -> Iterator[str]:
    """Yield the URL of a new, empty database (sqlite file or PostgreSQL database), dropped afterwards.

    ``keep`` with a ``name``: the database is neither dropped afterwards nor emptied when it exists already (a
    benchmark that loads for minutes can be run again on what it loaded).
    """
    reuse = keep and name is not None
    tag = name or f"cbec_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if kind == "sqlite":
        folder = CACHE / "db"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            if not reuse:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r} (sqlite or postgres)")
    base = sqlalchemy_url(pg_base_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": tag}).first() is not None
        if not (reuse and exists):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{tag}"'))
    head, _, _ = base.rpartition("/")
    try:
        # Statistics kept as autovacuum keeps them in production, where this server has it off (bench.autoanalyze).
        with keeping_statistics(f"{head}/{tag}"):
            yield f"{head}/{tag}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)'))
        admin.dispose()


def rss_mib(pid: int | None = None) -> float:
    """Return the resident set size of a process in MiB (this one by default)."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib(pid: int | None = None) -> float:
    """Return the peak resident set size (VmHWM) of a process in MiB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of a list (share in 0..1)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(share * len(ordered) + 0.999999)))
    return ordered[rank - 1]


def fmt(value: Any) -> str:
    """Format a number for the record."""
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
