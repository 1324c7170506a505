"""Receipt messages from templates (cbec.messages.templates) give the element tree's bytes, or defer to it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cbec.messages import Edition, MessageRefused, parse_receipts, render_receipts
from cbec.messages.documents import Receipt
from cbec.messages.fieldspec import field_catalogue
from cbec.messages.receipts import _receipt_group, render_tree
from cbec.messages.templates import escape_attribute, escape_text, render_flat
from tests.unit.messages.conftest import ceb_path

RECEIPT_NUMBERS = {
    "import": ("312", "412", "512", "514", "622", "624", "626", "712"),
    "export": ("304", "404", "506", "508", "510", "604", "606", "608", "214", "216", "702"),
}


def _samples(edition: Edition) -> list[list[Receipt]]:
    found = []
    for side, numbers in RECEIPT_NUMBERS.items():
        for path in sorted(ceb_path("samples", edition.value, side).glob("*.xml")):
            data = path.read_bytes()
            # The official CEB214 sample's root lacks "Message" (CEB214): not a message the codec reads.
            if path.name[3:6] in numbers and etree.QName(etree.fromstring(data)).localname.endswith("Message"):
                found.append(parse_receipts(data, edition=edition))
    return found


def _both(receipts: list[Receipt], edition: Edition, guid: str) -> tuple[bytes | None, bytes]:
    message_type = receipts[0].message_type
    group, names = _receipt_group(message_type)
    assert group is not None
    spec = field_catalogue(edition).message(message_type.value)
    flat = render_flat(spec, edition, message_type.value, group, names[group], receipts, guid)
    return flat, render_tree(spec, message_type.value, group, names, receipts, guid)


@pytest.mark.parametrize("edition", list(Edition))
def test_every_official_receipt_sample_renders_to_the_trees_bytes_from_its_template(edition: Edition) -> None:
    samples = _samples(edition)
    assert len(samples) == (18 if edition == Edition.E202205 else 17)
    for receipts in samples:
        flat, tree = _both(receipts, edition, receipts[0].guid)
        assert flat is not None, receipts[0].message_type
        assert flat == tree
        assert render_receipts(receipts, edition=edition) == tree


_TEXT = st.text(alphabet=st.sampled_from([*"aZ09 -_&<>\"'\r\n\t;:[]/中文退单", "\u00e9", "\U0001f600"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(info=_TEXT, note=_TEXT)
def test_escaping_matches_lxml_for_any_text(info: str, note: str) -> None:
    base = _samples(Edition.E202205)[0]
    receipts = [replace(base[0], info=info or "x"), replace(base[1], info=(note or "y") + info)]
    flat, tree = _both(receipts, Edition.E202205, "A" * 36)
    assert flat == tree


def test_escapes() -> None:
    assert escape_text('a&b<c>d"e\r\n\t') == 'a&amp;b&lt;c&gt;d"e&#13;\n\t'
    assert escape_attribute('a&b<c>d"e\r\n\t') == "a&amp;b&lt;c&gt;d&quot;e&#13;&#10;&#9;"


def test_a_value_the_spec_refuses_defers_to_the_tree_which_names_every_problem() -> None:
    receipts = _samples(Edition.E202205)[0][:2]
    bad = [replace(receipts[0], guid="short"), replace(receipts[1], status="")]
    flat, _ = _both(receipts, Edition.E202205, receipts[0].guid)
    assert flat is not None
    with pytest.raises(MessageRefused) as caught:
        _both(bad, Edition.E202205, receipts[0].guid)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("FMT-LENGTH", "OrderReturn[1]/guid"),
        ("FMT-REQUIRED", "OrderReturn[2]/returnStatus"),
    ]
    with pytest.raises(MessageRefused) as again:
        render_receipts(bad, message_guid=receipts[0].guid)
    assert [(p.rule_id, p.field) for p in again.value.problems] == [(p.rule_id, p.field) for p in caught.value.problems]


def test_more_returns_than_a_message_may_carry_defer_to_the_tree() -> None:
    receipts = _samples(Edition.E202205)[0]
    many = [receipts[0]] * 101
    with pytest.raises(MessageRefused):
        render_receipts(many)
