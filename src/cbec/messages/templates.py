"""Answer messages rendered from string templates (模板渲染), the same bytes as the element tree gives.

Receipt messages (a root with up to 100 flat return elements) and tax bills (CEB816: Tax elements holding one
TaxHeadRd and its TaxListRd lines) are answers to every message. Building an lxml tree for them, checking the
tree against the field specification and serialising it cost more than the rest of an answer, so a template per
(edition, message type) writes the text directly: each value is formatted and checked against its facets exactly
as the tree check would, and escaped as lxml escapes text. Anything a template does not cover (a missing
required field, a value XML cannot carry, an empty element, more elements than the spec allows, a spec of
another shape) returns ``None`` and the caller builds the tree, which refuses with every problem as before;
tests render both ways and compare the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cbec.messages.checks import CEB_NS, ENUMERATIONS
from cbec.messages.codec import DEFAULT_VERSION, XML_DECLARATION, format_value
from cbec.messages.compiled import UNUSUAL, ValueReader, value_reader
from cbec.messages.documents import Edition
from cbec.messages.fieldspec import FieldSpec, GroupSpec, MessageSpec

_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def escape_text(text: str) -> str:
    """Escape element text as lxml serialises it."""
    return text.translate(_TEXT_ESCAPES)


def escape_attribute(text: str) -> str:
    """Escape an attribute value as lxml serialises it (double quotes)."""
    return text.translate(_ATTRIBUTE_ESCAPES)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One field of a group: its spec, the attribute path it is read from, its tags (indented), its check."""

    spec: FieldSpec
    path: tuple[str, ...]
    open: str
    close: str
    check: ValueReader


@dataclass(frozen=True, slots=True)
class _Group:
    """A group of plain fields at some depth: its tags and its fields in XSD order."""

    open: str
    close: str
    max_occurs: int | None
    slots: tuple[_Slot, ...]


def _group(spec: GroupSpec, mapping: Mapping[str, str], depth: int) -> _Group | None:
    """Return the template of a group of plain fields, or None when it holds anything else."""
    if len(spec.fields()) != len(spec.children):
        return None
    slots = []
    indent = "\t" * (depth + 1)
    for field in spec.fields():
        if field.max_occurs != 1 or field.name not in mapping:
            return None
        path = tuple(mapping[field.name].split("."))
        slots.append(_Slot(field, path, f"{indent}<ceb:{field.name}>", f"</ceb:{field.name}>\n", _check(field)))
    indent = "\t" * depth
    return _Group(f"{indent}<ceb:{spec.name}>\n", f"{indent}</ceb:{spec.name}>\n", spec.max_occurs, tuple(slots))


def _value(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _check(spec: FieldSpec) -> ValueReader:
    """Return the compiled check of a field as the tree's Checker() applies it (no code tables)."""
    return value_reader(spec, ENUMERATIONS.get(spec.name))


def _emit(group: _Group, obj: Any, parts: list[str]) -> bool:
    """Append a group's text for one object; False where only the element tree may decide."""
    parts.append(group.open)
    for slot in group.slots:
        value = _value(obj, slot.path)
        if value is None or (value == "" and not slot.spec.required):
            if slot.spec.required:
                return False
            continue
        text = format_value(value, slot.spec)
        if text == "" or _NOT_XML.search(text):
            return False
        if slot.check(text, None) is UNUSUAL:
            return False  # the tree refuses it, with the checker's problem
        parts.append(slot.open + escape_text(text) + slot.close)
    parts.append(group.close)
    return True


def _fits(group: _Group, count: int) -> bool:
    return group.max_occurs is None or count <= group.max_occurs


def _message(spec: MessageSpec, message_type: str, guid: str, body: Callable[[list[str]], bool]) -> bytes | None:
    """Wrap a body in the root element with its attributes, all checked; None where the tree must decide."""
    if {a.name for a in spec.attributes} != {"guid", "version"}:
        return None
    for attribute in spec.attributes:
        value = guid if attribute.name == "guid" else DEFAULT_VERSION
        if _attribute_check(attribute)(value, None) is UNUSUAL:
            return None
    parts = [f'<ceb:{message_type} xmlns:ceb="{CEB_NS}" guid="{escape_attribute(guid)}" version="{DEFAULT_VERSION}">\n']
    if not body(parts):
        return None
    parts.append(f"</ceb:{message_type}>\n")
    return XML_DECLARATION + "".join(parts).encode("utf-8")


_ATTRIBUTE_CHECKS: dict[FieldSpec, ValueReader] = {}


def _attribute_check(spec: FieldSpec) -> ValueReader:
    check = _ATTRIBUTE_CHECKS.get(spec)
    if check is None:
        check = _ATTRIBUTE_CHECKS[spec] = _check(spec)
    return check


_FLAT: dict[tuple[Edition, str], _Group | None] = {}


def render_flat(
    spec: MessageSpec,
    edition: Edition,
    message_type: str,
    group: str,
    names: Mapping[str, str],
    items: Sequence[Any],
    guid: str,
) -> bytes | None:
    """Render a message of flat return elements (receipts) from its template, or None where the tree must decide."""
    key = (edition, message_type)
    if key not in _FLAT:
        children = spec.root.children
        only = len(children) == 1 and isinstance(children[0], GroupSpec) and children[0].name == group
        _FLAT[key] = _group(children[0], names, 1) if only and isinstance(children[0], GroupSpec) else None
    template = _FLAT[key]
    if template is None or not items or not _fits(template, len(items)):
        return None

    def body(parts: list[str]) -> bool:
        return all(_emit(template, item, parts) for item in items)

    return _message(spec, message_type, guid, body)


_NESTED: dict[tuple[Edition, str], tuple[_Group, _Group, _Group] | None] = {}


def render_nested(
    spec: MessageSpec,
    edition: Edition,
    message_type: str,
    shape: tuple[str, str, str],
    names: Mapping[str, Mapping[str, str]],
    items: Sequence[Any],
    lines_of: Callable[[Any], Sequence[Any]],
    guid: str,
) -> bytes | None:
    """Render documents of one head and its lines (``shape``: document, head and line element) from a template.

    Used for tax bills (Tax > TaxHeadRd, TaxListRd*); None where the element tree must decide.
    """
    key = (edition, message_type)
    if key not in _NESTED:
        _NESTED[key] = _nested(spec, shape, names)
    template = _NESTED[key]
    if template is None or not items:
        return None
    document, head, line = template
    if not _fits(document, len(items)):
        return None

    def body(parts: list[str]) -> bool:
        for item in items:
            lines = lines_of(item)
            if not lines or not _fits(line, len(lines)):
                return False
            parts.append(document.open)
            if not _emit(head, item, parts) or not all(_emit(line, x, parts) for x in lines):
                return False
            parts.append(document.close)
        return True

    return _message(spec, message_type, guid, body)


def _nested(
    spec: MessageSpec, shape: tuple[str, str, str], names: Mapping[str, Mapping[str, str]]
) -> tuple[_Group, _Group, _Group] | None:
    document_name, head_name, line_name = shape
    children = spec.root.children
    if len(children) != 1 or not isinstance(children[0], GroupSpec) or children[0].name != document_name:
        return None
    document_spec = children[0]
    inner = document_spec.children
    if [n.name for n in inner] != [head_name, line_name] or not all(isinstance(n, GroupSpec) for n in inner):
        return None
    head_spec, line_spec = document_spec.group(head_name), document_spec.group(line_name)
    if head_spec.max_occurs != 1 or head_spec.min_occurs != 1 or line_spec.min_occurs != 1:
        return None
    head = _group(head_spec, names[head_name], 2)
    line = _group(line_spec, names[line_name], 2)
    if head is None or line is None:
        return None
    indent = "\t"
    document = _Group(
        f"{indent}<ceb:{document_name}>\n", f"{indent}</ceb:{document_name}>\n", document_spec.max_occurs, ()
    )
    return document, head, line
