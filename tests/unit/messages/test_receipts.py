"""Receipts (回执), tax bills (电子税单, CEB816) and format-check receipts (CEB900)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Edition,
    MessageRefused,
    MessageType,
    parse_format_receipt,
    parse_receipts,
    parse_tax_bills,
    receipt_message_type,
    render_format_receipt,
    render_receipts,
    render_tax_bills,
)
from tests.unit.messages import builders as b
from tests.unit.messages.conftest import sample_files

NS = {"ceb": "http://www.chinaport.gov.cn/ceb"}
RECEIPT_TYPES = [
    MessageType.ORDER_RECEIPT,
    MessageType.PAYMENT_RECEIPT,
    MessageType.WAYBILL_RECEIPT,
    MessageType.WAYBILL_STATUS_RECEIPT,
    MessageType.INVENTORY_RECEIPT,
    MessageType.CANCEL_RECEIPT,
    MessageType.RETURN_RECEIPT,
    MessageType.ARRIVAL_RECEIPT,
]


def _refusal(call: object, *args: object) -> list[tuple[str, str]]:
    with pytest.raises(MessageRefused) as caught:
        call(*args)  # type: ignore[operator]
    return [(p.rule_id, p.field) for p in caught.value.problems]


@pytest.mark.parametrize("edition", list(Edition))
def test_official_receipt_samples_parse(edition: Edition) -> None:
    files = [
        p for p in sample_files(edition) if p.name[3:6] in {"312", "412", "512", "514", "622", "624", "626", "712"}
    ]
    assert len(files) == 8
    for path in files:
        receipts = parse_receipts(path.read_bytes(), edition=edition)
        assert len(receipts) == 10, path.name
        assert {r.message_type.value for r in receipts} == {path.stem}


def test_inventory_receipt_sample_values() -> None:
    path = next(p for p in sample_files(Edition.E202205) if p.name == "CEB622Message.xml")
    first = parse_receipts(path.read_bytes())[0]
    assert first == b.receipt(
        MessageType.INVENTORY_RECEIPT,
        guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        customs_code="1501",
        platform_code="1105910159",
        ecommerce_code="1105910159",
        agent_code="1105980159",
        enterprise_ref_no="cop2016032211000",
        eport_no="B20160512000001882",
        inventory_no=None,
        status="1",
        returned_at=datetime(2016, 5, 12, 10, 26, 46, 1000, tzinfo=SHANGHAI),
        info="暂存",
    )


@pytest.mark.parametrize("message_type", RECEIPT_TYPES, ids=str)
def test_receipts_round_trip(message_type: MessageType) -> None:
    receipts = [b.receipt(message_type), b.receipt(message_type, guid=b.guid(999), status="399", info="审结")]
    xml = render_receipts(receipts)
    assert parse_receipts(xml) == receipts
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS['ceb']}}}{message_type.value}"
    assert root.get("guid") == receipts[0].guid
    assert root.findtext("*/ceb:returnTime", namespaces=NS) == "20260302101601234"


def test_receipt_renders_only_the_fields_of_its_type_in_xsd_order() -> None:
    receipt = b.receipt(MessageType.PAYMENT_RECEIPT, order_no="ORD1", logistics_no="L1", customs_code="4601")
    root = etree.fromstring(render_receipts([receipt], message_guid=b.guid(7)))
    assert root.get("guid") == b.guid(7)
    assert [etree.QName(e).localname for e in root[0]] == [
        "guid",
        "payCode",
        "payTransactionId",
        "returnStatus",
        "returnTime",
        "returnInfo",
    ]


def test_receipts_that_would_break_the_xsd_are_refused() -> None:
    bad = b.receipt(MessageType.INVENTORY_RECEIPT, eport_no=None, enterprise_ref_no="C" * 21)
    assert _refusal(render_receipts, [bad]) == [
        ("FMT-LENGTH", "InventoryReturn[1]/copNo"),
        ("FMT-REQUIRED", "InventoryReturn[1]/preNo"),
    ]
    short = b.receipt(MessageType.INVENTORY_RECEIPT, eport_no="B2026")
    assert _refusal(render_receipts, [short]) == [("FMT-LENGTH", "InventoryReturn[1]/preNo")]
    assert _refusal(render_receipts, [b.receipt(MessageType.ORDER_RECEIPT, info="")]) == [
        ("FMT-REQUIRED", "OrderReturn[1]/returnInfo")
    ]
    many = [b.receipt(MessageType.ORDER_RECEIPT)] * 101
    assert _refusal(render_receipts, many) == [("FMT-STRUCTURE", "OrderReturn")]
    mixed = [b.receipt(MessageType.ORDER_RECEIPT), b.receipt(MessageType.PAYMENT_RECEIPT)]
    assert _refusal(render_receipts, mixed) == [("FMT-STRUCTURE", "message_type")]
    assert _refusal(render_receipts, []) == [("FMT-STRUCTURE", "")]
    not_a_receipt = replace(b.receipt(MessageType.ORDER_RECEIPT), message_type=MessageType.ORDER)
    assert _refusal(render_receipts, [not_a_receipt]) == [("FMT-STRUCTURE", "message_type")]


def test_parse_receipts_reports_every_problem_and_wrong_types() -> None:
    xml = render_receipts([b.receipt(MessageType.ORDER_RECEIPT)])
    root = etree.fromstring(xml)
    root.find("*/ceb:returnTime", NS).text = "2026030210160"
    root.find("*/ceb:orderNo", NS).text = ""
    assert _refusal(parse_receipts, etree.tostring(root)) == [
        ("FMT-REQUIRED", "OrderReturn[1]/orderNo"),
        ("FMT-LENGTH", "OrderReturn[1]/returnTime"),
    ]
    root.find("*/ceb:returnTime", NS).text = "20260230101601234"
    assert ("FMT-DATETIME", "OrderReturn[1]/returnTime") in _refusal(parse_receipts, etree.tostring(root))
    declaration = b"<ceb:CEB311Message xmlns:ceb='http://www.chinaport.gov.cn/ceb' guid='g' version='1'/>"
    assert _refusal(parse_receipts, declaration) == [("FMT-STRUCTURE", "CEB311Message")]
    assert _refusal(parse_tax_bills, xml) == [("FMT-STRUCTURE", "CEB312Message")]


def test_receipt_message_type() -> None:
    pairs = {
        MessageType.ORDER: MessageType.ORDER_RECEIPT,
        MessageType.PAYMENT: MessageType.PAYMENT_RECEIPT,
        MessageType.WAYBILL: MessageType.WAYBILL_RECEIPT,
        MessageType.WAYBILL_STATUS: MessageType.WAYBILL_STATUS_RECEIPT,
        MessageType.INVENTORY: MessageType.INVENTORY_RECEIPT,
        MessageType.CANCEL: MessageType.CANCEL_RECEIPT,
        MessageType.RETURN: MessageType.RETURN_RECEIPT,
        MessageType.ARRIVAL: MessageType.ARRIVAL_RECEIPT,
    }
    assert {t: receipt_message_type(t) for t in pairs} == pairs
    with pytest.raises(ValueError, match="CEB312Message has no receipt message"):
        receipt_message_type(MessageType.ORDER_RECEIPT)


def test_tax_bills_round_trip() -> None:
    bills = [b.tax_bill(), b.tax_bill(guid=b.guid(301), tax_no="TAX2", status="3", payment_doc_no="D1", note="作废")]
    xml = render_tax_bills(bills)
    assert parse_tax_bills(xml) == bills
    root = etree.fromstring(xml)
    assert [etree.QName(e).localname for e in root[0]] == ["TaxHeadRd", "TaxListRd", "TaxListRd"]
    assert root.findtext("ceb:Tax/ceb:TaxListRd/ceb:taxPrice", namespaces=NS) == "122.89"
    assert _refusal(render_tax_bills, [b.tax_bill(lines=())]) == [("FMT-REQUIRED", "Tax[1]/TaxListRd")]
    assert _refusal(render_tax_bills, []) == [("FMT-STRUCTURE", "")]


def test_format_receipt_round_trip() -> None:
    receipt = b.format_receipt(info="x" * 5000, original_message_id="", original_message="<a>&amp;</a>")
    xml = render_format_receipt(receipt)
    assert parse_format_receipt(xml) == receipt
    assert etree.fromstring(xml).findtext("*/ceb:oriBizMessage", namespaces=NS) == "<a>&amp;</a>"
    assert _refusal(render_format_receipt, b.format_receipt(info="x" * 5001)) == [
        ("FMT-LENGTH", "MessageReturn/returnInfo")
    ]
    unknown = b.format_receipt(original_message_type="Unknown", original_message="")
    assert parse_format_receipt(render_format_receipt(unknown)) == unknown


def test_format_receipt_quotes_garbage_safely() -> None:
    receipt = b.format_receipt(original_message="\x00\x01<a>\udc80ok", info="bad\x0b")
    parsed = parse_format_receipt(render_format_receipt(receipt))
    assert parsed.original_message == "\ufffd\ufffd<a>\ufffdok"
    assert parsed.info == "bad\ufffd"


def test_receipt_info_is_made_xml_safe() -> None:
    xml = render_receipts([b.receipt(MessageType.ORDER_RECEIPT, info="值\x01无效")])
    assert parse_receipts(xml)[0].info == "值\ufffd无效"
