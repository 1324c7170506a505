"""Receipts and tax bills from templates (cbec.messages.templates) give the element tree's bytes, or defer to it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cbec.messages import Edition, MessageRefused, parse_receipts, parse_tax_bills, render_receipts, render_tax_bills
from cbec.messages.documents import Receipt, TaxBill
from cbec.messages.fieldspec import field_catalogue
from cbec.messages.names import GROUPS
from cbec.messages.receipts import _receipt_group, render_tax_bill_tree, render_tree
from cbec.messages.templates import escape_attribute, escape_text, render_flat, render_nested
from tests.unit.messages import builders as b
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


def _tax_bills(edition: Edition) -> list[TaxBill]:
    """Two tax bills as the platform issues them (no official CEB816 sample is published), read back as rendered."""
    bills = [b.tax_bill(), b.tax_bill(tax_no="TAXNO-2", note="第二张 & <税单>")]
    return parse_tax_bills(render_tax_bills(bills, edition=edition), edition=edition)


def _tax_both(bills: list[TaxBill], edition: Edition, guid: str) -> tuple[bytes | None, bytes]:
    spec = field_catalogue(edition).message("CEB816Message")
    shape = ("Tax", "TaxHeadRd", "TaxListRd")
    flat = render_nested(spec, edition, "CEB816Message", shape, GROUPS, bills, lambda b: b.lines, guid)
    return flat, render_tax_bill_tree(spec, bills, guid)


@pytest.mark.parametrize("edition", list(Edition))
def test_tax_bills_render_to_the_trees_bytes_from_their_template(edition: Edition) -> None:
    bills = _tax_bills(edition)
    assert len(bills) >= 1 and all(bill.lines for bill in bills)
    flat, tree = _tax_both(bills, edition, bills[0].guid)
    assert flat is not None
    assert flat == tree
    assert render_tax_bills(bills, edition=edition) == tree


@settings(max_examples=100, deadline=None)
@given(note=_TEXT, lines=st.integers(min_value=1, max_value=5))
def test_tax_bills_with_any_note_and_line_count_match_the_tree(note: str, lines: int) -> None:
    bill = _tax_bills(Edition.E202205)[0]
    varied = replace(bill, note=note or None, lines=tuple(replace(bill.lines[0], line_no=i + 1) for i in range(lines)))
    flat, tree = _tax_both([varied, bill], Edition.E202205, "B" * 36)
    assert flat == tree


def test_a_tax_bill_without_lines_defers_to_the_tree() -> None:
    bill = replace(_tax_bills(Edition.E202205)[0], lines=())
    flat = render_nested(
        field_catalogue(Edition.E202205).message("CEB816Message"),
        Edition.E202205,
        "CEB816Message",
        ("Tax", "TaxHeadRd", "TaxListRd"),
        GROUPS,
        [bill],
        lambda b: b.lines,
        "C" * 36,
    )
    assert flat is None
    with pytest.raises(MessageRefused):
        render_tax_bills([bill])
