"""Property tests: the codec agrees with the official XSD (xmlschema) and rendering is a fixed point.

Documents are generated from the field specification itself (every field, optional ones present or not),
then optionally broken in one field: too long, bad decimal, required field missing, wrong fixed value.
Set CBEC_PROPERTY_EXAMPLES for a longer search (default 30 examples per test).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    AppStatus,
    AppType,
    Edition,
    Message,
    MessageType,
    Receipt,
    Subscription,
    Transfer,
    parse_message,
    parse_receipts,
    render_message,
    render_receipts,
)
from cbec.messages.checks import DATE_FIELDS, TIME_FORMATS
from cbec.messages.codec import LAYOUTS, build
from cbec.messages.fieldspec import FieldSpec, GroupSpec, message_spec
from cbec.messages.names import GROUPS
from cbec.messages.receipts import RECEIPT_GROUPS
from tests.unit.messages import builders as b
from tests.unit.messages.conftest import with_test_signature, xsd_errors

ALPHABET = st.sampled_from(list("ABCXYZabcxyz0189 -_/()&<>'\"中国跨境电商奶粉精华液海南省号·，"))
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("CBEC_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def text_for(spec: FieldSpec) -> st.SearchStrategy[str]:
    """Return valid text for a string field (never empty: the codec also refuses empty required fields)."""
    if spec.fixed is not None:
        return st.just(spec.fixed)
    if spec.length is not None:
        return st.text(ALPHABET, min_size=spec.length, max_size=spec.length)
    low = max(1, spec.min_length or 0)
    high = spec.max_length if spec.max_length is not None else 200
    return st.one_of(
        st.text(ALPHABET, min_size=low, max_size=min(high, 24)), st.text(ALPHABET, min_size=high, max_size=high)
    )


def value_for(spec: FieldSpec, english: str, *, millis: bool = False) -> st.SearchStrategy[Any]:
    """Return valid document values for one field."""
    if english == "declaration.app_type":
        return st.sampled_from(list(AppType))
    if english == "declaration.app_status":
        return st.sampled_from(list(AppStatus))
    if spec.name in TIME_FORMATS:
        moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
        if spec.name in DATE_FIELDS:
            return moments.map(lambda m: m.date())
        return moments.map(
            lambda m: m.replace(microsecond=(m.microsecond // 1000) * 1000 if millis else 0, tzinfo=SHANGHAI)
        )
    if spec.kind == "decimal":
        whole = 10 ** ((spec.total_digits or 19) - (spec.fraction_digits or 0)) - 1
        return st.builds(
            lambda i, s: Decimal(i).scaleb(-s), st.integers(-whole, whole), st.integers(0, spec.fraction_digits or 0)
        )
    if spec.kind == "int":
        top = 10**spec.total_digits - 1 if spec.total_digits else 99
        return st.integers(0, top)
    return text_for(spec)


def values_for(group: GroupSpec, name: str, *, millis: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Return English-named values of a group, optional fields present or None."""
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for spec in group.fields():
        english = GROUPS[name][spec.name]
        value = value_for(spec, english, millis=millis)
        parts[english] = value if spec.required else st.one_of(st.none(), value)
    return st.fixed_dictionaries(parts)


def documents(message_type: MessageType, edition: Edition) -> st.SearchStrategy[Any]:
    """Return documents of a declaration type built from the field specification."""
    layout = LAYOUTS[message_type]
    spec = message_spec(edition, message_type.value).root.group(layout.document)
    head_spec = spec if layout.head is None else spec.group(layout.head)
    head = values_for(head_spec, layout.head or layout.document)
    if layout.lines is None or layout.line_class is None:
        return head.map(lambda v: build(layout.document_class, v))
    line_class = layout.line_class
    lines = st.lists(
        values_for(spec.group(layout.lines), layout.lines).map(lambda v: build(line_class, v)), min_size=1, max_size=3
    )
    return st.builds(lambda v, ls: build(layout.document_class, v, lines=tuple(ls)), head, lines)


def messages(message_type: MessageType, edition: Edition) -> st.SearchStrategy[Message]:
    """Return whole messages of a declaration type."""
    spec = message_spec(edition, message_type.value)
    most = 1 if message_type is MessageType.ARRIVAL else 2
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
        st.lists(documents(message_type, edition), min_size=1, max_size=most),
        values_for(spec.root.group("BaseTransfer"), "BaseTransfer").map(lambda v: build(Transfer, v)),
        st.lists(
            values_for(spec.root.group("BaseSubscribe"), "BaseSubscribe").map(lambda v: build(Subscription, v)),
            max_size=2,
        ),
        text_for(spec.attributes[0]),
    )


def _set(document: Any, english: str, value: Any) -> Any:
    if english.startswith("declaration."):
        return replace(document, declaration=replace(document.declaration, **{english.split(".", 1)[1]: value}))
    return replace(document, **{english: value})


def mutations(message_type: MessageType, edition: Edition) -> list[tuple[str, str, Any]]:
    """Return (kind, English field, bad value) for every way one head field can be broken."""
    layout = LAYOUTS[message_type]
    spec = message_spec(edition, message_type.value).root.group(layout.document)
    head = spec if layout.head is None else spec.group(layout.head)
    out: list[tuple[str, str, Any]] = []
    for field in head.fields():
        english = GROUPS[layout.head or layout.document][field.name]
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
            out.append(("FMT-FIXED", english, "156"))
    return out


DECLARATION_TYPES = list(LAYOUTS)


@pytest.mark.parametrize("message_type", DECLARATION_TYPES, ids=str)
def test_codec_verdict_agrees_with_the_xsd_and_rendering_is_stable(
    message_type: MessageType, import_schema: Callable[[Edition], Any], sample_signature: etree._Element
) -> None:
    edition = Edition.E202205
    schema = import_schema(edition)

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
        signed = with_test_signature(xml, sample_signature)
        outcome = parse_message(signed, edition=edition)
        xsd_valid = not xsd_errors(schema, signed)
        assert outcome.ok == xsd_valid, (mutation, outcome.problems, xsd_errors(schema, signed))
        assert outcome.ok == (mutation is None), (mutation, outcome.problems)
        if mutation is not None:
            assert rule in {p.rule_id for p in outcome.problems}
            return
        assert outcome.message is not None
        assert render_message(outcome.message, edition=edition) == xml
        unsigned = parse_message(xml, edition=edition)
        assert unsigned.message is not None
        assert render_message(unsigned.message, edition=edition) == xml
        assert unsigned.message.documents == message.documents

    check()


@pytest.mark.parametrize("message_type", list(RECEIPT_GROUPS), ids=str)
def test_receipts_generated_from_the_spec_conform_and_round_trip(
    message_type: MessageType, import_schema: Callable[[Edition], Any]
) -> None:
    group = RECEIPT_GROUPS[message_type]
    spec = message_spec(Edition.E202205, message_type.value).root.group(group)
    receipt = values_for(spec, group, millis=True).map(lambda v: build(Receipt, v, message_type=message_type))

    @PROPERTY_SETTINGS
    @given(receipts=st.lists(receipt, min_size=1, max_size=3))
    def check(receipts: list[Receipt]) -> None:
        xml = render_receipts(receipts)
        assert xsd_errors(import_schema(Edition.E202205), xml) == []
        assert parse_receipts(xml) == receipts

    check()


VALID_ORDER = render_message(b.all_declarations()[MessageType.ORDER])


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=3000))
def test_parse_message_never_raises_on_random_bytes(data: bytes) -> None:
    outcome = parse_message(data)
    assert outcome.message is None or outcome.problems == []


@PROPERTY_SETTINGS
@given(start=st.integers(0, len(VALID_ORDER)), length=st.integers(0, 40), junk=st.binary(max_size=40))
def test_parse_message_never_raises_on_damaged_messages(start: int, length: int, junk: bytes) -> None:
    damaged = VALID_ORDER[:start] + junk + VALID_ORDER[start + length :]
    outcome = parse_message(damaged)
    assert (outcome.message is None) == bool(outcome.problems)
