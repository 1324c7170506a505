"""docs/architecture.md names only what exists: every ``cbec.…`` dotted name resolves, every ``src/cbec/…`` path exists.

A dotted name resolves when its longest importable prefix is a module and the rest are attributes of it
(``cbec.intake.receipts.ReceiptBook``: module ``cbec.intake.receipts``, attribute ``ReceiptBook``). The page's
relative Markdown links must point at files of the repository as well.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "architecture.md"
DOTTED = re.compile(r"(?<![\w./-])cbec(?:\.[A-Za-z_]\w*)+")
SOURCE_PATH = re.compile(r"(?<![\w/])src/cbec(?:/[\w.-]+)*/?")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")

# Names the page may use before they exist (a package being built on a branch). Empty now: a test below fails as
# soon as an entry exists, so an entry cannot outlive its reason. An entry covers itself and every name below it.
PENDING_NAMES: tuple[str, ...] = ()
PENDING_PATHS: tuple[str, ...] = ()


def page() -> str:
    """Return the text of docs/architecture.md."""
    return PAGE.read_text(encoding="utf-8")


def dotted_names(text: str) -> list[str]:
    """Return every distinct ``cbec.…`` dotted name of a text, in order of first appearance."""
    return list(dict.fromkeys(DOTTED.findall(text)))


def source_paths(text: str) -> list[str]:
    """Return every distinct ``src/cbec/…`` path of a text (a trailing sentence dot dropped), in order."""
    return list(dict.fromkeys(found.rstrip(".") for found in SOURCE_PATH.findall(text)))


def pending(name: str, entries: tuple[str, ...], separator: str) -> bool:
    """Tell whether a name is, or lies below, a pending entry."""
    return any(name == entry or name.startswith(entry.rstrip(separator) + separator) for entry in entries)


def resolves(name: str) -> bool:
    """Tell whether a dotted name is a module, or an attribute chain of the longest module prefix of it."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError as exc:
            if exc.name is not None and ".".join(parts[:cut]).startswith(exc.name):
                continue  # that prefix is not a module: try a shorter one
            raise  # the module exists but imports something missing: a real failure
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_helpers_find_names_and_paths() -> None:
    text = (
        "See `cbec.intake.receipts.ReceiptBook`, cbec.facts. Then src/cbec/intake/ and src/cbec/bootstrap.py. "
        "Not mycbec.x nor ./src/cbec/x; pip install cbec."
    )
    assert dotted_names(text) == ["cbec.intake.receipts.ReceiptBook", "cbec.facts"]
    assert source_paths(text) == ["src/cbec/intake/", "src/cbec/bootstrap.py"]
    assert pending("cbec.intake.receipts.ReceiptBook", ("cbec.intake",), ".") is True
    assert pending("cbec.intakes", ("cbec.intake",), ".") is False
    assert pending("src/cbec/intake/", ("src/cbec/intake",), "/") is True


def test_resolves_modules_attributes_and_refuses_the_rest() -> None:
    assert resolves("cbec.storage.uow.UnitOfWork") is True
    assert resolves("cbec.sharing.consumers") is True
    assert resolves("cbec.sharing.consumers.no_such_function") is False
    assert resolves("cbec.no_such_package") is False


def test_the_page_names_modules_at_all() -> None:
    names = dotted_names(page())
    assert len(names) >= 60, names  # a page that lost its names would pass the checks below vacuously
    assert len(source_paths(page())) >= 3


@pytest.mark.parametrize("name", [n for n in dotted_names(page()) if not pending(n, PENDING_NAMES, ".")])
def test_every_dotted_name_exists(name: str) -> None:
    assert resolves(name), f"docs/architecture.md names {name}, which does not import"


@pytest.mark.parametrize("path", [p for p in source_paths(page()) if not pending(p, PENDING_PATHS, "/")])
def test_every_source_path_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"


def test_pending_entries_are_named_and_do_not_exist_yet() -> None:
    """Each pending entry is used by the page and still missing here; once it exists, delete it from the list."""
    text = page()
    names, paths = dotted_names(text), source_paths(text)
    unused = [e for e in PENDING_NAMES if not any(pending(n, (e,), ".") for n in names)]
    unused += [e for e in PENDING_PATHS if not any(pending(p, (e,), "/") for p in paths)]
    assert unused == []
    arrived = [e for e in PENDING_NAMES if resolves(e)] + [e for e in PENDING_PATHS if (ROOT / e).exists()]
    assert arrived == [], "these exist now: delete them from PENDING_NAMES / PENDING_PATHS"


def test_relative_links_point_at_files() -> None:
    targets = [t for t in LINK.findall(page()) if "://" not in t]
    assert "house-rules.md" in targets
    missing = [t for t in targets if not (PAGE.parent / t).exists()]
    assert missing == []
