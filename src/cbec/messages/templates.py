"""Receipt messages rendered from string templates (模板渲染), the same bytes as the element tree gives.

A receipt message is flat: a root with up to 100 return elements of plain fields. Building an lxml tree for it,
checking the tree against the field specification and serialising it cost more than the rest of an answer, so a
template per (edition, receipt type) writes the text directly: each value is formatted and checked against its
facets exactly as the tree check would, and escaped as lxml escapes text. Anything a template does not cover (a
missing required field, a value XML cannot carry, an empty element, a spec that is not flat) returns ``None`` and
the caller builds the tree, which refuses with every problem as before; a test renders both ways and compares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cbec.messages.checks import CEB_NS, Checker
from cbec.messages.codec import DEFAULT_VERSION, XML_DECLARATION, format_value
from cbec.messages.documents import Edition
from cbec.messages.fieldspec import FieldSpec, GroupSpec, MessageSpec

_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


@dataclass(frozen=True, slots=True)
class _Slot:
    """One field of a return element: its spec, the attribute path it is read from, its tags."""

    spec: FieldSpec
    path: tuple[str, ...]
    open: str
    close: str


@dataclass(frozen=True, slots=True)
class _Template:
    """A flat receipt message: its root tag, the attributes it must carry, and its return element's fields."""

    root: str
    group: str
    max_occurs: int | None
    attributes: tuple[FieldSpec, ...]
    slots: tuple[_Slot, ...]


def escape_text(text: str) -> str:
    """Escape element text as lxml serialises it."""
    return text.translate(_TEXT_ESCAPES)


def escape_attribute(text: str) -> str:
    """Escape an attribute value as lxml serialises it (double quotes)."""
    return text.translate(_ATTRIBUTE_ESCAPES)


_TEMPLATES: dict[tuple[Edition, str], _Template | None] = {}


def _template(
    edition: Edition, message_type: str, group: str, names: Mapping[str, str], spec: MessageSpec
) -> _Template | None:
    """Return the template of a receipt message (made once), or None when its spec is not a flat list of returns."""
    key = (edition, message_type)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _make_template(message_type, group, names, spec)
    return _TEMPLATES[key]


def _make_template(message_type: str, group: str, mapping: Mapping[str, str], spec: MessageSpec) -> _Template | None:
    children = spec.root.children
    if len(children) != 1 or not isinstance(children[0], GroupSpec) or children[0].name != group:
        return None
    group_spec = children[0]
    if len(group_spec.fields()) != len(group_spec.children):
        return None
    slots = []
    for field in group_spec.fields():
        if field.max_occurs != 1 or field.name not in mapping:
            return None
        slots.append(
            _Slot(field, tuple(mapping[field.name].split(".")), f"\t\t<ceb:{field.name}>", f"</ceb:{field.name}>\n")
        )
    return _Template(message_type, group, group_spec.max_occurs, tuple(spec.attributes), tuple(slots))


def _value(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def render_flat(
    spec: MessageSpec,
    edition: Edition,
    message_type: str,
    group: str,
    names: Mapping[str, str],
    items: Sequence[Any],
    guid: str,
) -> bytes | None:
    """Render a flat receipt message from its template, or return None where only the element tree may decide."""
    template = _template(edition, message_type, group, names, spec)
    if template is None or not items or (template.max_occurs is not None and len(items) > template.max_occurs):
        return None
    checker = Checker()
    given = {"guid": guid, "version": DEFAULT_VERSION}
    if set(given) != {a.name for a in template.attributes}:
        return None
    for attribute in template.attributes:
        checker.check_value(given[attribute.name], attribute, f"@{attribute.name}")
    parts = [f'<ceb:{message_type} xmlns:ceb="{CEB_NS}" guid="{escape_attribute(guid)}" version="{DEFAULT_VERSION}">\n']
    opening, closing = f"\t<ceb:{group}>\n", f"\t</ceb:{group}>\n"
    for item in items:
        parts.append(opening)
        for slot in template.slots:
            value = _value(item, slot.path)
            if value is None or (value == "" and not slot.spec.required):
                if slot.spec.required:
                    return None
                continue
            text = format_value(value, slot.spec)
            if text == "" or _NOT_XML.search(text):
                return None
            checker.check_value(text, slot.spec, slot.spec.name)
            parts.append(slot.open + escape_text(text) + slot.close)
        parts.append(closing)
    if checker.problems:
        return None
    parts.append(f"</ceb:{message_type}>\n")
    return XML_DECLARATION + "".join(parts).encode("utf-8")
