"""The README's tour, run as written against a fresh demo database, so that README and product cannot drift.

Convention (README, "A tour, right after `make run`"): every fenced block marked ```` ```sh tour ```` is part of
the tour; its lines are run in order, in one bash process (variables carry over, as when pasted into one
terminal), after the `make run` recipe of the Makefile (its last line, `cbec serve`, in the background on a free
port: `127.0.0.1:8000` in the tour is rewritten to that port). Each command must exit 0 unless its comment says
`(exit N)`. Plain ```` ```sh ```` blocks are illustrations and are not run.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import _fresh_postgres, _pg

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
BIN = Path(sys.executable).parent  # the venv's bin: cbec is next to the interpreter running the tests
TOUR_BLOCK = re.compile(r"^```sh tour\n(.*?)^```", re.S | re.M)
EXPECTED_EXIT = re.compile(r"#.*\(exit (\d+)\)")
MARK = "@@tour-step"


def tour_commands(readme: str) -> list[str]:
    """Return the README's tour commands in order (one per line; a trailing backslash joins lines)."""
    commands: list[str] = []
    for block in TOUR_BLOCK.findall(readme):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(line.strip())
    return commands


def expected_exit(command: str) -> int:
    """Return the exit status the README promises for a command: 0 unless its comment says (exit N)."""
    found = EXPECTED_EXIT.search(command)
    return int(found.group(1)) if found else 0


def run_recipe(makefile: str) -> list[str]:
    """Return the commands of the Makefile's `run` target."""
    lines = makefile.split("\nrun:", 1)[1].split("\n")[1:]
    recipe = []
    for line in lines:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_the_tour_convention_is_found() -> None:
    commands = tour_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 30
    assert commands[0].startswith("cbec demo --seed 2 --orders 200 --buyers 400 --out demo-out  ")
    assert [c for c in commands if expected_exit(c)] == [
        "cbec clearance return-arrived 1                                 # (exit 1) that return was completed already"
    ]
    assert run_recipe(MAKEFILE.read_text(encoding="utf-8")) == [
        "$(BIN)/cbec db upgrade",
        "$(BIN)/cbec demo --if-empty",
        "$(BIN)/cbec accounts demo-users",
        "$(BIN)/cbec serve --host $(HOST) --port $(PORT)",
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def tour_database(tmp_path: Path) -> Iterator[str]:
    """A fresh database of the tour's own: SQLite in the temporary folder, or a new PostgreSQL database."""
    base = os.environ.get("CBEC_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'var' / 'cbec.db'}"
        return
    url, name = _fresh_postgres(base)
    try:
        yield url
    finally:
        from sqlalchemy import create_engine, text

        admin = create_engine(_pg(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL after 30 s."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    except ProcessLookupError:
        pass


def _wait_ready(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"cbec serve exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"cbec serve did not get ready:\n{log.read_text(errors='replace')}")


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_readme_tour_runs_as_written_after_make_run(tmp_path: Path, tour_database: str) -> None:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CBEC_")},
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "CBEC_DATA_DIR": str(tmp_path / "var"),
        "CBEC_DATABASE_URL": tour_database,
        "COLUMNS": "160",
    }
    (tmp_path / "var").mkdir()
    *setup, serve = run_recipe(MAKEFILE.read_text(encoding="utf-8"))
    for line in setup:
        command = line.replace("$(BIN)/", f"{BIN}/")
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"make run: {command}\n{done.stdout}\n{done.stderr}"
    serve_command = serve.replace("$(BIN)/", f"{BIN}/").replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
    server_log = tmp_path / "serve.log"
    with server_log.open("wb") as sink:
        # Its own process group, so that the server and anything it starts stop with it (a shell's child outlived
        # the shell's terminate() and kept serving after the suite).
        server = subprocess.Popen(
            serve_command, shell=True, cwd=tmp_path, env=env, stdout=sink, stderr=sink, start_new_session=True
        )
    try:
        _wait_ready(port, server, server_log)
        commands = tour_commands(README.read_text(encoding="utf-8"))
        script = "".join(
            f'{command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")}\nprintf "\\n{MARK} {n} %s\\n" "$?"\n'
            for n, command in enumerate(commands)
        )
        done = subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=1200
        )
    finally:
        _stop(server)
    output = done.stdout + done.stderr
    statuses: dict[int, int] = {}
    sections = re.split(rf"^{MARK} (\d+) (\d+)$", done.stdout, flags=re.M)
    said: dict[int, str] = {}
    for n in range(1, len(sections) - 1, 3):
        statuses[int(sections[n])] = int(sections[n + 1])
        said[int(sections[n])] = sections[n - 1][-3000:]
    wrong = [
        f"{commands[n]}\n  exited {statuses.get(n)}, README says {expected_exit(commands[n])}\n{said.get(n, '')}"
        for n in range(len(commands))
        if statuses.get(n) != expected_exit(commands[n])
    ]
    assert wrong == [], "\n\n".join(wrong) + "\n--- stderr ---\n" + done.stderr[-5000:]
    assert "Every order ended where its label said." in output
    assert "already processed" in output
    assert "<ceb:CEB312Message" in output or "CEB312Message" in output
