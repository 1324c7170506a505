"""Compiled reading of clean messages (报文快速读取): check a whole tree and collect its values in one pass.

``message_reader`` turns a message spec (with its code lists and field names) once into nested group readers:
each walks its element's children against the XSD sequence (tags, order, occurrences) and reads every field
with its compiled value check (``compiled.value_reader``). It answers only "clean" — the tree as a
``Record`` of converted values — or ``None`` on anything unusual, without saying what: the caller then runs the
interpretive ``Checker``, so every problem is reported exactly as before. It is sound (a Record only where the
Checker finds no problem) and, on ordinary traffic, complete (tests compare both on every sample, every
builder and on mutated messages).

What the walk does not look at per element is counted once per message in C: no attributes outside the root
and foreign content (ds:Signature, xs:any), no elements inside a field (every element is accounted for).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lxml import etree

from cbec.messages.checks import CEB_NS, XSI_NS
from cbec.messages.compiled import UNUSUAL, ValueReader, value_reader
from cbec.messages.fieldspec import FieldSpec, ForeignSpec, GroupSpec, MessageSpec

if TYPE_CHECKING:
    from cbec.messages.codec import CodeTables

_FIELD, _GROUP, _FOREIGN, _WILDCARD = range(4)
_UNBOUNDED = sys.maxsize
_XSI = f"{{{XSI_NS}}}"
_ELEMENTS = etree.XPath("count(//*)")
_ATTRIBUTES = etree.XPath("count(//@*[namespace-uri() != $xsi])")
_FOREIGN_ATTRIBUTES = etree.XPath("count(descendant-or-self::*/@*[namespace-uri() != $xsi])")
_FOREIGN_ELEMENTS = etree.XPath("count(descendant::*)")


class Record:
    """A clean group element: its fields' values by document attribute, its subgroups' records by name."""

    __slots__ = ("groups", "values")

    def __init__(self, values: dict[str, Any], groups: dict[str, list[Record]]) -> None:
        self.values = values
        self.groups = groups


class _Walk:
    """What one message's walk accounts for: elements and attributes met, to compare with the whole tree."""

    __slots__ = ("attributes", "elements")

    def __init__(self) -> None:
        self.elements = 1  # the root
        self.attributes = 0


GroupReader = Callable[[etree._Element, "CodeTables | None", _Walk], Record | None]


def _tag(node: FieldSpec | GroupSpec | ForeignSpec) -> str:
    namespace = node.namespace if isinstance(node, ForeignSpec) else CEB_NS
    return f"{{{namespace}}}{node.name}"


def _group_reader(
    spec: GroupSpec,
    enumerations: Mapping[str, tuple[str, ...]],
    names: Mapping[str, Mapping[str, str]],
    prefill: bool,
) -> GroupReader:
    """Compile one group: its children in XSD order, each with its reader."""
    mapping = names.get(spec.name)
    children = spec.children
    tags = tuple(_tag(node) for node in children)
    index_of = {tag: index for index, tag in enumerate(tags)}
    mins = tuple(node.min_occurs for node in children)
    maxs = tuple(_UNBOUNDED if node.max_occurs is None else node.max_occurs for node in children)
    kinds: list[int] = []
    keys: list[str] = []
    readers: list[Any] = []
    defaults: dict[str, Any] = dict.fromkeys(mapping.values()) if prefill and mapping is not None else {}
    unmapped = False
    for node in children:
        if isinstance(node, FieldSpec):
            english = mapping.get(node.name) if mapping is not None else None
            unmapped = unmapped or (mapping is not None and english is None)
            kinds.append(_FIELD)
            keys.append(english or "")
            readers.append(value_reader(node, enumerations.get(node.name), english))
            if english is not None:
                defaults[english] = None  # absent: only optional fields may be, and they read as None
        elif isinstance(node, GroupSpec):
            kinds.append(_GROUP)
            keys.append(node.name)
            readers.append(_group_reader(node, enumerations, names, prefill))
        else:
            kinds.append(_WILDCARD if node.namespace is None else _FOREIGN)
            keys.append("")
            readers.append(None)
    wildcard = _WILDCARD in kinds
    group_names = tuple(keys[i] for i, kind in enumerate(kinds) if kind == _GROUP)
    count_of = len(children)

    def read(element: etree._Element, tables: CodeTables | None, walk: _Walk) -> Record | None:
        walk.elements += len(element)
        text = element.text
        if text and not text.isspace():
            return None  # text in a group (str.isspace: the checker's strip() leaves nothing)
        values = dict(defaults)
        groups: dict[str, list[Record]] = {name: [] for name in group_names}
        pos = 0
        count = 0
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                return None
            tag = child.tag
            if wildcard:  # the checker takes the first child spec from here on that matches, a wildcard or not
                if not isinstance(tag, str):
                    return None
                index = next((i for i in range(pos, count_of) if kinds[i] == _WILDCARD or tags[i] == tag), None)
            else:
                index = index_of.get(tag)
            if index is None:
                return None
            if index != pos:
                if index < pos or count < mins[pos]:
                    return None
                for skipped in range(pos + 1, index):
                    if mins[skipped]:
                        return None
                pos = index
                count = 0
            count += 1
            if count > maxs[index]:
                return None
            kind = kinds[index]
            if kind == _FIELD:
                value = readers[index](child.text or "", tables)
                if value is UNUSUAL:
                    return None
                key = keys[index]
                if key:
                    values[key] = value
            elif kind == _GROUP:
                record = readers[index](child, tables, walk)
                if record is None:
                    return None
                groups[keys[index]].append(record)
            else:
                walk.elements += int(_FOREIGN_ELEMENTS(child))
                walk.attributes += int(_FOREIGN_ATTRIBUTES(child, xsi=XSI_NS))
        if pos < count_of and count < mins[pos]:
            return None
        for rest in range(pos + 1, count_of):
            if mins[rest]:
                return None
        return Record(values, groups)

    if unmapped:
        return lambda element, tables, walk: None  # the element tree path reads it (and fails) as before
    return read


class MessageReader:
    """A compiled message spec: ``read`` returns the root's Record for a clean tree, else None."""

    def __init__(
        self,
        spec: MessageSpec,
        enumerations: Mapping[str, tuple[str, ...]],
        names: Mapping[str, Mapping[str, str]],
        prefill: bool,
    ) -> None:
        self.spec = spec
        self._root = _group_reader(spec.root, enumerations, names, prefill)
        self._attributes: dict[str, ValueReader] = {
            attr.name: value_reader(attr, enumerations.get(attr.name)) for attr in spec.attributes
        }
        self._required = tuple(attr.name for attr in spec.attributes if attr.required)

    def read(self, root: etree._Element, tables: CodeTables | None) -> Record | None:
        """Return the Record of a clean message tree; None where the Checker must look."""
        walk = _Walk()
        for name, value in root.attrib.items():
            if name.startswith("{"):
                if name.startswith(_XSI):
                    continue
                return None
            reader = self._attributes.get(name)
            if reader is None or reader(value, tables) is UNUSUAL:
                return None
            walk.attributes += 1
        for name in self._required:
            if root.get(name) is None:
                return None
        record = self._root(root, tables, walk)
        if record is None:
            return None
        if int(_ELEMENTS(root)) != walk.elements or int(_ATTRIBUTES(root, xsi=XSI_NS)) != walk.attributes:
            return None  # an element inside a field, or an attribute the checker would report
        return record


_READERS: dict[tuple[int, tuple[tuple[str, tuple[str, ...]], ...], int, bool], MessageReader] = {}


def message_reader(
    spec: MessageSpec,
    enumerations: Mapping[str, tuple[str, ...]],
    names: Mapping[str, Mapping[str, str]],
    *,
    prefill: bool = False,
) -> MessageReader:
    """Return the compiled reader of a message spec (made once per spec, code lists, names and prefill).

    ``names`` maps each group's CEB fields to document attributes; ``prefill`` starts every group's values with
    all its mapped attributes as None (the export codec's reading, where an edition lacks some elements).
    """
    key = (id(spec), tuple(sorted(enumerations.items())), id(names), prefill)
    reader = _READERS.get(key)
    if reader is None or reader.spec is not spec:
        reader = _READERS[key] = MessageReader(spec, enumerations, names, prefill)
    return reader
