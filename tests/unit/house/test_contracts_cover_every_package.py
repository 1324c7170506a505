"""The import-linter contracts cover every package of cbec: a new package cannot escape the tiers.

A probe package `cbec.credit` importing fastapi, cbec.api and clearance's models passed "2 kept, 0 broken"
because the layers contract listed packages by name and a package missing from it was checked by nothing.
Now every package must sit in a tier of the tier contract, below-transport packages in the framework contract,
kernel and shared-domain packages in the inner-order contract, and every document domain in the independence
contract (tests/unit/house/test_probe_package.py shows a probe failing them).
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.house.house import (
    DOCUMENT_DOMAINS,
    FRAMEWORK_FREE,
    INNER_ORDER,
    LIBRARIES,
    ROOT,
    SURFACES,
    TRANSPORTS,
    contract_list,
    layer_members,
    packages,
    tier_of,
    tiers,
)


def missing_from_tiers(root: Path = ROOT) -> list[str]:
    """Return the packages that sit in no tier."""
    return sorted(packages(root) - set().union(*tiers(root)))


def missing_from_framework_contract(root: Path = ROOT) -> list[str]:
    """Return the packages below the transports that the framework contract does not cover."""
    covered = set(contract_list(FRAMEWORK_FREE, "source_modules", root))
    return sorted(packages(root) - TRANSPORTS - covered)


def missing_from_inner_order(root: Path = ROOT) -> list[str]:
    """Return the kernel, codec and shared-domain packages the inner-order contract leaves out."""
    lower = set().union(*tiers(root)[-3:])  # shared domains, codec, kernel
    ordered = set().union(*(layer_members(layer) for layer in contract_list(INNER_ORDER, "layers", root)))
    return sorted((lower & packages(root)) - ordered)


def test_the_tiers_are_the_eight_of_the_house_rules() -> None:
    assert [sorted(t)[0] for t in tiers()] == [
        "cbec.api",
        "cbec.bootstrap",
        "cbec.credit",
        "cbec.clearance",
        "cbec.intake",
        "cbec.accounts",
        "cbec.messages",
        "cbec.audit",
    ]


def test_every_package_is_in_a_tier() -> None:
    missing = missing_from_tiers()
    assert missing == [], f"place these packages in a tier of the tier contract in pyproject.toml: {missing}"


def test_every_package_below_the_transports_is_forbidden_the_frameworks() -> None:
    missing = missing_from_framework_contract()
    assert missing == [], f"add these packages to the '{FRAMEWORK_FREE}' contract: {missing}"


def test_every_kernel_and_shared_package_is_ordered() -> None:
    missing = missing_from_inner_order()
    assert missing == [], f"add these packages to the '{INNER_ORDER}' contract: {missing}"


def test_the_independence_contract_lists_the_whole_document_tier() -> None:
    modules = set(contract_list(DOCUMENT_DOMAINS, "modules"))
    assert modules == tier_of("cbec.clearance") == {"cbec.clearance", "cbec.exports"}


def test_every_package_states_its_public_surface() -> None:
    assert sorted(packages() - LIBRARIES - set(SURFACES)) == []
