"""The compiled reader agrees with the interpretive Checker: clean exactly when the Checker finds no problem.

Sound (a Record only where ``Checker.check_message`` reports nothing) and complete on everything tried (every
vendored sample, every builder of both directions and editions, and hypothesis mutations of them: elements
dropped, duplicated, swapped or added, values emptied, oversized, garbled, badly dated or coded, attributes
and stray text added). Where clean, the documents built from the Record are those built from the tree.
Value checks are compared field by field on both editions' specs.
"""

from __future__ import annotations

import copy
import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cbec.messages import codec, export_codec, parse_message, render_message
from cbec.messages.checks import CEB_NS, CODE_TABLE_FIELDS, ENUMERATIONS, TIME_FORMATS, XSI_NS, Checker, normalise
from cbec.messages.codec import LAYOUTS, _convert, _declaration_spec, identify
from cbec.messages.compiled import UNUSUAL, value_reader
from cbec.messages.documents import Edition, MessageType
from cbec.messages.export_codec import EXPORT_LAYOUTS, export_enumerations
from cbec.messages.export_documents import ExportMessageType
from cbec.messages.export_names import EXPORT_GROUPS
from cbec.messages.fastread import message_reader
from cbec.messages.fieldspec import FieldSpec, GroupSpec, field_catalogue
from cbec.messages.names import GROUPS
from cbec.messages.xml import parse_xml
from cbec.reference.rules import CodeName, CodeTables
from tests.unit.messages import builders as b
from tests.unit.messages import export_builders as x
from tests.unit.messages.conftest import ceb_path

SETTINGS = settings(
    max_examples=int(os.environ.get("CBEC_PROPERTY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TABLES = CodeTables(
    date(2026, 3, 2),
    {
        "country": {c: CodeName(c) for c in ("142", "116", "601", "502", "303", "110")},
        "currency": {c: CodeName(c) for c in ("142", "502", "110")},
        "unit": {c: CodeName(c) for c in ("001", "007", "011", "035", "095", "122", "140", "142")},
        "transport_mode": {c: CodeName(c) for c in ("0", "2", "4", "5", "Y")},
        "trade_mode": {c: CodeName(c) for c in ("1210", "9610", "9710", "9810")},
        "wrap_type": {c: CodeName(c) for c in ("1", "2", "4", "7")},
    },
)
GARBAGE = [
    "",
    " ",
    "\t\n",
    "\u3000",
    " 142 ",
    "142",
    "1",
    "0",
    "-0",
    "+1.50",
    "00012.3400",
    ".5",
    "5.",
    ".",
    "1e5",
    "1,000",
    "١٢٣",
    "99999999999999999999999",
    "2147483648",
    "-2147483648",
    "20260302101530",
    "20260230101530",
    "20260302",
    "20261340",
    "20260302101530123",
    "２０２６０３０２",
    "x" * 300,
    "中" * 51,
    "I",
    "B",
    "3",
    "<&>",
]
VALUES = st.one_of(
    st.sampled_from(GARBAGE),
    st.text(st.sampled_from(list("0123456789.+- \tAZaz中\u3000١")), max_size=24),
)


def _specs() -> list[FieldSpec]:
    found: dict[FieldSpec, None] = {}

    def walk(group: GroupSpec) -> None:
        for node in group.children:
            if isinstance(node, FieldSpec):
                found[node] = None
            elif isinstance(node, GroupSpec):
                walk(node)

    for edition in Edition:
        for spec in field_catalogue(edition).messages.values():
            walk(spec.root)
            found.update(dict.fromkeys(spec.attributes))
    return list(found)


FIELDS = _specs()


@given(st.sampled_from(FIELDS), VALUES, st.sampled_from([ENUMERATIONS, export_enumerations(Edition.E202205)]))
@SETTINGS
def test_value_reader_is_clean_exactly_when_the_checker_is(spec: FieldSpec, text: str, codes: Any) -> None:
    compare(spec, text, codes)


def compare(spec: FieldSpec, text: str, codes: Any) -> bool:
    """Assert the compiled check and the Checker agree on one value (and read it alike); return clean."""
    for tables in (None, TABLES):
        checker = Checker(code_tables=tables, enumerations=codes)
        checker.check_value(text, spec, spec.name)
        value = value_reader(spec, codes.get(spec.name))(text, tables)
        assert (value is UNUSUAL) == bool(checker.problems), (spec, text, checker.problems)
        if value is not UNUSUAL:
            assert repr(value) == repr(_group_value(text, spec))
    return value is not UNUSUAL


TIMES = [
    "20260302101530",
    "20260230101530",
    "20240229235959",
    "20230229235959",
    "20260302101560",
    "20260302246000",
    "20260302",
    "20260230",
    "20261301",
    "20240229",
    "20260302101530123",
    "20260302101530999",
    "2026030210153",
    "00000101000000",
    "00010101000000",
    "99991231235959",
    "２０２６０３０２１０１５３０",
    "２０２６０３０２",
    " 20260302101530",
]


def test_every_time_field_reads_dates_exactly_as_checked() -> None:
    timed = [spec for spec in FIELDS if spec.name in TIME_FORMATS]
    assert len({spec.name for spec in timed}) == len(TIME_FORMATS)
    clean = sum(compare(spec, text, ENUMERATIONS) for spec in timed for text in TIMES + GARBAGE)
    assert 0 < clean < len(timed) * len(TIMES + GARBAGE)


def test_every_decimal_and_int_field_reads_numbers_exactly_as_checked() -> None:
    numbers = ["0", "-0", "+0.0", "1", "12345678901234567890", "0.00000001", "1.123456", "123456789.12345"]
    numbers += ["0001.1000", "1.", ".1", "-.5", " 7 ", "7 8", "1e3", "0x10", "٣", "2147483647", "-2147483649"]
    for spec in FIELDS:
        if spec.kind != "string":
            for text in numbers:
                compare(spec, text, ENUMERATIONS)


def test_every_field_reads_its_own_kind_of_value() -> None:
    seen = {(spec.kind, spec.name in CODE_TABLE_FIELDS) for spec in FIELDS}
    assert seen == {("string", False), ("string", True), ("decimal", False), ("int", False)}


def _group_value(raw: str, spec: FieldSpec) -> Any:
    """What codec.group_values makes of a present element's text."""
    text = normalise(raw, spec)
    if text == "" and spec.fixed is not None:
        text = spec.fixed
    if text == "" and not (spec.required and spec.min_length == 0):
        return None
    return _convert(text, spec, spec.name)


# --- whole messages --------------------------------------------------------------------------------


def _is_declaration(root: etree._Element, edition: Edition) -> bool:
    name, spec, _ = identify(root, edition)
    if spec is None:
        return False
    if spec.direction == "export":
        return ExportMessageType(name) in EXPORT_LAYOUTS
    return name in {t.value for t in LAYOUTS}


def _reader(root: etree._Element, edition: Edition) -> tuple[Any, Any, Any]:
    _name, spec, _ = identify(root, edition)
    assert spec is not None
    declaration = _declaration_spec(spec)
    if spec.direction == "export":
        codes = export_enumerations(edition)
        return message_reader(declaration, codes, EXPORT_GROUPS, prefill=True), declaration, codes
    return message_reader(declaration, ENUMERATIONS, GROUPS), declaration, ENUMERATIONS


def agree(root: etree._Element, edition: Edition, tables: CodeTables | None) -> bool:
    """Assert the reader and the Checker agree on a tree (and build the same message); return clean."""
    reader, spec, codes = _reader(root, edition)
    record = reader.read(root, tables)
    checker = Checker(code_tables=tables, enumerations=codes)
    checker.check_message(root, spec)
    assert (record is not None) == (checker.problems == []), checker.problems
    if record is not None:
        name = etree.QName(root).localname
        if spec.direction == "export":
            message_type = ExportMessageType(name)
            fast = export_codec._record_message(root, record, message_type, edition, b"raw")
            slow = export_codec._build_message(root, message_type, spec, edition, b"raw")
        else:
            fast = codec._record_message(root, record, MessageType(name), edition, b"raw")
            slow = codec._build_message(root, MessageType(name), spec, edition, b"raw")
        assert repr(fast) == repr(slow)
    return record is not None


def _samples() -> list[tuple[Edition, Path]]:
    return [
        (edition, path)
        for edition in Edition
        for direction in ("import", "export")
        for path in sorted(ceb_path("samples", edition.value, direction).glob("*.xml"))
    ]


@cache
def corpus() -> tuple[tuple[Edition, bytes], ...]:
    """Every declaration sample and every builder's message, rendered, per edition."""
    found: list[tuple[Edition, bytes]] = []
    for edition, path in _samples():
        data = path.read_bytes()
        if _is_declaration(parse_xml(data), edition):
            found.append((edition, data))
    found += [(Edition.E202205, render_message(m)) for m in b.all_declarations().values()]
    for edition in Edition:
        found += [(edition, render_message(m, edition=edition)) for m in x.all_export_declarations(edition).values()]
    return tuple(found)


def test_the_corpus_holds_every_declaration_type() -> None:
    names = {etree.QName(parse_xml(data)).localname for _edition, data in corpus()}
    assert names == {t.value for t in LAYOUTS} | {t.value for t in EXPORT_LAYOUTS}


def test_samples_and_builders_read_clean_exactly_when_the_checker_finds_nothing() -> None:
    clean = 0
    for edition, data in corpus():
        for tables in (None, TABLES):
            clean += agree(parse_xml(data), edition, tables)
    assert clean >= len(corpus())  # the builders' messages are clean, with or without tables


def test_every_builder_message_reads_clean() -> None:
    messages = [(Edition.E202205, render_message(m)) for m in b.all_declarations().values()]
    for edition in Edition:
        messages += [(edition, render_message(m, edition=edition)) for m in x.all_export_declarations(edition).values()]
    assert all(agree(parse_xml(data), edition, TABLES) for edition, data in messages)
    assert all(parse_message(data, edition=edition, code_tables=TABLES).ok for edition, data in messages)


# --- mutations -------------------------------------------------------------------------------------

ATTRIBUTES = ["note", f"{{{XSI_NS}}}nil", "{http://example.com/x}extra", "guid", "version"]
STRAY = ["x", " ", "\u3000", "\n\t", "中"]


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if e is not root and not str(e.tag).startswith("{http://www.w3.org/2000/09")]


def mutate(root: etree._Element, data: st.DataObject) -> None:
    """Apply one to three random edits to a tree."""
    for _ in range(data.draw(st.integers(1, 3))):
        elements = _elements(root)
        leaves = [e for e in elements if len(e) == 0]
        if not leaves:
            return
        target = data.draw(st.sampled_from(elements))
        edit = data.draw(
            st.sampled_from(
                ["drop", "duplicate", "swap", "value", "value", "value", "attribute", "text", "child", "extend"]
            )
        )
        parent = target.getparent()
        if edit == "drop":
            parent.remove(target)
        elif edit == "duplicate":
            target.addnext(copy.deepcopy(target))
        elif edit == "swap" and target.getnext() is not None:
            target.addnext(target.getnext())  # moves the next sibling before the target
        elif edit == "value":
            data.draw(st.sampled_from(leaves)).text = data.draw(VALUES)
        elif edit == "attribute":
            where = data.draw(st.sampled_from([root, target]))
            where.set(data.draw(st.sampled_from(ATTRIBUTES)), data.draw(st.sampled_from(["", "1", "x" * 40])))
        elif edit == "text":
            if data.draw(st.booleans()):
                target.tail = (target.tail or "") + data.draw(st.sampled_from(STRAY))
            else:
                (target if len(target) else parent).text = data.draw(st.sampled_from(STRAY))
        elif edit == "extend" and root.find(f"{{{CEB_NS}}}BaseTransfer") is not None:
            _extend(root, *[etree.Element("custom", flag="1") for _ in range(data.draw(st.integers(0, 2)))])
        elif edit == "child":
            name = data.draw(st.sampled_from(["note", "orderNo", "Extra", "OrderList"]))
            etree.SubElement(target, f"{{{CEB_NS}}}{name}").text = "1"


@given(st.data())
@SETTINGS
def test_mutated_messages_read_clean_exactly_when_the_checker_finds_nothing(data: st.DataObject) -> None:
    edition, raw = data.draw(st.sampled_from(corpus()))
    root = parse_xml(raw)
    mutate(root, data)
    agree(root, edition, data.draw(st.sampled_from([None, TABLES])))


def test_some_mutations_stay_clean_and_some_do_not() -> None:
    raw = render_message(b.all_declarations()[MessageType.ORDER])
    root = parse_xml(raw)
    root.find(f".//{{{CEB_NS}}}buyerName").text = "李四"  # a different, valid value
    assert agree(root, Edition.E202205, TABLES)
    root.find(f".//{{{CEB_NS}}}OrderHead").set(f"{{{XSI_NS}}}type", "x")  # xsi attributes are ignored
    assert agree(root, Edition.E202205, TABLES)
    root.find(f".//{{{CEB_NS}}}OrderHead").text = "\u3000"  # whitespace to str.strip()
    assert agree(root, Edition.E202205, TABLES)
    root.find(f".//{{{CEB_NS}}}OrderList/{{{CEB_NS}}}country").text = "999"  # not in the country table
    assert not agree(root, Edition.E202205, TABLES)
    assert agree(root, Edition.E202205, None)
    etree.SubElement(root.find(f".//{{{CEB_NS}}}country"), f"{{{CEB_NS}}}x")
    assert not agree(root, Edition.E202205, None)


def test_signatures_and_extension_content_are_not_looked_into() -> None:
    for edition, raw in corpus():
        root = parse_xml(raw)
        if root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None:
            assert agree(root, edition, None)
            return
    pytest.fail("no signed sample in the corpus")


def _extend(root: etree._Element, *contents: etree._Element) -> None:
    """Add an ExtendMessage (custom name, version and Message content) after BaseTransfer/BaseSubscribe."""
    extend = etree.Element(f"{{{CEB_NS}}}ExtendMessage")
    etree.SubElement(extend, f"{{{CEB_NS}}}name").text = "custom"
    etree.SubElement(extend, f"{{{CEB_NS}}}version").text = "1.0"
    message = etree.SubElement(extend, f"{{{CEB_NS}}}Message")
    message.extend(contents)
    last = root.findall(f"{{{CEB_NS}}}BaseSubscribe") or root.findall(f"{{{CEB_NS}}}BaseTransfer")
    last[-1].addnext(extend)


def test_extension_content_is_not_looked_into_but_its_frame_is() -> None:
    raw = render_message(b.all_declarations()[MessageType.PAYMENT])
    custom = etree.fromstring(b'<x:data xmlns:x="urn:x" a="1" b="2">text<x:inner c="3">more</x:inner>tail</x:data>')
    root = parse_xml(raw)
    _extend(root, custom)
    assert agree(root, Edition.E202205, TABLES)
    assert parse_message(etree.tostring(root)).ok
    root = parse_xml(raw)
    _extend(root, copy.deepcopy(custom), copy.deepcopy(custom))  # the wildcard takes one element
    assert not agree(root, Edition.E202205, TABLES)
    root = parse_xml(raw)
    _extend(root)  # an empty Message is allowed
    assert agree(root, Edition.E202205, TABLES)
    root.find(f".//{{{CEB_NS}}}ExtendMessage/{{{CEB_NS}}}name").text = "n" * 31
    assert not agree(root, Edition.E202205, TABLES)
