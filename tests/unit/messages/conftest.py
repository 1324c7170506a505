"""Fixtures of the codec tests: the official XSDs and samples (skipped when the reference folder is absent)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cbec.messages.documents import Edition
from tests.conftest import shared_path

VENDORED_CEB = Path(__file__).resolve().parents[2] / "data" / "ceb"

IMPORT_XSD = {
    Edition.E2018: "进口业务节点报文.xsd",
    Edition.E202205: "海关跨境进口业务节点报文定义202205.xsd",
}
TERMINAL_XSD = {Edition.E2018: "终端节点报文.xsd", Edition.E202205: "海关跨境终端节点报文定义202205.xsd"}
DSIG = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE_REQUIRED = ("CEB621Message", "CEB623Message", "CEB625Message", "CEB711Message")


def ceb_path(*parts: str) -> Path:
    """Return a path under the official CEB material: $CBEC_SHARED/ceb/... when set, else the copy vendored
    under tests/data/ceb/ (sources in tests/data/ceb/SOURCES.md), else ../shared/ceb/... (skip if absent)."""
    root = os.environ.get("CBEC_SHARED")
    if root:
        path = Path(root).joinpath("ceb", *parts)
        if not path.exists():
            pytest.skip(f"reference material not found: {path}")
        return path
    vendored = VENDORED_CEB.joinpath(*parts)
    if vendored.exists():
        return vendored
    return shared_path("ceb", *parts)


def sample_files(edition: Edition) -> list[Path]:
    """Return the official import samples of an edition."""
    return sorted(ceb_path("samples", edition.value, "import").glob("*.xml"))


@pytest.fixture(scope="session")
def import_schema() -> Callable[[Edition], Any]:
    """Return a loader of the official import XSD of an edition (one xmlschema object per edition)."""
    import xmlschema

    cache: dict[Edition, Any] = {}

    def load(edition: Edition) -> Any:
        if edition not in cache:
            cache[edition] = xmlschema.XMLSchema(str(ceb_path("xsd", edition.value, IMPORT_XSD[edition])))
        return cache[edition]

    return load


@pytest.fixture(scope="session")
def terminal_schema() -> Any:
    """Return the official terminal-node (DxpMsg) XSD of 202205."""
    import xmlschema

    return xmlschema.XMLSchema(str(ceb_path("xsd", "202205", TERMINAL_XSD[Edition.E202205])))


@pytest.fixture(scope="session")
def sample_signature() -> etree._Element:
    """Return the ds:Signature element of the official 202205 CEB621 sample (a structural test fixture only)."""
    root = etree.fromstring(ceb_path("samples", "202205", "import", "CEB621Message.xml").read_bytes())
    signature = root.find(f"{{{DSIG}}}Signature")
    assert signature is not None
    return signature


def with_test_signature(xml: bytes, signature: etree._Element) -> bytes:
    """Append a copy of a structurally valid ds:Signature as the root's last child.

    Test fixture only: the XSD makes ds:Signature mandatory for CEB621/623/625/711, and the codec
    deliberately renders without one (the signature module signs). The copied signature is not valid
    cryptographically; it only lets the XSD check the rest of the message.
    """
    root = etree.fromstring(xml)
    if etree.QName(root).localname in SIGNATURE_REQUIRED and root.find(f"{{{DSIG}}}Signature") is None:
        root.append(copy.deepcopy(signature))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def xsd_errors(schema: Any, xml: bytes) -> list[str]:
    """Return the XSD validation errors of a document (empty when valid)."""
    return [str(error.reason) for error in schema.iter_errors(etree.fromstring(xml))]
