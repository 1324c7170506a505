"""Conformance (报文规范符合性): everything the render_* functions write validates against the official XSD.

xmlschema is used here only. Import and export XSDs share a namespace, so only the import XSD of each
edition is loaded (one schema object per edition); the 202205 transfer XSD has a broken include and is
not loaded. For CEB621/623/625/711 the XSD requires ds:Signature, which the codec leaves to the
signature module: the test appends the official sample's ds:Signature (a structural fixture only).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Edition,
    MessageType,
    open_envelope,
    render_format_receipt,
    render_message,
    render_tax_bills,
    seal_envelope,
)
from tests.unit.messages import builders as b
from tests.unit.messages.conftest import with_test_signature, xsd_errors
from tests.unit.messages.test_golden import RECEIPTS, _receipts


def renderings(edition: Edition) -> dict[str, Callable[[], bytes]]:
    """Return name -> renderer of every message type, for one edition."""
    out: dict[str, Callable[[], bytes]] = {}
    for message_type, message in b.all_declarations().items():
        out[message_type.value] = partial(render_message, message, edition=edition)
    for message_type in RECEIPTS:
        out[message_type.value] = partial(_receipts, message_type, edition)
    out["CEB816Message"] = lambda: render_tax_bills([b.tax_bill()], edition=edition)
    out["CEB900Message"] = lambda: render_format_receipt(b.format_receipt(), edition=edition)
    return out


CASES = [(edition, name) for edition in Edition for name in renderings(edition)]


@pytest.mark.parametrize(("edition", "name"), CASES, ids=[f"{e.value}-{n}" for e, n in CASES])
def test_rendered_messages_validate_against_the_official_xsd(
    edition: Edition, name: str, import_schema: Callable[[Edition], Any], sample_signature: etree._Element
) -> None:
    xml = with_test_signature(renderings(edition)[name](), sample_signature)
    assert xsd_errors(import_schema(edition), xml) == []


def test_the_signature_fixture_is_needed_for_signed_types(
    import_schema: Callable[[Edition], Any], sample_signature: etree._Element
) -> None:
    unsigned = render_message(b.all_declarations()[MessageType.INVENTORY])
    assert len(xsd_errors(import_schema(Edition.E202205), unsigned)) == 1
    assert xsd_errors(import_schema(Edition.E202205), with_test_signature(unsigned, sample_signature)) == []


def test_large_messages_validate(import_schema: Callable[[Edition], Any], sample_signature: etree._Element) -> None:
    from dataclasses import replace

    lines = tuple(replace(b.inventory_lines()[0], line_no=i) for i in range(1, 100))
    documents = [b.inventory(lines=lines, order_no=f"ORD{i:05d}") for i in range(100)]
    xml = render_message(b.message(*documents, transfer=b.transfer(b.AGENT)))
    assert xsd_errors(import_schema(Edition.E202205), with_test_signature(xml, sample_signature)) == []


def test_sealed_envelope_validates_against_the_terminal_xsd(terminal_schema: Any) -> None:
    payload = render_message(b.all_declarations()[MessageType.ORDER])
    sealed = seal_envelope(
        payload,
        message_type="CEB311Message",
        sender_id="DXPENT0000000012",
        message_id="3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        created_at=datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI),
        file_name="CEB311_ORD20260302000001.xml",
    )
    assert xsd_errors(terminal_schema, sealed) == []
    assert open_envelope(sealed).payload == payload
