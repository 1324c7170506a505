"""Explicit assembly: the composition root lists every model module, command group and router, and imports each
one loudly (a module that fails to import used to be skipped without a word)."""

from __future__ import annotations

from pathlib import Path

from cbec.api.app import ROUTER_MODULES
from cbec.bootstrap import MODEL_MODULES
from cbec.cli.main import COMMAND_MODULES

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "cbec"


def _module(path: Path) -> str:
    return "cbec." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def test_every_model_module_is_assembled() -> None:
    declaring = {
        _module(path)
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and "(Base)" in path.read_text("utf-8")
        and "class " in path.read_text("utf-8")
    }
    assert sorted(declaring - set(MODEL_MODULES)) == []


def test_every_command_group_and_router_is_assembled() -> None:
    commands = {_module(p) for p in (PACKAGE / "cli").glob("*.py") if "def register(app" in p.read_text("utf-8")}
    assert sorted(commands - set(COMMAND_MODULES)) == []
    routers = {
        _module(p)
        for folder in (PACKAGE / "api" / "routes", PACKAGE / "web")
        for p in folder.glob("*.py")
        if "router = APIRouter(" in p.read_text("utf-8")
    }
    assert sorted(routers - set(ROUTER_MODULES)) == []
