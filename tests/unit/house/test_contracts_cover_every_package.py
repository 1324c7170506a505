"""The import-linter contracts cover every package of cbec: a new package cannot escape the layers.

A probe package `cbec.credit` importing fastapi, cbec.api and clearance's models passed "2 kept, 0 broken"
because the layers contract lists packages by name and a package missing from it is checked by nothing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "cbec"


def _packages() -> set[str]:
    """Return every top-level package and module of cbec (bootstrap and config included)."""
    found = {f"cbec.{p.name}" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {f"cbec.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return found


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _layered() -> set[str]:
    names: set[str] = set()
    for contract in _contracts():
        if contract["type"] != "layers":
            continue
        for layer in contract["layers"]:  # type: ignore[attr-defined]
            for part in str(layer).replace("|", ":").split(":"):
                names.add(part.strip().removeprefix("(").removesuffix(")"))
    return names


def _framework_free() -> set[str]:
    names: set[str] = set()
    for contract in _contracts():
        if contract["type"] == "forbidden" and "fastapi" in contract["forbidden_modules"]:  # type: ignore[operator]
            names |= set(contract["source_modules"])  # type: ignore[arg-type]
    return names


# Modules outside the layers on purpose: the composition root imports everything.
COMPOSITION_ROOT = {"cbec.bootstrap"}
TRANSPORTS = {"cbec.api", "cbec.cli", "cbec.web"}


def test_every_package_is_in_the_layers_contract() -> None:
    missing = sorted(_packages() - _layered() - COMPOSITION_ROOT)
    assert missing == [], f"add these packages to [tool.importlinter] layers in pyproject.toml: {missing}"


def test_every_package_below_the_transports_is_forbidden_the_web_frameworks() -> None:
    below = _packages() - TRANSPORTS - COMPOSITION_ROOT - {"cbec.config"}
    missing = sorted(below - _framework_free())
    assert missing == [], f"add these packages to the 'Domains never import web frameworks' contract: {missing}"
