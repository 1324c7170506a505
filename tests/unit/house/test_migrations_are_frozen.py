"""Migrations carry their own copies of what they compute: none imports live cbec code but the column types.

A migration runs against data written years before; if it imported a domain rule, changing the rule would
silently change what an old migration computes. The one import allowed is ``cbec.storage.base``, the portable
column types Alembic writes into the DDL (UtcDateTime, Amount), which are part of the stored schema itself.
"""

from __future__ import annotations

import ast
import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from cbec.audit.rules import GENESIS_HASH, normalised, record_hash

VERSIONS = Path(__file__).resolve().parents[3] / "src" / "cbec" / "storage" / "migrations" / "versions"
ALLOWED = {"cbec.storage.base"}


def cbec_imports(path: Path) -> set[str]:
    """Return every cbec module a migration imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "cbec"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cbec":
            found.add(str(node.module))
    return found


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"migration_{name}", VERSIONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_migration_imports_live_cbec_code() -> None:
    reaching = sorted(
        f"{path.name}: {module}" for path in VERSIONS.glob("*.py") for module in cbec_imports(path) - ALLOWED
    )
    assert reaching == []


def test_the_migrations_are_found() -> None:
    assert len(list(VERSIONS.glob("*.py"))) > 10
    assert cbec_imports(VERSIONS / "0001_initial_schema.py") == {"cbec.storage.base"}


def test_trust01_seals_old_records_by_the_unkeyed_rule_of_the_audit_chain() -> None:
    trust01 = load("trust01_trust_and_sharing")
    fields = {
        "seq": 7,
        "at": datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=UTC),
        "actor": "officer-1",
        "action": "clearance.inventory.released",
        "entity_type": "inventory",
        "entity_key": "I-1",
        "before": trust01.normalised({"status": ("800",)}),
        "after": {"status": "899", "金额": "12.30"},
        "reason": None,
        "prev_hash": "a" * 64,
    }
    assert trust01.GENESIS_HASH == GENESIS_HASH
    assert (
        trust01.normalised({"status": ("800",), 1: 2})
        == normalised({"status": ("800",), 1: 2})
        == {
            "status": ["800"],
            "1": 2,
        }
    )
    assert trust01.record_hash(fields) == record_hash(fields)
    assert len(trust01.record_hash(fields)) == 64
