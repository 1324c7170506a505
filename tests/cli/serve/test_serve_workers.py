"""`cbec serve --workers N`: several server processes, each building its context from the environment."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import types
import urllib.request
from multiprocessing import spawn
from pathlib import Path

import pytest
import uvicorn
from tests.conftest import TEST_KEY

from cbec.cli.serve import spawn_from_application, supervisor_options

CBEC = str(Path(sys.executable).with_name("cbec"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_two_workers_serve_the_same_database(tmp_path: Path) -> None:
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "CBEC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CBEC_DATA_KEY": TEST_KEY,
        "CBEC_DATA_DIR": str(tmp_path / "data"),
        "CBEC_LOG_LEVEL": "WARNING",
    }
    upgraded = subprocess.run([CBEC, "db", "upgrade"], env=env, capture_output=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr.decode()[-2000:]
    port = _free_port()
    server = subprocess.Popen(
        [CBEC, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    answer = (response.status, response.read())
                break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, server.stderr.read().decode()[-2000:] if server.stderr else ""
        assert answer is not None and answer[0] == 200
        # uvicorn's supervisor spawns one process per worker (a resource tracker, if any, is not one of them).
        spawned = [p for p in _children(server.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(spawned) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    done = subprocess.run([CBEC, "serve", "--workers", "0"], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert b"--workers" in done.stderr


def test_workers_are_spawned_from_the_application_not_by_running_the_cbec_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = types.ModuleType("__main__")
    main.__file__ = "/opt/cbec/bin/cbec"
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert spawn.get_preparation_data("worker")["init_main_from_path"] == "/opt/cbec/bin/cbec"

    spawn_from_application(main)

    prepared = spawn.get_preparation_data("worker")
    assert "init_main_from_path" not in prepared
    assert "init_main_from_name" not in prepared


def test_the_supervisor_gives_workers_30_seconds_where_uvicorn_takes_the_option() -> None:
    def older_run(app: str, *, workers: int = 1) -> None: ...

    assert supervisor_options(uvicorn.run) == {"timeout_worker_healthcheck": 30}
    assert supervisor_options(older_run) == {}
