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
from cbec.messages.compiled import UNUSUAL, ValueReader, plain_facets, value_reader
from cbec.messages.fieldspec import FieldSpec, ForeignSpec, GroupSpec, MessageSpec, Node

if TYPE_CHECKING:
    from cbec.messages.codec import CodeTables

_PLAIN, _FIELD, _GROUP, _FOREIGN, _WILDCARD = range(5)
_UNBOUNDED = sys.maxsize
_XSI = f"{{{XSI_NS}}}"
_ELEMENTS = etree.XPath("count(//*)")
_ATTRIBUTES = etree.XPath("count(/descendant-or-self::*/@*[namespace-uri() != $xsi])")  # not //@*: 2/3 the time
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
    """Compile one group: its children in XSD order, each with its kind, occurrence bound and reader."""
    mapping = names.get(spec.name)
    children = spec.children
    defaults: dict[str, Any] = dict.fromkeys(mapping.values()) if prefill and mapping is not None else {}
    entries: list[_Entry] = []
    for node in children:
        top = _UNBOUNDED if node.max_occurs is None else node.max_occurs
        if isinstance(node, FieldSpec):
            english = mapping.get(node.name) if mapping is not None else None
            if mapping is not None and english is None:
                return _unmapped  # the element tree path reads it (and fails) as before
            key = english or ""
            if english is not None:
                defaults[english] = None  # absent: only optional fields may be, and they read as None
            allowed = enumerations.get(node.name)
            reader = value_reader(node, allowed, english)
            plain = plain_facets(node, allowed, english)  # checked inline by the walk
            entries.append(
                (_FIELD, top, key, reader, 0, 0, None) if plain is None else (_PLAIN, top, key, reader, *plain)
            )
        elif isinstance(node, GroupSpec):
            entries.append((_GROUP, top, node.name, _group_reader(node, enumerations, names, prefill), 0, 0, None))
        else:
            entries.append((_WILDCARD if node.namespace is None else _FOREIGN, top, "", None, 0, 0, None))
    tags = [_tag(node) for node in children]
    if any(entry[0] == _WILDCARD for entry in entries) or len(set(tags)) != len(tags):
        return _SearchedGroup(children, tuple(entries), defaults).read
    return _sequence_reader(spec, tuple(entries), defaults)


def _unmapped(element: etree._Element, tables: CodeTables | None, walk: _Walk) -> Record | None:
    return None


_Entry = tuple[int, int, str, Any, int, int, Any]


class _SearchedGroup:
    """A group whose children are found as the checker finds them: the first spec from here on that matches.

    For groups holding xs:any (ExtendMessage/Message), where a child may match the wildcard or a named spec.
    """

    def __init__(self, children: tuple[Node, ...], entries: tuple[_Entry, ...], defaults: dict[str, Any]) -> None:
        self.entries = entries
        self.defaults = defaults
        self.tags = tuple(_tag(node) for node in children)
        # mins is never empty, so that mins[pos] is the current spec's minimum even for a group of nothing
        self.mins = tuple(node.min_occurs for node in children) or (0,)
        self.group_names = tuple(entry[2] for entry in entries if entry[0] == _GROUP)
        count = len(self.mins)
        # gap[a][b]: a spec strictly between a and b is required, so jumping from a to b leaves it missing;
        # rest[a]: a spec after a is required, so ending at a leaves it missing
        self.gap = tuple(tuple(any(self.mins[a + 1 : b]) for b in range(count)) for a in range(count))
        self.rest = tuple(any(self.mins[a + 1 :]) for a in range(count))

    def read(self, element: etree._Element, tables: CodeTables | None, walk: _Walk) -> Record | None:
        """Return the group's Record, or None on anything unusual."""
        walk.elements += len(element)
        text = element.text
        if text and not text.isspace():
            return None
        values = self.defaults.copy()
        groups: dict[str, list[Record]] = {name: [] for name in self.group_names}
        entries, tags, mins, rest, last = self.entries, self.tags, self.mins, self.rest, len(self.tags)
        pos = 0
        count = 0
        for child in element:
            tail = child.tail
            if tail and not tail.isspace():
                return None
            tag = child.tag
            if not isinstance(tag, str):
                return None
            index = next((i for i in range(pos, last) if entries[i][0] == _WILDCARD or tags[i] == tag), None)
            if index is None:
                return None
            if index != pos:
                if count < mins[pos] or self.gap[pos][index]:
                    return None
                pos = index
                count = 0
            count += 1
            kind, top, key, reader, _low, _high, _empty = entries[index]
            if count > top:
                return None
            if kind in (_PLAIN, _FIELD):
                value = reader(child.text or "", tables)
                if value is UNUSUAL:
                    return None
                values[key] = value
            elif kind == _GROUP:
                record = reader(child, tables, walk)
                if record is None:
                    return None
                groups[key].append(record)
            else:
                _foreign(child, walk)
        if count < mins[pos] or rest[pos]:
            return None
        return Record(values, groups)


def _sequence_reader(spec: GroupSpec, entries: tuple[_Entry, ...], defaults: dict[str, Any]) -> GroupReader:
    """Generate the reader of a group without wildcards: its XSD sequence as straight-line Python.

    Child specs have distinct tags, so a clean group is each spec's tag repeated within its occurrence bounds,
    in order, and nothing else: every spec takes the run of children with its tag, and a child left over (or a
    run too short or too long) is unusual. Each child costs one tag comparison besides reading it.
    """
    namespace: dict[str, Any] = {
        "UNUSUAL": UNUSUAL,
        "Record": Record,
        "_foreign": _foreign,
        "DEFAULTS": defaults,
    }
    lines = [
        "def read(element, tables, walk):",
        "    walk.elements += len(element)",
        "    text = element.text",
        "    if text and not text.isspace():",
        "        return None",  # text in a group (str.isspace: the checker's strip() leaves nothing)
        "    values = DEFAULTS.copy()",
        "    children = iter(element)",
        "    child = next(children, None)",
        "    tag = None if child is None else child.tag",
    ]
    groups: list[str] = []
    for index, (node, (kind, top, key, reader, low, high, empty)) in enumerate(
        zip(spec.children, entries, strict=True)
    ):
        # tags, keys and bounds are literals in the source; readers and empty values are names in its namespace
        namespace.update({f"R{index}": reader, f"E{index}": empty})
        tag = repr(_tag(node))
        store = f"values[{key!r}] =" if key else "_ ="  # fields without a document attribute are checked only
        repeated = top != 1
        if repeated:
            lines += ["    n = 0", f"    while tag == {tag}:", "        n += 1"]
            if top != _UNBOUNDED:
                lines += [f"        if n > {top}:", "            return None"]
        else:
            lines.append(f"    if tag == {tag}:")
        lines += ["        tail = child.tail", "        if tail and not tail.isspace():", "            return None"]
        if kind == _PLAIN:
            lines += ["        text = child.text", "        if not text:"]
            lines += ["            return None"] if empty is UNUSUAL else [f"            {store} E{index}"]
            lines += [f"        elif {low} <= len(text) <= {high}:", f"            {store} text"]
            lines += ["        else:", "            return None"]
        elif kind == _FIELD:
            lines += [f"        value = R{index}(child.text or '', tables)", "        if value is UNUSUAL:"]
            lines += ["            return None", f"        {store} value"]
        elif kind == _GROUP:
            groups.append(f"{key!r}: g{index}")
            lines.insert(6, f"    g{index} = []")
            lines += [f"        record = R{index}(child, tables, walk)", "        if record is None:"]
            lines += ["            return None", f"        g{index}.append(record)"]
        else:
            lines.append("        _foreign(child, walk)")
        lines += ["        child = next(children, None)", "        tag = None if child is None else child.tag"]
        if repeated and node.min_occurs:
            lines += [f"    if n < {node.min_occurs}:", "        return None"]
        elif not repeated and node.min_occurs:
            lines += ["    else:", "        return None"]
    lines += ["    if child is not None:", "        return None", f"    return Record(values, {{{', '.join(groups)}}})"]
    exec(compile("\n".join(lines), f"<reader of {spec.name}>", "exec"), namespace)  # our own source, from the spec
    read: GroupReader = namespace["read"]
    return read


def _foreign(child: etree._Element, walk: _Walk) -> None:
    """Account for the elements and attributes of content the checker does not look into."""
    walk.elements += int(_FOREIGN_ELEMENTS(child))
    walk.attributes += int(_FOREIGN_ATTRIBUTES(child, xsi=XSI_NS))


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
