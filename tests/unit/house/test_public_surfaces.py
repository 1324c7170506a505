"""Imports into another package go through its public surface; today's exceptions are a list that may only shrink.

The rule is in docs/house-rules.md ("Public surfaces") and tests/unit/house/house.py (``is_public``); the
exceptions are in surface_exceptions.txt, one "importer -> imported" per line.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.house.house import is_public, surface_breaches

EXCEPTIONS = Path(__file__).with_name("surface_exceptions.txt")


def allowed() -> set[str]:
    """Return the allow-listed breaches."""
    lines = (line.strip() for line in EXCEPTIONS.read_text("utf-8").splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def test_no_new_import_misses_a_public_surface() -> None:
    new = sorted(surface_breaches() - allowed())
    assert new == [], f"import these through the package's surface (docs/house-rules.md), not its internals: {new}"


def test_the_exception_list_only_names_imports_that_still_exist() -> None:
    gone = sorted(allowed() - surface_breaches())
    assert gone == [], f"these imports are gone or public now: delete them from {EXCEPTIONS.name}: {gone}"


def test_the_exception_list_is_sorted_and_has_no_duplicates() -> None:
    lines = [line for line in EXCEPTIONS.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    assert lines == sorted(set(lines))


def test_the_surface_rule() -> None:
    assert [
        is_public(m)
        for m in (
            "cbec.clearance",
            "cbec.clearance.schemas",
            "cbec.clearance.service",
            "cbec.clearance.codes",
            "cbec.clearance.models",
            "cbec.clearance.service.intake",
            "cbec.clearance.rules",
            "cbec.common.errors",
            "cbec.storage.context",
            "cbec.storage._private",
            "cbec.messages.documents",
            "cbec.enterprises.models",
        )
    ] == [True, True, True, True, False, False, False, True, True, False, True, False]
