"""A probe package that breaks a tier or a surface rule fails the house checks (issue 15, "Done when").

The probe is the one the structural review used: a new package importing fastapi, a transport (cbec.api) and
another domain's internals (clearance's models). It is written into a copy of the source tree, never into the
real one, and the same checks CI runs are run on the copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.house.house import FRAMEWORK_FREE, ROOT, TIERS, contracts, surface_breaches
from tests.unit.house.test_contracts_cover_every_package import (
    missing_from_framework_contract,
    missing_from_tiers,
)

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
PROBE = '''"""A probe: a new package that breaks every rule it can."""

import fastapi

import cbec.api
from cbec.clearance import models

__all__ = ["cbec", "fastapi", "models"]
'''


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the source tree and pyproject.toml with the probe package cbec.probe added."""
    root = tmp_path_factory.mktemp("house")
    shutil.copytree(ROOT / "src" / "cbec", root / "src" / "cbec", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "src" / "cbec" / "probe").mkdir()
    (root / "src" / "cbec" / "probe" / "__init__.py").write_text(PROBE, "utf-8")
    return root


def place_probe(root: Path) -> Path:
    """Do what a contributor does for a new read-side system: put it in its tier and the framework contract.

    The placed configuration is written to a folder of its own (returned), so the tree's stays as it was.
    """
    config = (root / "pyproject.toml").read_text("utf-8")
    tier = '"cbec.statistics | cbec.risk | cbec.credit | cbec.privacy",'
    listed = '  "cbec.statistics", "cbec.risk", "cbec.credit", "cbec.privacy",'
    assert config.count(tier) == 1 and config.count(listed) == 1
    config = config.replace(tier, tier.replace("cbec.privacy", "cbec.privacy | cbec.probe"))
    config = config.replace(listed, listed + ' "cbec.probe",')
    placed = root / "placed"
    placed.mkdir(exist_ok=True)
    (placed / "pyproject.toml").write_text(config, "utf-8")
    return placed


def test_an_unplaced_probe_is_reported_missing_from_the_contracts(tree: Path) -> None:
    assert missing_from_tiers(tree) == ["cbec.probe"]
    assert missing_from_framework_contract(tree) == ["cbec.probe"]


def test_a_placed_probe_breaks_the_tiers_and_the_framework_contract(tree: Path) -> None:
    placed = place_probe(tree)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--no-cache",
            "--no-logo",
            str(placed / "pyproject.toml"),
        ],
        cwd=tree,
        env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = " ".join(result.stdout.split())  # contract names are wrapped at 80 columns
    (tiers,) = [name for name in contracts(placed) if name.startswith(TIERS)]
    broken = {name for name in contracts(placed) if f"{name} BROKEN" in output}
    assert (result.returncode, broken) == (1, {tiers, FRAMEWORK_FREE})
    assert "Contracts: 2 kept, 2 broken." in output
    assert re.search(r"cbec\.probe -> cbec\.api \(l\.5\)", output)
    assert re.search(r"cbec\.probe -> fastapi \(l\.3\)", output)


def test_the_probe_reaching_clearance_models_breaks_the_surface_rule(tree: Path) -> None:
    assert surface_breaches(tree) - surface_breaches(ROOT) == {"cbec.probe -> cbec.clearance.models"}
