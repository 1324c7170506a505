"""Generate the CEB field specification (报文字段规范) package data from the official XSDs.

Dev-time only: reads the import and export business XSDs of both editions from the copies vendored under
tests/data/ceb/ (or another folder) and writes ``src/cbec/messages/data/fields_<edition>.json`` plus
``PROVENANCE.md``. The installed product reads only the generated JSON.

    .venv/bin/python tools/gen_fieldspec.py [--shared PATH] [--check]

``--check`` regenerates in memory and exits 1 when the committed files differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
CEB = "http://www.chinaport.gov.cn/ceb"
DS = "http://www.w3.org/2000/09/xmldsig#"
FORMAT = 1

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "cbec" / "messages" / "data"

# (edition, direction, file name under <shared>/ceb/xsd/<edition>/)
SOURCES: list[tuple[str, str, str]] = [
    ("2018", "import", "进口业务节点报文.xsd"),
    ("2018", "export", "出口业务节点报文.xsd"),
    ("202205", "import", "海关跨境进口业务节点报文定义202205.xsd"),
    ("202205", "export", "海关跨境出口业务节点报文定义202205.xsd"),
]
COMMON = ("BaseTransfer", "BaseSubscribe", "ExtendMessage")
KINDS = {"xs:string": "string", "xs:decimal": "decimal", "xs:int": "int", "xs:integer": "int"}
FACETS = {
    "length": "length",
    "minLength": "min_length",
    "maxLength": "max_length",
    "totalDigits": "total_digits",
    "fractionDigits": "fraction_digits",
    "whiteSpace": "white_space",
}


class SchemaShapeError(Exception):
    """The XSD uses a construct this generator does not understand."""


def _q(tag: str) -> str:
    return f"{{{XS}}}{tag}"


def _doc(node: etree._Element) -> str:
    texts = node.xpath("xs:annotation/xs:documentation/text()", namespaces={"xs": XS})
    return " ".join(str(t).strip() for t in texts).strip()


def _occurs(node: etree._Element) -> tuple[int, int | None]:
    low = int(node.get("minOccurs", "1"))
    high_text = node.get("maxOccurs", "1")
    return low, None if high_text == "unbounded" else int(high_text)


class Generator:
    """Walks one business XSD and turns every CEBnnnMessage into a plain JSON tree."""

    def __init__(self, path: Path) -> None:
        self.tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        self.root = self.tree.getroot()
        self.elements = {e.get("name"): e for e in self.root.findall(_q("element"))}
        self.types = {t.get("name"): t for t in self.root.findall(_q("complexType"))}

    def messages(self, direction: str) -> dict[str, Any]:
        """Return every message of the XSD in document order."""
        out: dict[str, Any] = {}
        for name, decl in self.elements.items():
            if not (name.startswith("CEB") and name.endswith("Message")):
                continue
            ctype = decl.find(_q("complexType"))
            if ctype is None:
                raise SchemaShapeError(f"{name}: no complexType")
            out[name] = {
                "direction": direction,
                "description": _doc(decl),
                "attributes": [self._attribute(a) for a in ctype.findall(_q("attribute"))],
                "children": self._sequence(ctype, name),
            }
        return out

    def common(self) -> dict[str, Any]:
        """Return the shared trailer groups (BaseTransfer, BaseSubscribe, ExtendMessage)."""
        return {name: self._node(self.elements[name], name, occurs=(1, 1)) for name in COMMON}

    def _attribute(self, attr: etree._Element) -> dict[str, Any]:
        node: dict[str, Any] = {"node": "field", "name": attr.get("name")}
        node["min_occurs"] = 1 if attr.get("use") == "required" else 0
        node["max_occurs"] = 1
        node.update(self._simple(attr, attr.get("name", "?")))
        node["description"] = _doc(attr)
        return node

    def _sequence(self, ctype: etree._Element, where: str) -> list[dict[str, Any]]:
        if ctype.find(_q("simpleContent")) is not None or ctype.find(_q("choice")) is not None:
            raise SchemaShapeError(f"{where}: unsupported complexType content")
        seq = ctype.find(_q("sequence"))
        if seq is None:
            return []
        children: list[dict[str, Any]] = []
        for child in seq:
            if not isinstance(child.tag, str):
                continue
            if child.tag == _q("element"):
                children.append(self._node(child, where, occurs=_occurs(child)))
            elif child.tag == _q("any"):
                low, high = _occurs(child)
                children.append({"node": "any", "name": "*", "min_occurs": low, "max_occurs": high, "description": ""})
            elif child.tag == _q("annotation"):
                continue
            else:
                raise SchemaShapeError(f"{where}: unsupported particle {child.tag}")
        return children

    def _node(self, decl: etree._Element, where: str, *, occurs: tuple[int, int | None]) -> dict[str, Any]:
        ref = decl.get("ref")
        low, high = occurs
        if ref is not None:
            prefix, _, local = ref.partition(":")
            if decl.nsmap.get(prefix) == DS or prefix == "ds":
                return {
                    "node": "foreign",
                    "name": local,
                    "namespace": DS,
                    "min_occurs": low,
                    "max_occurs": high,
                    "description": "XML-DSig signature",
                }
            target = self.elements.get(local)
            if target is None:
                raise SchemaShapeError(f"{where}: unresolved ref {ref}")
            node = self._node(target, f"{where}/{local}", occurs=occurs)
            node["description"] = _doc(decl) or node["description"]
            return node
        name = decl.get("name", "?")
        path = f"{where}/{name}"
        ctype = decl.find(_q("complexType"))
        type_name = decl.get("type")
        if ctype is None and type_name and type_name.startswith("ceb:"):
            ctype = self.types.get(type_name.split(":", 1)[1])
            if ctype is None:
                raise SchemaShapeError(f"{path}: unresolved type {type_name}")
        if ctype is not None:
            return {
                "node": "group",
                "name": name,
                "min_occurs": low,
                "max_occurs": high,
                "description": _doc(decl),
                "children": self._sequence(ctype, path),
            }
        node = {"node": "field", "name": name, "min_occurs": low, "max_occurs": high}
        node.update(self._simple(decl, path))
        node["description"] = _doc(decl)
        return node

    def _simple(self, decl: etree._Element, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        type_name = decl.get("type")
        simple = decl.find(_q("simpleType"))
        if simple is not None:
            restriction = simple.find(_q("restriction"))
            if restriction is None:
                raise SchemaShapeError(f"{where}: simpleType without restriction")
            type_name = restriction.get("base")
            for facet in restriction:
                if not isinstance(facet.tag, str) or facet.tag == _q("annotation"):
                    continue
                local = etree.QName(facet).localname
                if local not in FACETS:
                    raise SchemaShapeError(f"{where}: unsupported facet {local}")
                value = facet.get("value", "")
                out[FACETS[local]] = value if local == "whiteSpace" else int(value)
        if type_name not in KINDS:
            raise SchemaShapeError(f"{where}: unsupported type {type_name}")
        result: dict[str, Any] = {"kind": KINDS[type_name]}
        result.update(dict(sorted(out.items())))
        for attr in ("fixed", "default"):
            if decl.get(attr) is not None:
                result[attr] = decl.get(attr)
        return result


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(shared: Path) -> dict[str, str]:
    """Return {file name: content} of every generated file."""
    outputs: dict[str, str] = {}
    rows: list[tuple[str, str, str, str]] = []
    for edition in ("2018", "202205"):
        messages: dict[str, Any] = {}
        common: dict[str, Any] = {}
        sources = []
        for ed, direction, file_name in SOURCES:
            if ed != edition:
                continue
            path = shared / "ceb" / "xsd" / edition / file_name
            gen = Generator(path)
            messages.update(gen.messages(direction))
            common[direction] = gen.common()
            digest = _sha256(path)
            sources.append({"edition": edition, "direction": direction, "file": file_name, "sha256": digest})
            rows.append((edition, direction, file_name, digest))
        document = {
            "format": FORMAT,
            "edition": edition,
            "sources": sources,
            "common": common,
            "messages": messages,
        }
        outputs[f"fields_{edition}.json"] = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    outputs["PROVENANCE.md"] = _provenance(rows)
    return outputs


def _provenance(rows: list[tuple[str, str, str, str]]) -> str:
    lines = [
        "# Provenance of the CEB field specifications",
        "",
        "`fields_2018.json` and `fields_202205.json` are generated by `tools/gen_fieldspec.py` from the official",
        "business-node XSDs of the China Customs cross-border e-commerce unified system",
        "(海关跨境电商统一版系统企业对接报文规范, 2018 试行 edition and 202205 edition), as published in the",
        "public repository `Weasley-J/chinaport-data-signature` (folder `doc/`, snapshot commit",
        "`2a13a9eb81a866dd46b7e287ed71cce2d836e620`) and kept under `shared/ceb/xsd/` of the steering repository.",
        "",
        "Regenerate with `.venv/bin/python tools/gen_fieldspec.py` (it reads the copies vendored under",
        "`tests/data/ceb/`; `--shared DIR` or `CBEC_SHARED` reads another folder holding `ceb/xsd/`); `--check`",
        "verifies the committed files are current. Do not edit the JSON by hand.",
        "",
        "| edition | direction | XSD file | SHA-256 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {ed} | {direction} | `{name}` | `{digest}` |" for ed, direction, name, digest in rows]
    lines += [
        "",
        "Each message lists its XML attributes and its children in document order. A child is a `group`",
        "(nested elements), a `field` (kind string/decimal/int with the XSD facets: length, min_length, max_length",
        "in characters, total_digits, fraction_digits, white_space, fixed, default), an `any` wildcard or a",
        "`foreign` element (ds:Signature). `max_occurs` null means unbounded. Descriptions are the official",
        "Chinese annotations, copied verbatim (several contain copy-paste errors; see docs before using them as",
        "labels). `common` repeats, per direction, the trailer groups of every declaration message (they differ in",
        "one facet: export BaseTransfer/copCode has no minLength).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) the generated field specifications."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    # The XSDs vendored for the tests (tests/data/ceb, sources in its SOURCES.md) unless told otherwise, so that
    # --check runs on a plain clone; --shared DIR (or CBEC_SHARED) reads another folder holding ceb/xsd/.
    default_shared = os.environ.get("CBEC_SHARED") or str(REPO / "tests" / "data")
    parser.add_argument("--shared", default=default_shared, help="folder holding ceb/xsd/ (default: tests/data)")
    parser.add_argument("--check", action="store_true", help="fail if the committed files are not current")
    args = parser.parse_args(argv)
    outputs = build(Path(args.shared))
    stale = [
        name for name, text in outputs.items() if not (OUT / name).exists() or (OUT / name).read_text("utf-8") != text
    ]
    if args.check:
        for name in stale:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(sorted(outputs))} to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
