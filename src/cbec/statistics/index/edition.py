"""Published editions of the index (发展指数发布版): canonical inputs, their digests and the signed manifest.

An edition is reproducible bit for bit from what it publishes: the observations as CSV (``zone,period,indicator,
value``, the values written as Python's shortest round-trip float text), the method as JSON (keys sorted) and
the seed. The edition is computed *from those published texts*, read back, so that ``cbec index compute
--observations observations.csv --method method.json --seed S --format json`` on anyone's machine prints the
same digest. The manifest (an XML document) names the label, the method version, the seed, the SHA-256 of each
input and the result's digest; the platform's signer signs it like a receipt (XML-DSig, SM2/SM3 or RSA).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from cbec.statistics.index.method import Observation

NAMESPACE = "urn:cbec:index-edition:1"
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
FIELDS = ("zone", "period", "indicator", "value")
# The files an edition publishes and their media types.
EDITION_FILES = {
    "observations.csv": "text/csv; charset=utf-8",
    "method.json": "application/json",
    "result.json": "application/json",
    "manifest.xml": "application/xml",
}


def observations_csv(observations: Sequence[Observation]) -> str:
    """Return the observations as the CSV an edition publishes, in their given order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in observations:
        writer.writerow((row.zone, row.period, row.indicator, repr(float(row.value))))
    return out.getvalue()


def csv_rows(text: str) -> list[dict[str, Any]]:
    """Return the rows of an observations CSV (a BOM is fine)."""
    return [dict(row) for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))]


def method_json(data: Mapping[str, Any]) -> str:
    """Return the method as the JSON an edition publishes (keys sorted, two-space indent, UTF-8 text)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def sha256(text: str) -> str:
    """Return the SHA-256 of a text's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_digest(observations: str, method: str, seed: int) -> str:
    """Return one digest of an edition's three inputs."""
    return sha256(f"observations {sha256(observations)}\nmethod {sha256(method)}\nseed {seed}\n")


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an edition's signature covers."""

    label: str
    tenant: str
    method_version: str
    seed: int
    numpy_version: str
    observations_sha256: str
    method_sha256: str
    result_digest: str
    published_by: str
    published_at: datetime

    def xml(self) -> bytes:
        """Return the manifest as an XML document (unsigned)."""
        root = etree.Element(f"{{{NAMESPACE}}}IndexEdition", nsmap={None: NAMESPACE})
        for name, value in self.items():
            etree.SubElement(root, f"{{{NAMESPACE}}}{name}").text = value
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))

    def items(self) -> list[tuple[str, str]]:
        """Return the manifest's fields as (element name, text)."""
        return [
            ("Label", self.label),
            ("Tenant", self.tenant),
            ("MethodVersion", self.method_version),
            ("Seed", str(self.seed)),
            ("Numpy", self.numpy_version),
            ("ObservationsSha256", self.observations_sha256),
            ("MethodSha256", self.method_sha256),
            ("ResultDigest", self.result_digest),
            ("PublishedBy", self.published_by),
            ("PublishedAt", self.published_at.isoformat()),
        ]


def manifest_fields(xml: bytes) -> dict[str, str]:
    """Return the fields a (signed) manifest names, by element name; the signature itself is left out."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(xml, parser)
    return {
        etree.QName(child).localname: child.text or ""
        for child in root
        if isinstance(child.tag, str) and etree.QName(child).namespace == NAMESPACE
    }
