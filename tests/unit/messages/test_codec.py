"""Codec of declaration messages (报文编解码): official samples, every format problem at once, exact values."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import Edition, MessageType, Transfer, parse_message, render_message
from cbec.messages.documents import AppStatus, AppType, ImportOrder, Inventory
from tests.unit.messages import builders as b
from tests.unit.messages.conftest import ceb_path, sample_files

CEB = "http://www.chinaport.gov.cn/ceb"
NS = {"ceb": CEB}
DECLARATIONS = ("CEB311", "CEB411", "CEB511", "CEB513", "CEB621", "CEB623", "CEB625", "CEB711")


def _edit(xml: bytes, xpath: str, text: str | None = None, *, remove: bool = False) -> bytes:
    root = etree.fromstring(xml)
    nodes = root.xpath(xpath, namespaces=NS)
    assert nodes, xpath
    for node in nodes:
        if remove:
            node.getparent().remove(node)
        else:
            node.text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _problems(xml: bytes, **kwargs: object) -> list[tuple[str, str]]:
    outcome = parse_message(xml, **kwargs)
    assert outcome.message is None
    return [(p.rule_id, p.field) for p in outcome.problems]


def _order_xml(*orders: ImportOrder) -> bytes:
    return render_message(b.message(*(orders or (b.order(),))))


# --- official samples -------------------------------------------------------------------------------


@pytest.mark.parametrize("edition", list(Edition))
def test_every_official_declaration_sample_parses_without_problems(edition: Edition) -> None:
    parsed = 0
    for path in sample_files(edition):
        if not path.name.startswith(DECLARATIONS):
            continue
        outcome = parse_message(path.read_bytes(), edition=edition)
        assert outcome.problems == [], path.name
        assert outcome.message is not None
        assert outcome.message_type == path.name.removesuffix(".xml")
        assert outcome.message.signed is True
        assert outcome.message.raw == path.read_bytes()
        parsed += 1
    assert parsed == 8


def test_order_sample_values_are_exact() -> None:
    outcome = parse_message(ceb_path("samples", "202205", "import", "CEB311Message.xml").read_bytes())
    message = outcome.message
    assert message is not None
    assert (outcome.guid, message.guid, message.version) == ("4CDE1CFD-EDED-46B1-946C-B8022E42FC94",) * 2 + ("1.0",)
    assert message.message_type is MessageType.ORDER
    order = message.documents[0]
    assert isinstance(order, ImportOrder)
    assert order.declaration.app_time == datetime(2016, 3, 8, 11, 27, 1, tzinfo=SHANGHAI)
    assert order.declaration.app_type is AppType.NEW
    assert order.declaration.app_status is AppStatus.DECLARED
    assert (order.order_no, order.platform_name) == ("order20160321116421002", "东方物通科技(北京)有限公司")
    assert (order.goods_value, order.freight, order.tax_total, order.actual_paid) == (
        Decimal("14000"),
        Decimal("5000"),
        Decimal("50"),
        Decimal("19050"),
    )
    assert (order.consignee_district, order.note) == ("072750", "test")
    line = order.lines[1]
    assert (line.line_no, line.item_no, line.quantity, line.unit_price, line.total_price) == (
        2,
        "AF001-002",
        Decimal("200"),
        Decimal("10"),
        Decimal("12000"),
    )
    assert line.note is None  # <ceb:note></ceb:note>
    assert message.transfer == Transfer("1101180326", "物流企业", "DXP", "EXP2016522002580001", "test")


def test_inventory_sample_values_are_exact() -> None:
    outcome = parse_message(ceb_path("samples", "202205", "import", "CEB621Message.xml").read_bytes())
    assert outcome.message is not None
    first, second = outcome.message.documents[:2]
    assert isinstance(first, Inventory) and isinstance(second, Inventory)
    assert (first.declared_on, first.import_date) == (date(2016, 3, 8), date(2016, 3, 8))
    assert (first.eport_no, first.inventory_no, first.location_no, first.note) == (None, None, None, None)
    assert (first.enterprise_ref_no, first.account_book_no, first.departure_country) == (
        "NBBH20160308005",
        "S1501I000164",
        "116",
    )
    assert (first.declaration.app_status, second.declaration.app_status) == (AppStatus.DECLARED, AppStatus.DRAFT)
    assert (first.pack_count, first.gross_weight) == (6000, Decimal("4000"))
    line = first.lines[0]
    assert (line.hs_code, line.legal_quantity, line.legal_unit, line.second_quantity, line.second_unit) == (
        "8541401000",
        Decimal("200"),
        "007",
        Decimal("300"),
        "035",
    )
    assert (line.trade_country, first.lines[1].trade_country) == ("116", None)


# --- round trip and rendering -------------------------------------------------------------------------


@pytest.mark.parametrize("message_type", list(b.all_declarations()), ids=str)
def test_rendered_declarations_parse_back_to_the_same_documents(message_type: MessageType) -> None:
    message = b.all_declarations()[message_type]
    xml = render_message(message)
    outcome = parse_message(xml)
    assert outcome.problems == []
    assert outcome.message is not None
    assert outcome.message.documents == message.documents
    assert outcome.message.transfer == message.transfer
    assert outcome.message.subscriptions == message.subscriptions
    assert outcome.message.signed is False
    assert render_message(outcome.message) == xml


def test_render_layout() -> None:
    xml = _order_xml()
    assert xml.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"'
    )
    root = etree.fromstring(xml)
    assert [etree.QName(c).localname for c in root] == ["Order", "BaseTransfer"]
    head = root.find("ceb:Order/ceb:OrderHead", NS)
    assert head is not None
    names = [etree.QName(c).localname for c in head]
    assert names[:5] == ["guid", "appType", "appTime", "appStatus", "orderType"]
    assert "batchNumbers" not in names and "note" not in names  # None fields are omitted
    assert head.findtext("ceb:appTime", namespaces=NS) == "20260302101530"
    assert head.findtext("ceb:goodsValue", namespaces=NS) == "387.8"
    assert root.find(".//{http://www.w3.org/2000/09/xmldsig#}Signature") is None


def test_decimals_render_in_plain_notation_and_parse_exactly() -> None:
    order = b.order(freight=Decimal("1E+2"), discount=Decimal("0.00001"), tax_total=Decimal("-0"))
    xml = _order_xml(order)
    head = etree.fromstring(xml).find("ceb:Order/ceb:OrderHead", NS)
    assert head is not None
    assert [head.findtext(f"ceb:{n}", namespaces=NS) for n in ("freight", "discount", "taxTotal")] == [
        "100",
        "0.00001",
        "-0",
    ]
    xml = _edit(xml, "//ceb:OrderHead/ceb:goodsValue", "0001234567890123.45600")
    outcome = parse_message(xml)
    assert outcome.message is not None
    value = outcome.message.documents[0].goods_value
    assert str(value) == "1234567890123.45600"


def test_default_namespace_and_other_prefixes_are_read() -> None:
    xml = _order_xml().replace(b"ceb:", b"").replace(b"xmlns:ceb=", b"xmlns=")
    outcome = parse_message(xml)
    assert outcome.problems == []
    assert outcome.message is not None and outcome.message.documents[0] == b.order()
    other = _order_xml().replace(b"ceb:", b"c:").replace(b"xmlns:ceb=", b"xmlns:c=")
    assert parse_message(other).problems == []


def test_extension_data_is_checked_and_dropped() -> None:
    root = etree.fromstring(_order_xml())
    extension = etree.SubElement(root, f"{{{CEB}}}ExtendMessage")
    etree.SubElement(extension, f"{{{CEB}}}name").text = "zone"
    etree.SubElement(extension, f"{{{CEB}}}version").text = "1"
    etree.SubElement(etree.SubElement(extension, f"{{{CEB}}}Message"), "anything").text = "free"
    outcome = parse_message(etree.tostring(root))
    assert outcome.problems == []
    etree.SubElement(extension, f"{{{CEB}}}extra")
    assert _problems(etree.tostring(root)) == [("FMT-STRUCTURE", "ExtendMessage/extra")]


def test_signature_is_detected_not_required() -> None:
    root = etree.fromstring(render_message(b.all_declarations()[MessageType.INVENTORY]))
    assert parse_message(etree.tostring(root)).message.signed is False
    etree.SubElement(root, "{http://www.w3.org/2000/09/xmldsig#}Signature")
    outcome = parse_message(etree.tostring(root))
    assert outcome.message is not None and outcome.message.signed is True


# --- problems ------------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once_with_paths() -> None:
    xml = _order_xml(b.order(), b.order(order_no="ORD2"))
    xml = _edit(xml, "//ceb:Order[2]/ceb:OrderHead/ceb:orderNo", "N" * 61)
    xml = _edit(xml, "//ceb:Order[2]/ceb:OrderList[2]/ceb:qty", "1,5")
    xml = _edit(xml, "//ceb:Order[1]/ceb:OrderHead/ceb:currency", "156")
    xml = _edit(xml, "//ceb:Order[1]/ceb:OrderHead/ceb:appTime", "20260230101530")
    xml = _edit(xml, "//ceb:Order[1]/ceb:OrderHead/ceb:buyerName", remove=True)
    xml = _edit(xml, "//ceb:Order[1]/ceb:OrderList[1]/ceb:gnum", "1.0")
    xml = _edit(xml, "//ceb:Order[2]/ceb:OrderHead/ceb:appType", "4")
    xml = _edit(xml, "//ceb:BaseTransfer/ceb:dxpMode", "DXPX")
    outcome = parse_message(xml)
    assert outcome.message is None
    assert outcome.message_type == "CEB311Message"
    assert [(p.rule_id, p.field) for p in outcome.problems] == [
        ("FMT-DATETIME", "Order[1]/OrderHead/appTime"),
        ("FMT-FIXED", "Order[1]/OrderHead/currency"),
        ("FMT-REQUIRED", "Order[1]/OrderHead/buyerName"),
        ("FMT-INTEGER", "Order[1]/OrderList[1]/gnum"),
        ("FMT-CODE", "Order[2]/OrderHead/appType"),
        ("FMT-LENGTH", "Order[2]/OrderHead/orderNo"),
        ("FMT-DECIMAL", "Order[2]/OrderList[2]/qty"),
        ("FMT-LENGTH", "BaseTransfer/dxpMode"),
    ]
    by_field = {p.field: p for p in outcome.problems}
    assert by_field["Order[1]/OrderHead/buyerName"].message == "必填元素缺失 / required element missing"
    assert by_field["Order[1]/OrderHead/buyerName"].hint == "填写 buyerName（订购人的真实姓名） / fill in buyerName"
    assert (
        by_field["Order[2]/OrderHead/orderNo"].message
        == "长度超过 60 个字符（实为 61）/ longer than 60 characters (61)"
    )
    assert by_field["Order[1]/OrderHead/currency"].message == "取值必须为 142 / value must be 142"
    assert by_field["Order[1]/OrderHead/appTime"].message == (
        "时间格式应为 yyyyMMddHHmmss 且为真实日期时间：20260230101530 / must be a real yyyyMMddHHmmss date/time"
    )
    assert by_field["BaseTransfer/dxpMode"].message == "长度应为 3 个字符，实为 4 / must be exactly 3 characters, got 4"
    assert all(p.hint and p.severity == "error" and p.code is None for p in outcome.problems)


def test_lengths_count_characters_not_bytes() -> None:
    assert parse_message(_order_xml(b.order(platform_name="跨" * 100))).problems == []
    assert _problems(_order_xml(b.order(platform_name="跨" * 101))) == [("FMT-LENGTH", "Order[1]/OrderHead/ebpName")]
    assert _problems(_order_xml(b.order(consignee_district="46010"))) == [
        ("FMT-LENGTH", "Order[1]/OrderHead/consigneeDistrict")
    ]


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("1234567890123456789", True),
        ("12345678901234567890", False),
        ("12345678901234.12345", True),
        ("123456789012345.12345", False),
        ("1.12345", True),
        ("1.123456", False),
        ("1.1234500000", True),
        ("+7", True),
        ("-0.5", True),
        (".5", True),
        ("5.", True),
        (" 12 ", True),
        ("1e5", False),
        ("1,000", False),
        ("NaN", False),
        ("Infinity", False),
        ("", False),
    ],
)
def test_decimal_facets_follow_the_xsd(text: str, valid: bool) -> None:
    xml = _edit(_order_xml(), "//ceb:OrderHead/ceb:freight", text)
    outcome = parse_message(xml)
    if valid:
        assert outcome.problems == []
    else:
        assert [(p.rule_id if text else "FMT-REQUIRED", p.field) for p in outcome.problems] == [
            ("FMT-REQUIRED" if not text else "FMT-DECIMAL", "Order[1]/OrderHead/freight")
        ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("1", None),
        ("+1", None),
        ("007", None),
        ("2147483647", None),
        ("2147483648", "FMT-INTEGER"),
        ("1.0", "FMT-INTEGER"),
        ("x", "FMT-INTEGER"),
    ],
)
def test_int_facets_follow_the_xsd(text: str, rule: str | None) -> None:
    xml = _edit(_order_xml(), "//ceb:OrderList[1]/ceb:gnum", text)
    problems = parse_message(xml).problems
    assert [(p.rule_id, p.field) for p in problems] == ([] if rule is None else [(rule, "Order[1]/OrderList[1]/gnum")])


def test_pack_count_total_digits() -> None:
    xml = render_message(b.all_declarations()[MessageType.WAYBILL])
    assert parse_message(_edit(xml, "//ceb:packNo", "999999999")).problems == []
    assert _problems(_edit(xml, "//ceb:packNo", "1000000000")) == [("FMT-INTEGER", "Logistics[1]/LogisticsHead/packNo")]


def test_empty_elements() -> None:
    xml = _order_xml(b.order(note="n", batch_numbers="B1"))
    outcome = parse_message(_edit(_edit(xml, "//ceb:OrderHead/ceb:note", ""), "//ceb:OrderHead/ceb:batchNumbers", ""))
    assert outcome.message is not None
    assert (outcome.message.documents[0].note, outcome.message.documents[0].batch_numbers) == (None, None)
    assert _problems(_edit(xml, "//ceb:OrderHead/ceb:orderNo", "")) == [("FMT-REQUIRED", "Order[1]/OrderHead/orderNo")]
    assert parse_message(_edit(xml, "//ceb:OrderHead/ceb:orderNo", "")).problems[0].message == (
        "必填字段为空 / required field is empty"
    )
    # an empty element with a fixed value takes the fixed value (XSD rule)
    outcome = parse_message(_edit(xml, "//ceb:OrderHead/ceb:currency", ""))
    assert outcome.message is not None and outcome.message.documents[0].currency == "142"
    # an optional decimal cannot be an empty element
    waybill = render_message(b.all_declarations()[MessageType.WAYBILL])
    assert _problems(_edit(waybill, "//ceb:insuredFee", "")) == [
        ("FMT-DECIMAL", "Logistics[1]/LogisticsHead/insuredFee")
    ]


def test_structure_problems() -> None:
    xml = _order_xml()
    root = etree.fromstring(xml)
    head = root.find("ceb:Order/ceb:OrderHead", NS)
    assert head is not None
    etree.SubElement(head, f"{{{CEB}}}unknownField").text = "x"
    etree.SubElement(head, "{http://example.com}note").text = "x"
    order_type = head.find("ceb:orderType", NS)
    order_no = head.find("ceb:orderNo", NS)
    assert order_type is not None and order_no is not None
    head.remove(order_type)
    order_no.addnext(order_type)  # orderNo before orderType
    head.set("extra", "1")
    assert _problems(etree.tostring(root)) == [
        ("FMT-STRUCTURE", "Order[1]/OrderHead/@extra"),
        ("FMT-STRUCTURE", "Order[1]/OrderHead/orderType"),
        ("FMT-STRUCTURE", "Order[1]/OrderHead/unknownField"),
        ("FMT-STRUCTURE", "Order[1]/OrderHead/note"),
    ]


def test_occurrence_limits() -> None:
    hundred_lines = tuple(replace(b.order_lines()[0], line_no=i) for i in range(1, 100))
    assert parse_message(_order_xml(b.order(lines=hundred_lines))).problems == []
    too_many = (*hundred_lines, replace(b.order_lines()[0], line_no=100))
    outcome = parse_message(_order_xml(b.order(lines=too_many)))
    assert [(p.rule_id, p.field, p.message) for p in outcome.problems] == [
        ("FMT-STRUCTURE", "Order[1]/OrderList", "出现次数超过 99 / more than 99 occurrences")
    ]
    assert parse_message(_order_xml(*[b.order()] * 100)).problems == []
    assert _problems(_order_xml(*[b.order()] * 101)) == [("FMT-STRUCTURE", "Order")]
    assert _problems(_order_xml(b.order(lines=()))) == [("FMT-REQUIRED", "Order[1]/OrderList")]
    assert _problems(_edit(_order_xml(), "//ceb:BaseTransfer", remove=True)) == [("FMT-REQUIRED", "BaseTransfer")]
    assert _problems(_edit(_order_xml(), "//ceb:Order", remove=True)) == [("FMT-REQUIRED", "Order")]
    root = etree.fromstring(_order_xml())
    root.append(copy.deepcopy(root.find("ceb:BaseTransfer", NS)))
    assert _problems(etree.tostring(root)) == [("FMT-STRUCTURE", "BaseTransfer")]


def test_root_attributes_and_stray_text() -> None:
    root = etree.fromstring(_order_xml())
    del root.attrib["guid"]
    root.set("version", "")
    root.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", "x")  # allowed
    root.find("ceb:Order", NS).text = "stray"
    assert _problems(etree.tostring(root)) == [
        ("FMT-REQUIRED", "@version"),
        ("FMT-REQUIRED", "@guid"),
        ("FMT-STRUCTURE", "Order[1]"),
    ]


def test_arrival_paths_have_no_index_for_the_single_delivery() -> None:
    xml = render_message(b.all_declarations()[MessageType.ARRIVAL])
    xml = _edit(xml, "//ceb:DeliveryList[2]/ceb:logisticsNo", "L" * 61)
    assert _problems(xml) == [("FMT-LENGTH", "Delivery/DeliveryList[2]/logisticsNo")]


def test_dates_and_times_are_real_calendar_values() -> None:
    xml = render_message(b.all_declarations()[MessageType.INVENTORY])
    assert _problems(_edit(xml, "//ceb:declTime", "20261301")) == [
        ("FMT-DATETIME", "Inventory[1]/InventoryHead/declTime")
    ]
    assert _problems(_edit(xml, "//ceb:declTime", "2026-03-01")) == [
        ("FMT-LENGTH", "Inventory[1]/InventoryHead/declTime")
    ]
    assert _problems(_edit(xml, "//ceb:appTime", "2026030210153x")) == [
        ("FMT-DATETIME", "Inventory[1]/InventoryHead/appTime")
    ]
    outcome = parse_message(_edit(xml, "//ceb:appTime", "20240229235959"))
    assert outcome.message is not None
    moment = outcome.message.documents[0].declaration.app_time
    assert moment == datetime(2024, 2, 29, 23, 59, 59, tzinfo=SHANGHAI)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 8 * 3600


class Tables:
    """A code-table stub: only the listed codes exist."""

    codes: ClassVar[dict[str, set[str]]] = {
        "country": {"142", "116", "601"},
        "currency": {"142"},
        "unit": {"122", "142", "035"},
        "transport_mode": {"5", "Y"},
        "trade_mode": {"1210", "9610"},
        "wrap_type": {"2"},
    }

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def contains(self, table: str, code: str) -> bool:
        self.asked.append((table, code))
        return code in self.codes[table]


def test_code_tables_are_checked_when_given() -> None:
    inventory = b.inventory(trade_mode="9710", transport_mode="W", wrap_type="9", departure_country="999")
    lines = (replace(b.inventory_lines()[0], unit="777", trade_country="998"), b.inventory_lines()[1])
    xml = render_message(b.message(replace(inventory, lines=lines), transfer=b.transfer(b.AGENT)))
    assert parse_message(xml).problems == []  # no tables: not checked
    tables = Tables()
    outcome = parse_message(xml, code_tables=tables)
    assert [(p.rule_id, p.field) for p in outcome.problems] == [
        ("FMT-CODE", "Inventory[1]/InventoryHead/tradeMode"),
        ("FMT-CODE", "Inventory[1]/InventoryHead/trafMode"),
        ("FMT-CODE", "Inventory[1]/InventoryHead/country"),
        ("FMT-CODE", "Inventory[1]/InventoryHead/wrapType"),
        ("FMT-CODE", "Inventory[1]/InventoryList[1]/tradeCountry"),
        ("FMT-CODE", "Inventory[1]/InventoryList[1]/unit"),
    ]
    assert outcome.problems[0].message == "参数代码不在trade_mode代码表中：9710 / code 9710 not in the trade_mode table"
    assert ("currency", "142") in tables.asked and ("unit", "035") in tables.asked
    good = render_message(b.all_declarations()[MessageType.INVENTORY])
    assert parse_message(good, code_tables=Tables()).problems == []


def test_edition_decides_the_inventory_item_no_length() -> None:
    lines = (replace(b.inventory_lines()[0], item_no="S" * 25), b.inventory_lines()[1])
    message = b.message(b.inventory(lines=lines), edition=Edition.E2018)
    xml = render_message(message, edition=Edition.E2018)
    outcome = parse_message(xml, edition=Edition.E2018)
    assert outcome.problems == []
    assert outcome.message is not None and outcome.message.edition is Edition.E2018
    assert _problems(xml) == [("FMT-LENGTH", "Inventory[1]/InventoryList[1]/itemNo")]
    empty_trade_country = _edit(
        render_message(b.message(b.inventory())), "//ceb:InventoryList[1]/ceb:tradeCountry", "16"
    )
    assert parse_message(empty_trade_country).problems == []
    assert _problems(empty_trade_country, edition=Edition.E2018) == [
        ("FMT-LENGTH", "Inventory[1]/InventoryList[1]/tradeCountry")
    ]


def test_receipts_and_export_messages_are_not_declarations(tmp_path: Path) -> None:
    receipt = parse_message(ceb_path("samples", "202205", "import", "CEB312Message.xml").read_bytes())
    assert (receipt.message, receipt.message_type, [p.rule_id for p in receipt.problems]) == (
        None,
        "CEB312Message",
        ["FMT-STRUCTURE"],
    )
    export = parse_message(ceb_path("samples", "202205", "export", "CEB304Message.xml").read_bytes())
    assert (export.message_type, export.problems[0].field) == ("CEB304Message", "CEB304Message")
    unknown = parse_message(b'<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>')
    assert unknown.message_type == "Unknown"


def test_huge_numbers_do_not_crash() -> None:
    xml = _edit(_order_xml(), "//ceb:OrderList[1]/ceb:gnum", "0" * 5000 + "1")
    outcome = parse_message(xml)
    assert outcome.problems == []
    assert outcome.message is not None and outcome.message.documents[0].lines[0].line_no == 1
    assert _problems(_edit(_order_xml(), "//ceb:OrderList[1]/ceb:gnum", "9" * 5000)) == [
        ("FMT-INTEGER", "Order[1]/OrderList[1]/gnum")
    ]
    assert _problems(_edit(_order_xml(), "//ceb:OrderHead/ceb:freight", "9" * 5000)) == [
        ("FMT-DECIMAL", "Order[1]/OrderHead/freight")
    ]
