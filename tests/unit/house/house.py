"""What the house tests read: the packages of a source tree, the import-linter contracts and the imports between
packages (found in the source by ``ast``, type-checking-only and function-level imports included).

Every function takes the root of a tree, so the probe tests can run them on a copy with a package added.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# The tier contract: the first layers contract, named by this prefix (pyproject.toml [tool.importlinter]).
TIERS = "Tiers:"
INNER_ORDER = "Order inside the kernel and the shared domains"
DOCUMENT_DOMAINS = "Document domains are independent of each other"
FRAMEWORK_FREE = "Below the transports nothing imports a web or CLI framework"
TRANSPORTS = {"cbec.api", "cbec.cli", "cbec.web"}

# Public surfaces (docs/house-rules.md "Public surfaces"). Another package may import cbec.P itself, the
# standard modules below, and the modules P names here because they were written for other packages. The
# libraries (common, storage, config) are toolkits: every module of theirs not starting with "_" is public.
LIBRARIES = {"cbec.common", "cbec.storage", "cbec.config"}
STANDARD_SURFACE = ("schemas", "errors", "views", "queries", "service")
SURFACES: dict[str, tuple[str, ...]] = {
    "cbec.accounts": (),
    "cbec.api": ("deps", "security"),  # the request dependencies the web transport shares
    "cbec.audit": (),
    "cbec.bootstrap": (),
    "cbec.clearance": ("codes",),
    "cbec.cli": (),
    "cbec.credit": (),
    "cbec.demo": (),
    "cbec.enterprises": ("lookups",),
    "cbec.exports": (),
    "cbec.facts": (),
    "cbec.intake": (
        "answers",
        "receipts",
        "log",
        "numbers",
        "stream",
    ),  # answers, receipts, the message log, number sequences, the JetStream front and worker
    "cbec.messages": ("documents", "export_documents", "json_twin", "signature", "authority"),
    "cbec.privacy": (),
    "cbec.products": (),
    "cbec.quota": (),
    "cbec.reference": ("lookups", "geography"),  # code-table lookups; places, distances, address regions
    # cases, versions, lists, lanes, entity conditions (EFRuP), export trade, deliveries after release (R2.4), the
    # optional ML term and its store
    "cbec.risk": ("cases", "versions", "lists", "lanes", "conditions", "exports", "deliveries", "ml", "ml_store"),
    "cbec.sharing": ("catalogue",),
    "cbec.statistics": ("b2b",),  # B2B-export identification (its package surface: cbec.statistics.b2b)
    "cbec.supervision": (),
    "cbec.tax": (),
    "cbec.web": ("reports",),  # the report renderer the CLI (cbec stats report, the daily job) shares
}
# The composition root wires concrete modules (signers, model modules): its imports are not held to surfaces.
SURFACE_EXEMPT_IMPORTERS = {"cbec.bootstrap"}


def packages(root: Path = ROOT) -> set[str]:
    """Return every top-level package and module of cbec under ``root`` (bootstrap and config included)."""
    base = root / "src" / "cbec"
    found = {f"cbec.{p.name}" for p in base.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {f"cbec.{p.stem}" for p in base.glob("*.py") if p.stem != "__init__"}
    return found


def contracts(root: Path = ROOT) -> dict[str, dict[str, object]]:
    """Return the import-linter contracts of ``root``'s pyproject.toml by name."""
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    return {str(c["name"]): c for c in config["tool"]["importlinter"]["contracts"]}


def contract_list(name: str, key: str, root: Path = ROOT) -> list[str]:
    """Return one list option (layers, modules, source_modules...) of the contract called ``name``."""
    value = contracts(root)[name][key]
    assert isinstance(value, list)
    return [str(item) for item in value]


def layer_members(layer: str) -> set[str]:
    """Return the modules of one layer string ("a | b", "a : b", "(optional)")."""
    return {part.strip().removeprefix("(").removesuffix(")") for part in layer.replace("|", ":").split(":")}


def tiers(root: Path = ROOT) -> list[set[str]]:
    """Return the tiers of the tier contract, top first."""
    (name,) = [name for name in contracts(root) if name.startswith(TIERS)]
    return [layer_members(layer) for layer in contract_list(name, "layers", root)]


def tier_of(module: str, root: Path = ROOT) -> set[str]:
    """Return the tier that holds ``module``."""
    (tier,) = [t for t in tiers(root) if module in t]
    return tier


def _module_name(path: Path, base: Path) -> str:
    parts = path.relative_to(base.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, base: Path) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (base / relative).with_suffix(".py").is_file() or (base / relative / "__init__.py").is_file()


def imports(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """Yield (importer module, imported module) for every import of a cbec module in cbec's source.

    ``from cbec.x import y`` counts as an import of the module ``cbec.x.y`` when that module exists, else of
    ``cbec.x``. Relative imports are resolved. Migrations are left out (tests/unit/house/test_migrations_*).
    """
    base = root / "src" / "cbec"
    for path in sorted(base.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        importer = _module_name(path, base)
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "cbec":
                        yield importer, alias.name
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    source = ".".join([*anchor, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                if source.split(".")[0] != "cbec":
                    continue
                for alias in node.names:
                    child = f"{source}.{alias.name}"
                    yield importer, child if _is_module(child, base) else source


def top(module: str) -> str:
    """Return the top-level package of a cbec module (``cbec.clearance.models`` -> ``cbec.clearance``)."""
    return ".".join(module.split(".")[:2])


def is_public(module: str) -> bool:
    """Tell whether another package may import ``module`` (the rule of docs/house-rules.md)."""
    owner = top(module)
    rest = module.split(".")[2:]
    if owner in LIBRARIES:
        return not any(part.startswith("_") for part in rest)
    if not rest:
        return True
    return len(rest) == 1 and (rest[0] in STANDARD_SURFACE or rest[0] in SURFACES.get(owner, ()))


def surface_breaches(root: Path = ROOT) -> set[str]:
    """Return "importer -> imported" for every import into another package that misses its public surface."""
    return {
        f"{importer} -> {imported}"
        for importer, imported in imports(root)
        if top(importer) != top(imported) and top(importer) not in SURFACE_EXEMPT_IMPORTERS and not is_public(imported)
    }
