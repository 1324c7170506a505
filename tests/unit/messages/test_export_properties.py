"""Property tests of the export codec: it agrees with the official export XSD of each edition, and rendering
is a fixed point.

Documents are generated from the field specification of the edition (every field, optional ones present or
not; split numbers, summary periods and order types drawn valid, so only format can fail), then optionally
broken in one head field: too long, bad decimal, required field missing, wrong fixed value. Set
CBEC_PROPERTY_EXAMPLES for a longer search (default 30 examples per test).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbec.messages import (
    Edition,
    ExportMessageType,
    Message,
    Receipt,
    Subscription,
    Transfer,
    parse_message,
    parse_receipts,
    parse_summary_results,
    render_message,
    render_receipts,
    render_summary_results,
)
from cbec.messages.checks import TIME_FORMATS
from cbec.messages.codec import Layout, build
from cbec.messages.export_checks import export_codes
from cbec.messages.export_codec import EXPORT_LAYOUTS, SUMMARY_RESULT_LAYOUT
from cbec.messages.export_names import EXPORT_GROUPS, EXPORT_RECEIPT_GROUPS
from cbec.messages.fieldspec import FieldSpec, GroupSpec, message_spec
from tests.unit.messages import export_builders as x
from tests.unit.messages.conftest import xsd_errors
from tests.unit.messages.test_properties import PROPERTY_SETTINGS, _set, text_for, value_for

SOLID = st.sampled_from(list("ABCXYZabcxyz0189-_/()&<>'\"中国跨境电商椰子糖海南省号·，"))


def _field_values(spec: FieldSpec, english: str, edition: Edition, *, millis: bool = False) -> st.SearchStrategy[Any]:
    codes = export_codes(edition).get(spec.name)
    if codes is not None:
        return st.sampled_from(codes)
    if spec.kind == "string" and spec.white_space == "collapse" and spec.name not in TIME_FORMATS:
        # the codec reads collapsed text, so only text that is already collapsed survives a round trip
        if spec.length is not None:
            return st.text(SOLID, min_size=spec.length, max_size=spec.length)
        return st.text(SOLID, min_size=max(1, spec.min_length or 0), max_size=min(spec.max_length or 24, 24))
    return value_for(spec, english, millis=millis)


def _consistent(values: dict[str, Any]) -> dict[str, Any]:
    """Make split numbers (R13) and the summary period (R14) valid: only format is under test."""
    if values.get("message_count") is not None and values.get("message_seq_no") is not None:
        count = max(1, values["message_count"])
        values["message_count"], values["message_seq_no"] = count, 1 + values["message_seq_no"] % count
    if "start_time" in values:
        start, end = values["start_time"], values["end_time"]
        if (start is None) != (end is None):
            values["start_time"] = values["end_time"] = None
        elif start is not None and end < start:
            values["start_time"], values["end_time"] = end, start
    return values


def values_for(group: GroupSpec, name: str, edition: Edition, *, millis: bool = False) -> st.SearchStrategy[Any]:
    """Return English-named values of an export group, optional fields present or None."""
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for spec in group.fields():
        english = EXPORT_GROUPS[name][spec.name]
        value = _field_values(spec, english, edition, millis=millis)
        parts[english] = value if spec.required else st.one_of(st.none(), value)
    return st.fixed_dictionaries(parts).map(_consistent)


def documents(layout: Layout, spec: GroupSpec, edition: Edition) -> st.SearchStrategy[Any]:
    """Return documents of one layout built from the field specification of an edition."""
    head_spec = spec if layout.head is None else spec.group(layout.head)
    head = values_for(head_spec, layout.head or layout.document, edition)
    if layout.lines is None:
        return head.map(lambda v: build(layout.document_class, v))
    line_spec = spec.group(layout.lines)
    low = line_spec.min_occurs
    if layout.line_class is None:
        ((ceb, attribute),) = EXPORT_GROUPS[layout.lines].items()
        items = st.lists(text_for(line_spec.field(ceb)), min_size=low, max_size=3)
        return st.builds(lambda v, xs: build(layout.document_class, v, **{attribute: tuple(xs)}), head, items)
    line_class = layout.line_class
    lines = st.lists(
        values_for(line_spec, layout.lines, edition).map(lambda v: build(line_class, v)), min_size=low, max_size=3
    )
    return st.builds(lambda v, ls: build(layout.document_class, v, lines=tuple(ls)), head, lines)


def messages(message_type: ExportMessageType, edition: Edition) -> st.SearchStrategy[Message]:
    """Return whole export messages of a declaration type."""
    spec = message_spec(edition, message_type.value)
    layout = EXPORT_LAYOUTS[message_type]
    return st.builds(
        lambda docs, t, subs, guid: Message(
            message_type=message_type,
            edition=edition,
            guid=guid,
            version="1.0",
            documents=tuple(docs),
            transfer=t,
            subscriptions=tuple(subs),
        ),
        st.lists(documents(layout, spec.root.group(layout.document), edition), min_size=1, max_size=2),
        values_for(spec.root.group("BaseTransfer"), "BaseTransfer", edition).map(lambda v: build(Transfer, v)),
        st.lists(
            values_for(spec.root.group("BaseSubscribe"), "BaseSubscribe", edition).map(
                lambda v: build(Subscription, v)
            ),
            max_size=2,
        ),
        text_for(spec.attributes[0]),
    )


def mutations(message_type: ExportMessageType, edition: Edition) -> list[tuple[str, str, Any]]:
    """Return (kind, English field, bad value) for every way one head field can be broken."""
    layout = EXPORT_LAYOUTS[message_type]
    spec = message_spec(edition, message_type.value).root.group(layout.document)
    head = spec if layout.head is None else spec.group(layout.head)
    out: list[tuple[str, str, Any]] = []
    for field in head.fields():
        english = EXPORT_GROUPS[layout.head or layout.document][field.name]
        typed = field.name in TIME_FORMATS or english.startswith("declaration.app_")
        limit = field.length if field.length is not None else field.max_length
        if field.kind == "string" and not typed and limit is not None:
            out.append(("FMT-LENGTH", english, "Z" * (limit + 1)))
        if field.kind == "decimal":
            out.append(("FMT-DECIMAL", english, Decimal("1.123456")))
            out.append(("FMT-DECIMAL", english, Decimal(10**19)))
        if field.required:
            out.append(("FMT-REQUIRED", english, None))
        if field.fixed is not None:
            out.append(("FMT-FIXED", english, "1"))
    return out


CASES = [(e, t) for e in Edition for t in EXPORT_LAYOUTS if e is Edition.E202205 or t not in x.ONLY_202205]


@pytest.mark.parametrize(("edition", "message_type"), CASES, ids=[f"{e.value}-{t.value}" for e, t in CASES])
def test_export_codec_verdict_agrees_with_the_xsd_and_rendering_is_stable(
    edition: Edition, message_type: ExportMessageType
) -> None:
    schema = x.export_schema(edition)

    @PROPERTY_SETTINGS
    @given(
        message=messages(message_type, edition), mutation=st.none() | st.sampled_from(mutations(message_type, edition))
    )
    def check(message: Message, mutation: tuple[str, str, Any] | None) -> None:
        if mutation is not None:
            rule, english, bad = mutation
            first = _set(message.documents[0], english, bad)
            message = replace(message, documents=(first, *message.documents[1:]))
        xml = render_message(message, edition=edition)
        outcome = parse_message(xml, edition=edition)
        errors = xsd_errors(schema, xml)
        assert outcome.ok == (not errors), (mutation, outcome.problems, errors)
        assert outcome.ok == (mutation is None), (mutation, outcome.problems)
        if mutation is not None:
            assert rule in {p.rule_id for p in outcome.problems}
            return
        assert outcome.message is not None
        assert outcome.message.documents == message.documents
        assert render_message(outcome.message, edition=edition) == xml

    check()


RECEIPT_CASES = [
    (e, t) for e in Edition for t in EXPORT_RECEIPT_GROUPS if e is Edition.E202205 or t not in x.ONLY_202205
]


@pytest.mark.parametrize(
    ("edition", "message_type"), RECEIPT_CASES, ids=[f"{e.value}-{t.value}" for e, t in RECEIPT_CASES]
)
def test_export_receipts_generated_from_the_spec_conform_and_round_trip(
    edition: Edition, message_type: ExportMessageType
) -> None:
    group = EXPORT_RECEIPT_GROUPS[message_type]
    spec = message_spec(edition, message_type.value).root.group(group)
    receipt = values_for(spec, group, edition, millis=True).map(lambda v: build(Receipt, v, message_type=message_type))

    @PROPERTY_SETTINGS
    @given(receipts=st.lists(receipt, min_size=1, max_size=3))
    def check(receipts: list[Receipt]) -> None:
        xml = render_receipts(receipts, edition=edition)
        assert xsd_errors(x.export_schema(edition), xml) == []
        assert parse_receipts(xml, edition=edition) == receipts

    check()


@pytest.mark.parametrize("edition", list(Edition))
def test_summary_results_generated_from_the_spec_conform_and_round_trip(edition: Edition) -> None:
    layout = SUMMARY_RESULT_LAYOUT
    spec = message_spec(edition, ExportMessageType.SUMMARY_RESULT.value).root.group(layout.document)
    head = values_for(spec.group("SummaryResultHead"), "SummaryResultHead", edition, millis=True)
    line = values_for(spec.group("SummaryResultList"), "SummaryResultList", edition).map(
        lambda v: build(x.SummaryResultLine, {"goods_seq_no": None, **v})
    )
    result = st.builds(
        lambda v, ls: build(x.SummaryResult, v, lines=tuple(ls)), head, st.lists(line, min_size=0, max_size=3)
    )

    @PROPERTY_SETTINGS
    @given(results=st.lists(result, min_size=1, max_size=2))
    def check(results: list[Any]) -> None:
        xml = render_summary_results(results, edition=edition)
        assert xsd_errors(x.export_schema(edition), xml) == []
        assert parse_summary_results(xml, edition=edition) == results

    check()
