"""CEB field specification (报文字段规范): groups and fields of every message, per edition.

Loaded once from the JSON package data that ``tools/gen_fieldspec.py`` generates from the official XSDs;
the product never reads an XSD at run time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from cbec.messages.documents import Edition

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

Kind = Literal["string", "decimal", "int"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One leaf element (or attribute) with its XSD facets; lengths count characters."""

    name: str
    kind: Kind
    description: str
    min_occurs: int = 1
    max_occurs: int | None = 1
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    fixed: str | None = None
    default: str | None = None
    white_space: str | None = None

    @property
    def required(self) -> bool:
        """Tell whether the element must be present."""
        return self.min_occurs > 0

    @property
    def allows_empty(self) -> bool:
        """Tell whether the XSD facets accept an empty value."""
        if self.kind != "string":
            return False
        if self.length is not None:
            return self.length == 0
        return not self.min_length


@dataclass(frozen=True, slots=True)
class ForeignSpec:
    """An element the codec does not look into: ds:Signature or an xs:any wildcard."""

    name: str
    namespace: str | None
    description: str
    min_occurs: int = 1
    max_occurs: int | None = 1


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """An element holding other elements, in XSD order."""

    name: str
    description: str
    children: tuple[Node, ...]
    min_occurs: int = 1
    max_occurs: int | None = 1

    def child(self, name: str) -> Node | None:
        """Return the child spec with this element name, if any."""
        for node in self.children:
            if node.name == name:
                return node
        return None

    def fields(self) -> tuple[FieldSpec, ...]:
        """Return the leaf children in order."""
        return tuple(node for node in self.children if isinstance(node, FieldSpec))

    def groups(self) -> tuple[GroupSpec, ...]:
        """Return the group children in order."""
        return tuple(node for node in self.children if isinstance(node, GroupSpec))

    def field(self, name: str) -> FieldSpec:
        """Return the leaf child with this name; raise KeyError when absent."""
        node = self.child(name)
        if not isinstance(node, FieldSpec):
            raise KeyError(f"{self.name} has no field {name}")
        return node

    def group(self, name: str) -> GroupSpec:
        """Return the group child with this name; raise KeyError when absent."""
        node = self.child(name)
        if not isinstance(node, GroupSpec):
            raise KeyError(f"{self.name} has no group {name}")
        return node


Node = FieldSpec | GroupSpec | ForeignSpec


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """A message: its root attributes (guid, version) and the root's content."""

    name: str
    direction: str
    attributes: tuple[FieldSpec, ...]
    root: GroupSpec

    @property
    def description(self) -> str:
        """Return the official Chinese description of the message."""
        return self.root.description

    def walk(self) -> Iterator[tuple[str, GroupSpec]]:
        """Yield (path, group) for every group below the root, depth first in XSD order."""
        yield from _walk(self.root, "")


def _walk(group: GroupSpec, prefix: str) -> Iterator[tuple[str, GroupSpec]]:
    for node in group.groups():
        path = f"{prefix}{node.name}"
        yield path, node
        yield from _walk(node, path + "/")


@dataclass(frozen=True, slots=True)
class FieldCatalogue:
    """Every message of one edition, import and export, with the XSDs it came from."""

    edition: Edition
    messages: Mapping[str, MessageSpec]
    sources: tuple[Mapping[str, str], ...]

    def message(self, name: str) -> MessageSpec:
        """Return one message's spec; raise KeyError for an unknown name."""
        return self.messages[name]

    def names(self, direction: str | None = None) -> tuple[str, ...]:
        """Return the message names, optionally only those of one direction (import/export)."""
        return tuple(n for n, m in self.messages.items() if direction is None or m.direction == direction)


def _occurs(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {"min_occurs": int(raw["min_occurs"]), "max_occurs": raw["max_occurs"]}


def _node(raw: Mapping[str, Any]) -> Node:
    kind = raw["node"]
    if kind == "field":
        return FieldSpec(
            name=raw["name"],
            kind=raw["kind"],
            description=raw.get("description", ""),
            length=raw.get("length"),
            min_length=raw.get("min_length"),
            max_length=raw.get("max_length"),
            total_digits=raw.get("total_digits"),
            fraction_digits=raw.get("fraction_digits"),
            fixed=raw.get("fixed"),
            default=raw.get("default"),
            white_space=raw.get("white_space"),
            **_occurs(raw),
        )
    if kind == "group":
        return GroupSpec(
            name=raw["name"],
            description=raw.get("description", ""),
            children=tuple(_node(child) for child in raw["children"]),
            **_occurs(raw),
        )
    if kind in ("foreign", "any"):
        return ForeignSpec(
            name=raw["name"], namespace=raw.get("namespace"), description=raw.get("description", ""), **_occurs(raw)
        )
    raise ValueError(f"unknown node kind {kind!r} in field specification")


def _message(name: str, raw: Mapping[str, Any]) -> MessageSpec:
    attributes = []
    for attr in raw["attributes"]:
        node = _node(attr)
        assert isinstance(node, FieldSpec)
        attributes.append(node)
    root = GroupSpec(
        name=name, description=raw["description"], children=tuple(_node(child) for child in raw["children"])
    )
    return MessageSpec(name=name, direction=raw["direction"], attributes=tuple(attributes), root=root)


@cache
def field_catalogue(edition: Edition) -> FieldCatalogue:
    """Return the field specification of an edition (loaded once from package data)."""
    text = resources.files("cbec.messages").joinpath("data", f"fields_{edition.value}.json").read_text("utf-8")
    raw = json.loads(text)
    messages = {name: _message(name, body) for name, body in raw["messages"].items()}
    return FieldCatalogue(edition=edition, messages=messages, sources=tuple(raw["sources"]))


def message_spec(edition: Edition, message_type: str) -> MessageSpec:
    """Return the spec of one message type in an edition; raise KeyError when unknown."""
    return field_catalogue(edition).message(str(message_type))
