"""Terminal-node envelope (传输报文, DxpMsg)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Envelope,
    MessageRefused,
    is_envelope,
    looks_like_envelope,
    open_envelope,
    parse_message,
    seal_envelope,
)
from tests.unit.messages.conftest import ceb_path

DXP = "http://www.chinaport.gov.cn/dxp"
AT = datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI)
MESSAGE_ID = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"


def _seal(payload: bytes = b"<x/>", **overrides: object) -> bytes:
    values: dict[str, object] = dict(
        message_type="CEB311Message", sender_id="DXPENT0000000012", message_id=MESSAGE_ID, created_at=AT
    )
    values.update(overrides)
    return seal_envelope(payload, **values)


def _refusal(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(MessageRefused) as caught:
        open_envelope(data)
    return [(p.rule_id, p.field) for p in caught.value.problems]


def test_sealed_envelope_layout() -> None:
    sealed = _seal(b"<x>\xe4\xb8\xad</x>")
    assert sealed == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0">\n'
        b"\t<dxp:TransInfo>\n"
        b"\t\t<dxp:CopMsgId>3F2504E0-4F89-11D3-9A0C-0305E82C3301</dxp:CopMsgId>\n"
        b"\t\t<dxp:SenderId>DXPENT0000000012</dxp:SenderId>\n"
        b"\t\t<dxp:ReceiverIds>\n"
        b"\t\t\t<dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId>\n"
        b"\t\t</dxp:ReceiverIds>\n"
        b"\t\t<dxp:CreatTime>2026-03-02T10:15:30</dxp:CreatTime>\n"
        b"\t\t<dxp:MsgType>CEB311Message</dxp:MsgType>\n"
        b"\t</dxp:TransInfo>\n"
        b"\t<dxp:Data>" + base64.b64encode(b"<x>\xe4\xb8\xad</x>") + b"</dxp:Data>\n"
        b"</dxp:DxpMsg>\n"
    )


def test_round_trip() -> None:
    sealed = _seal(b"payload", file_name="a.xml", receiver_id="DXPEDCCEB0000003")
    assert is_envelope(sealed)
    assert open_envelope(sealed) == Envelope(
        message_id=MESSAGE_ID,
        sender_id="DXPENT0000000012",
        receiver_ids=("DXPEDCCEB0000003",),
        created_at=AT,
        message_type="CEB311Message",
        payload=b"payload",
        file_name="a.xml",
    )


def test_created_at_is_written_in_shanghai_time_and_a_message_id_is_made() -> None:
    sealed = _seal(created_at=datetime(2026, 3, 2, 2, 15, 30, tzinfo=UTC), message_id=None)
    envelope = open_envelope(sealed)
    assert b"<dxp:CreatTime>2026-03-02T10:15:30</dxp:CreatTime>" in sealed
    assert envelope.created_at == AT
    assert len(envelope.message_id) == 36 and envelope.message_id == envelope.message_id.upper()


def test_official_order_sample_in_an_envelope() -> None:
    sample = ceb_path("samples", "202205", "import", "CEB311Message.xml").read_bytes()
    sealed = _seal(sample)
    assert not is_envelope(sample)
    envelope = open_envelope(sealed)
    assert envelope.payload == sample
    outcome = parse_message(envelope.payload)
    assert outcome.problems == [] and outcome.message is not None and len(outcome.message.documents) == 6


def test_foreign_envelopes_are_read() -> None:
    data = (
        b'<DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' ver="1.0"><TransInfo><CopMsgId>m1</CopMsgId><SenderId>DXPENT0000000001</SenderId>'
        b"<ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId><ReceiverId>DXPENT0000000002</ReceiverId></ReceiverIds>"
        b"<CreatTime>2026-03-02T10:15:30.5+08:00</CreatTime><MsgType>CEB311Message</MsgType></TransInfo>"
        b"<Data>\n  PHgv\n  Pg==\n</Data><AddInfo><FileName>f.xml</FileName><IcCard>1</IcCard></AddInfo></DxpMsg>"
    )
    envelope = open_envelope(data)
    assert envelope.receiver_ids == ("DXPEDCCEB0000002", "DXPENT0000000002")
    assert envelope.payload == b"<x/>"
    assert envelope.created_at == datetime(2026, 3, 2, 10, 15, 30, 500000, tzinfo=SHANGHAI)
    assert envelope.file_name == "f.xml"


def test_every_envelope_problem_is_reported() -> None:
    root = etree.fromstring(_seal())
    root.set("ver", "2.0")
    info = root.find(f"{{{DXP}}}TransInfo")
    assert info is not None
    info.find(f"{{{DXP}}}SenderId").text = "S" * 17
    info.find(f"{{{DXP}}}CreatTime").text = "20260302101530"
    holder = info.find(f"{{{DXP}}}ReceiverIds")
    assert holder is not None
    for _ in range(5):
        etree.SubElement(holder, f"{{{DXP}}}ReceiverId").text = "R"
    root.find(f"{{{DXP}}}Data").text = "not base64!"
    assert _refusal(etree.tostring(root)) == [
        ("FMT-FIXED", "@ver"),
        ("FMT-LENGTH", "TransInfo/SenderId"),
        ("FMT-STRUCTURE", "TransInfo/ReceiverIds"),
        ("FMT-DATETIME", "TransInfo/CreatTime"),
        ("FMT-STRUCTURE", "Data"),
    ]


def test_missing_parts_and_wrong_roots() -> None:
    assert _refusal(b'<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0"/>') == [
        ("FMT-REQUIRED", "TransInfo"),
        ("FMT-REQUIRED", "Data"),
    ]
    empty_data = _seal().replace(base64.b64encode(b"<x/>"), b"")
    assert _refusal(empty_data) == [("FMT-REQUIRED", "Data")]
    assert _refusal(b"<DxpMsg/>") == [("FMT-STRUCTURE", "DxpMsg")]
    assert not is_envelope(b"<DxpMsg/>")
    assert not is_envelope(b"garbage")
    # The cheap check reads the first element only: the intake then parses the envelope once, fully.
    assert looks_like_envelope(b"<DxpMsg xmlns='http://www.chinaport.gov.cn/dxp'/>")
    assert looks_like_envelope(_seal()[:-20])
    assert not looks_like_envelope(b"<DxpMsg/>") and not looks_like_envelope(b"garbage")


def test_seal_refuses_bad_arguments() -> None:
    with pytest.raises(MessageRefused) as caught:
        _seal(b"", sender_id="", message_type="M" * 31)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("FMT-REQUIRED", "TransInfo/SenderId"),
        ("FMT-LENGTH", "TransInfo/MsgType"),
        ("FMT-REQUIRED", "Data"),
    ]
