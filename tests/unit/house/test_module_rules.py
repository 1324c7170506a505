"""House rules a file can break by itself (docs/house-rules.md): a module stays under 600 lines (split it by use
case before that), and no module is a grab-bag named utils or helpers."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parents[3] / "src" / "cbec"
MAX_LINES = 600
GRAB_BAGS = {"utils", "util", "helpers", "misc", "common_utils"}


def modules(base: Path = SOURCE) -> list[Path]:
    """Return every hand-written module (Alembic's generated migrations are left out)."""
    return [p for p in sorted(base.rglob("*.py")) if "migrations" not in p.relative_to(base).parts]


def too_long(base: Path = SOURCE) -> list[str]:
    """Return "path: lines" for every module over MAX_LINES lines."""
    found = []
    for path in modules(base):
        lines = len(path.read_text("utf-8").splitlines())
        if lines > MAX_LINES:
            found.append(f"{path.relative_to(base)}: {lines}")
    return found


def grab_bags(base: Path = SOURCE) -> list[str]:
    """Return every module or package named like a grab-bag (utils.py, helpers/...)."""
    return [str(p.relative_to(base)) for p in sorted(base.rglob("*")) if p.stem in GRAB_BAGS]


def test_no_module_is_over_600_lines() -> None:
    assert too_long() == []


def test_no_utils_module() -> None:
    assert grab_bags() == []


def test_the_checks_see_a_long_module_and_a_utils_module(tmp_path: Path) -> None:
    (tmp_path / "fine.py").write_text("x = 1\n" * MAX_LINES, "utf-8")
    (tmp_path / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), "utf-8")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "utils.py").write_text("", "utf-8")
    assert too_long(tmp_path) == ["long.py: 601"]
    assert grab_bags(tmp_path) == ["pkg/utils.py"]


def global_session_hooks(base: Path = SOURCE) -> list[str]:
    """Return "path:line" of every hook put on every Session of the process (``Session`` as the event target).

    Writes at commit are the unit of work's named step (``cbec.storage.commit``); the few hooks the house needs
    (revision marks, savepoint forgetting) are installed on the session factory it makes, not process-wide.
    """
    found = []
    for path in modules(base):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if "listens_for(Session" in line or "listen(Session" in line:
                found.append(f"{path.relative_to(base)}:{number}")
    return found


def direct_commits(base: Path = SOURCE) -> list[str]:
    """Return "path:line" of every session commit outside the unit of work (which runs the commit steps first)."""
    found = []
    for path in modules(base):
        if path.relative_to(base).as_posix() == "storage/uow.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if "session.commit()" in line:
                found.append(f"{path.relative_to(base)}:{number}")
    return found


def test_no_process_wide_session_hooks() -> None:
    assert global_session_hooks() == []


def test_sessions_commit_only_through_the_unit_of_work() -> None:
    assert direct_commits() == []
