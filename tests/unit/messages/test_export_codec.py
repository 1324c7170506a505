"""Codec of export declaration messages (出口报文编解码): samples, exact values, edition differences, R13/R14."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Departure,
    Edition,
    ExportArrival,
    ExportInventory,
    ExportInventoryLine,
    ExportMessageType,
    ExportReturn,
    MessageRefused,
    ParcelLine,
    SummaryApplication,
    parse_message,
    render_message,
)
from cbec.messages.codec import message_type_of
from cbec.messages.documents import AppStatus, AppType, Declaration, MessageType
from tests.unit.messages import export_builders as x

CEB = "http://www.chinaport.gov.cn/ceb"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ceb": CEB}


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


def _problems(xml: bytes, **kwargs: Any) -> list[tuple[str, str]]:
    outcome = parse_message(xml, **kwargs)
    assert outcome.message is None
    return [(p.rule_id, p.field) for p in outcome.problems]


def _xml(message_type: ExportMessageType, edition: Edition = Edition.E202205) -> bytes:
    return render_message(x.all_export_declarations(edition)[message_type], edition=edition)


def _sample(edition: Edition, stem: str) -> bytes:
    return next(p for p in x.export_samples(edition) if p.stem == stem).read_bytes()


# --- official samples, exact values -------------------------------------------------------------------


def test_2018_inventory_sample_values_are_exact() -> None:
    outcome = parse_message(_sample(Edition.E2018, "CEB603Message"), edition=Edition.E2018)
    message = outcome.message
    assert message is not None and outcome.problems == []
    assert (message.message_type, message.edition, message.guid, message.signed) == (
        ExportMessageType.INVENTORY,
        Edition.E2018,
        "311af125-6fed-4603-8c5d-49b1fa4b4b9b",
        True,
    )
    assert message.transfer.sender_code == "1105910159"
    inventory = message.documents[0]
    assert isinstance(inventory, ExportInventory)
    assert inventory.declaration == Declaration(
        guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        app_type=AppType.NEW,
        app_time=datetime(2018, 5, 7, 15, 30, 1, tzinfo=SHANGHAI),
        app_status=AppStatus.DECLARED,
    )
    assert (inventory.order_no, inventory.logistics_no, inventory.enterprise_ref_no) == (
        "order2018050711340001",
        "L2018050700001",
        "Cop20180507001",
    )
    assert (inventory.direction, inventory.statistics_flag, inventory.trade_mode) == ("a", "A", "0101")
    assert (inventory.export_date, inventory.destination_country, inventory.discharge_port) == (
        date(2018, 5, 8),
        "001",
        "002",
    )
    assert (inventory.freight, inventory.freight_mark, inventory.insured_fee, inventory.insurance_mark) == (
        Decimal("50.36"),
        "3",
        Decimal("52.32"),
        "3",
    )
    # empty optional elements in the sample read as absent
    assert (inventory.special_area_code, inventory.transport_name, inventory.bill_no, inventory.inventory_no) == (
        None,
        None,
        None,
        None,
    )
    assert inventory.lines[0] == ExportInventoryLine(
        line_no=1,
        item_no="AF001-001",
        hs_code="8541401000",
        goods_name="小米盒子",
        specification="44mm",
        bar_code="2345123",
        destination_country="116",
        currency="142",
        quantity=Decimal("100"),
        legal_quantity=Decimal("200"),
        unit="007",
        legal_unit="007",
        unit_price=Decimal("20"),
        total_price=Decimal("200"),
        item_record_no="1210",
        item_name="小米盒子",
        second_quantity=Decimal("300"),
        second_unit="007",
        note="test",
    )


def test_arrival_and_departure_sample_values_are_exact() -> None:
    arrival = parse_message(_sample(Edition.E2018, "CEB507Message"), edition=Edition.E2018).message
    assert arrival is not None
    head = arrival.documents[0]
    assert isinstance(head, ExportArrival)
    assert (head.direction, head.domestic_transport_no, head.location_no, head.bill_no) == (
        "E",
        "test",
        None,
        "B00024204001",
    )
    assert (head.message_count, head.message_seq_no) == (1, 1)
    assert head.lines[1] == ParcelLine(line_no=2, logistics_no="L2018050700002")
    departure = parse_message(_sample(Edition.E2018, "CEB509Message"), edition=Edition.E2018).message
    assert departure is not None
    first = departure.documents[0]
    assert isinstance(first, Departure)
    assert first.left_at == datetime(2018, 5, 8, 9, 22, 1, tzinfo=SHANGHAI)
    assert (first.transport_name, first.voyage_no) == (None, "航空")


def test_summary_application_and_return_sample_values_are_exact() -> None:
    summary = parse_message(_sample(Edition.E202205, "CEB701Message")).message
    assert summary is not None
    application = summary.documents[0]
    assert isinstance(application, SummaryApplication)
    assert application.inventory_nos == ("Invt20180507000001", "Invt20180507000002")
    assert (application.summary_flag, application.item_name_flag, application.start_time) == ("1", "1", None)
    returned = parse_message(_sample(Edition.E202205, "CEB213Message")).message
    assert returned is not None and returned.message_type is ExportMessageType.RETURN
    refund = returned.documents[0]
    assert isinstance(refund, ExportReturn)
    assert (refund.enterprise_ref_no, refund.inventory_no, refund.country, refund.direction) == (
        "back_26339801",
        "111222333",
        "303",
        "I",
    )
    assert refund.lines[0].legal_quantity == Decimal("0.0475")


# --- round trip and shape -----------------------------------------------------------------------------


@pytest.mark.parametrize("edition", list(Edition))
def test_every_export_declaration_round_trips(edition: Edition) -> None:
    for message_type, message in x.all_export_declarations(edition).items():
        xml = render_message(message, edition=edition)
        outcome = parse_message(xml, edition=edition)
        assert outcome.problems == [], message_type
        assert outcome.message is not None
        assert outcome.message.message_type is message_type
        assert outcome.message.documents == message.documents
        assert (outcome.message.transfer, outcome.message.subscriptions) == (message.transfer, message.subscriptions)
        assert render_message(outcome.message, edition=edition) == xml


def test_message_type_of_export_documents() -> None:
    for message_type, message in x.all_export_declarations().items():
        assert message_type_of(message.documents[0]) is message_type
    assert message_type_of(x.export_message(x.export_order()).documents[0]) is ExportMessageType.ORDER


def test_summary_application_list_is_a_list_of_inventory_numbers() -> None:
    xml = _xml(ExportMessageType.SUMMARY_APPLICATION)
    root = etree.fromstring(xml)
    assert root.xpath("//ceb:SummaryApplyList/ceb:invtNo/text()", namespaces=NS) == [
        x.INVENTORY_NO,
        x.SECOND_INVENTORY_NO,
    ]
    period = x.summary_application(
        inventory_nos=(),
        start_time=datetime(2026, 3, 1, 0, 0, 0, tzinfo=SHANGHAI),
        end_time=datetime(2026, 3, 31, 23, 59, 59, tzinfo=SHANGHAI),
    )
    xml = render_message(x.export_message(period))
    assert b"SummaryApplyList" not in xml and b"<ceb:startTime>20260301000000</ceb:startTime>" in xml
    outcome = parse_message(xml)
    assert outcome.message is not None and outcome.message.documents == (period,)


# --- element order at message level -------------------------------------------------------------------


def _with_tail(xml: bytes, *names: str) -> bytes:
    """Append a ds:Signature and/or an ExtendMessage to the root, in the order given."""
    root = etree.fromstring(xml)
    for name in names:
        if name == "Signature":
            signature = etree.SubElement(root, f"{{{DSIG}}}Signature", nsmap={"ds": DSIG})
            info = etree.SubElement(signature, f"{{{DSIG}}}SignedInfo")
            etree.SubElement(info, f"{{{DSIG}}}CanonicalizationMethod", Algorithm="x")
        else:
            extend = etree.SubElement(root, f"{{{CEB}}}ExtendMessage")
            etree.SubElement(extend, f"{{{CEB}}}name").text = "ext"
            etree.SubElement(extend, f"{{{CEB}}}version").text = "1.0"
            etree.SubElement(extend, f"{{{CEB}}}Message")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_export_order_is_signature_then_extend_message() -> None:
    xml = _xml(ExportMessageType.INVENTORY)
    signed = parse_message(_with_tail(xml, "Signature", "ExtendMessage"))
    assert signed.problems == []
    assert signed.message is not None and signed.message.signed is True
    assert _problems(_with_tail(xml, "ExtendMessage", "Signature")) == [("FMT-STRUCTURE", "Signature")]
    unsigned = parse_message(xml).message
    assert unsigned is not None and unsigned.signed is False


# --- edition differences (ceb-messages.md §10) --------------------------------------------------------


def test_platform_code_and_waybill_number_lengths_differ_by_edition() -> None:
    long_code = x.export_order(platform_code="9" * 30)
    for edition, expected in ((Edition.E2018, []), (Edition.E202205, [("FMT-LENGTH", "Order[1]/OrderHead/ebpCode")])):
        xml = render_message(x.export_message(long_code), edition=edition)
        assert [(p.rule_id, p.field) for p in parse_message(xml, edition=edition).problems] == expected
    long_no = x.export_waybill(logistics_no="L" * 60)
    assert parse_message(render_message(x.export_message(long_no), edition=Edition.E2018), edition=Edition.E2018).ok
    assert _problems(render_message(x.export_message(long_no))) == [("FMT-LENGTH", "Logistics[1]/logisticsNo")]


def test_inventory_number_length_differs_by_edition() -> None:
    cancel = x.export_cancel(inventory_no="46012026E00000000001")  # 20 characters
    assert parse_message(render_message(x.export_message(cancel))).ok
    old = render_message(x.export_message(cancel), edition=Edition.E2018)
    assert _problems(old, edition=Edition.E2018) == [("FMT-LENGTH", "InvtCancel[1]/invtNo")]


@pytest.mark.parametrize("order_type", ["B", "W"])
def test_b2b_and_overseas_warehouse_orders_exist_only_since_202205(order_type: str) -> None:
    order = x.export_order(order_type=order_type)
    assert parse_message(render_message(x.export_message(order))).ok
    old = render_message(x.export_message(order), edition=Edition.E2018)
    assert _problems(old, edition=Edition.E2018) == [("FMT-CODE", "Order[1]/OrderHead/orderType")]
    assert _problems(render_message(x.export_message(x.export_order(order_type="X")))) == [
        ("FMT-CODE", "Order[1]/OrderHead/orderType")
    ]


def test_empty_names_allowed_since_202205_and_whitespace_collapsed() -> None:
    inventory = x.export_inventory(platform_name="", logistics_name="")
    xml = render_message(x.export_message(inventory))
    assert b"<ceb:ebpName></ceb:ebpName>" in xml
    outcome = parse_message(xml)
    assert outcome.message is not None and outcome.message.documents == (inventory,)
    old = render_message(x.export_message(inventory), edition=Edition.E2018)
    assert _problems(old, edition=Edition.E2018) == [
        ("FMT-REQUIRED", "Inventory[1]/InventoryHead/ebpName"),
        ("FMT-REQUIRED", "Inventory[1]/InventoryHead/logisticsName"),
    ]
    spaced = _edit(_xml(ExportMessageType.WAYBILL), "//ceb:goodsInfo", "  椰子糖  *3\n 椰子油 ")
    waybill = parse_message(spaced).message
    assert waybill is not None and waybill.documents[0].goods_info == "椰子糖 *3 椰子油"
    old = parse_message(spaced, edition=Edition.E2018).message
    assert old is not None and old.documents[0].goods_info == "  椰子糖  *3\n 椰子油 "


def test_freight_mark_is_fixed_to_total_since_202205() -> None:
    xml = render_message(x.export_message(x.export_inventory(freight_mark="1", insurance_mark="2")))
    assert _problems(xml) == [
        ("FMT-FIXED", "Inventory[1]/InventoryHead/fFlag"),
        ("FMT-FIXED", "Inventory[1]/InventoryHead/iFlag"),
    ]
    assert parse_message(xml, edition=Edition.E2018).ok


def test_list_limits_differ_by_edition() -> None:
    parcels = tuple(ParcelLine(line_no=i, logistics_no=f"YCE{i:010d}") for i in range(1, 102))
    xml = render_message(x.export_message(x.departure(lines=parcels)))
    assert parse_message(xml).ok
    assert _problems(xml, edition=Edition.E2018) == [("FMT-STRUCTURE", "Departure[1]/DepartureList")]
    bare = render_message(x.export_message(x.summary_application(inventory_nos=())))
    assert parse_message(bare).ok  # 202205: SummaryApplyList 0..n
    assert _problems(bare, edition=Edition.E2018) == [("FMT-REQUIRED", "SummaryApply[1]/SummaryApplyList")]


def test_export_returns_are_not_part_of_the_2018_edition() -> None:
    xml = _xml(ExportMessageType.RETURN)
    outcome = parse_message(xml, edition=Edition.E2018)
    assert (outcome.message_type, [(p.rule_id, p.field) for p in outcome.problems]) == (
        "CEB213Message",
        [("FMT-STRUCTURE", "CEB213Message")],
    )
    assert "2018" in outcome.problems[0].message
    with pytest.raises(MessageRefused) as caught:
        render_message(x.export_message(x.return_tally()), edition=Edition.E2018)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("FMT-STRUCTURE", "CEB215Message")]


# --- problems, all at once ----------------------------------------------------------------------------


def test_every_problem_of_an_export_message_is_reported_at_once() -> None:
    xml = _xml(ExportMessageType.INVENTORY)
    xml = _edit(xml, "//ceb:InventoryHead/ceb:customsCode", "46011")
    xml = _edit(xml, "//ceb:InventoryHead/ceb:ieDate", "20260230")
    xml = _edit(xml, "//ceb:InventoryHead/ceb:ownerCode", remove=True)
    xml = _edit(xml, "//ceb:InventoryList[2]/ceb:qty", "1.1234567")
    xml = _edit(xml, "//ceb:InventoryHead/ceb:appType", "4")
    assert _problems(xml) == [
        ("FMT-CODE", "Inventory[1]/InventoryHead/appType"),
        ("FMT-LENGTH", "Inventory[1]/InventoryHead/customsCode"),
        ("FMT-DATETIME", "Inventory[1]/InventoryHead/ieDate"),
        ("FMT-REQUIRED", "Inventory[1]/InventoryHead/ownerCode"),
        ("FMT-DECIMAL", "Inventory[1]/InventoryList[2]/qty"),
    ]


@pytest.mark.parametrize(
    ("message_type", "xpath", "value", "problem"),
    [
        (
            ExportMessageType.DEPARTURE,
            "//ceb:leaveTime",
            "20260303250000",
            ("FMT-DATETIME", "Departure[1]/DepartureHead/leaveTime"),
        ),
        (
            ExportMessageType.PAYMENT_RECEIPT_NOTE,
            "//ceb:accountingDate",
            "20260230095812",
            ("FMT-DATETIME", "Receipts[1]/accountingDate"),
        ),
        (
            ExportMessageType.PAYMENT_RECEIPT_NOTE,
            "//ceb:accountingDate",
            "2026030209",
            ("FMT-LENGTH", "Receipts[1]/accountingDate"),
        ),
        (
            ExportMessageType.SUMMARY_APPLICATION,
            "//ceb:SummaryApplyHead/ceb:msgCount",
            "1.0",
            ("FMT-INTEGER", "SummaryApply[1]/SummaryApplyHead/msgCount"),
        ),
    ],
)
def test_export_time_and_number_formats(
    message_type: ExportMessageType, xpath: str, value: str, problem: tuple[str, str]
) -> None:
    assert _problems(_edit(_xml(message_type), xpath, value)) == [problem]


def test_code_tables_check_export_currencies() -> None:
    class Tables:
        def contains(self, table: str, code: str) -> bool:
            return not (table == "currency" and code == "142")

    problems = [
        (p.rule_id, p.field) for p in parse_message(_xml(ExportMessageType.INVENTORY), code_tables=Tables()).problems
    ]
    assert problems == [
        ("FMT-CODE", "Inventory[1]/InventoryHead/fCurrency"),
        ("FMT-CODE", "Inventory[1]/InventoryHead/iCurrency"),
        ("FMT-CODE", "Inventory[1]/InventoryList[1]/currency"),
        ("FMT-CODE", "Inventory[1]/InventoryList[2]/currency"),
    ]


# --- R13 / R14 within one message ---------------------------------------------------------------------


def test_split_numbers_are_checked_per_document() -> None:
    arrivals = (x.export_arrival(), x.export_arrival(message_count=3, message_seq_no=4))
    outcome = parse_message(render_message(x.export_message(*arrivals)))
    assert outcome.message is None
    assert [(p.rule_id, p.field) for p in outcome.problems] == [("CEB-R13", "Arrival[2]/ArrivalHead/msgSeqNo")]
    assert _problems(render_message(x.export_message(x.master_bill(message_count=-1)))) == [
        ("CEB-R13", "WayBill[1]/WayBillHead/msgCount")
    ]
    unsplit = x.departure(message_count=0, message_seq_no=1)
    assert parse_message(render_message(x.export_message(unsplit))).ok
    assert _problems(render_message(x.export_message(x.departure(message_count=0, message_seq_no=0)))) == [
        ("CEB-R13", "Departure[1]/DepartureHead/msgSeqNo")
    ]


def test_summary_period_is_checked() -> None:
    start = datetime(2026, 3, 31, 0, 0, 0, tzinfo=SHANGHAI)
    half = x.summary_application(start_time=start)
    assert _problems(render_message(x.export_message(half))) == [
        ("CEB-R14", "SummaryApply[1]/SummaryApplyHead/endTime")
    ]
    backwards = x.summary_application(start_time=start, end_time=datetime(2026, 3, 1, tzinfo=SHANGHAI))
    assert _problems(render_message(x.export_message(backwards))) == [
        ("CEB-R14", "SummaryApply[1]/SummaryApplyHead/endTime")
    ]
    same_second = x.summary_application(start_time=start, end_time=start)
    assert parse_message(render_message(x.export_message(same_second))).ok


def test_rule_problems_come_only_after_a_clean_format_check() -> None:
    broken = _edit(
        render_message(x.export_message(x.export_arrival(message_count=1, message_seq_no=2))),
        "//ceb:customsCode",
        "1",
    )
    assert _problems(broken) == [("FMT-LENGTH", "Arrival[1]/ArrivalHead/customsCode")]


# --- what parse_message does not accept ---------------------------------------------------------------


def test_export_receipts_and_summary_results_are_not_declarations() -> None:
    for stem in ("CEB604Message", "CEB792Message"):
        outcome = parse_message(_sample(Edition.E2018, stem), edition=Edition.E2018)
        assert (outcome.message_type, [(p.rule_id, p.field) for p in outcome.problems]) == (
            stem,
            [("FMT-STRUCTURE", stem)],
        )
    with pytest.raises(MessageRefused):
        render_message(replace(x.export_message(x.export_order()), message_type=ExportMessageType.ORDER_RECEIPT))


def test_direction_restricts_what_is_accepted() -> None:
    export = _xml(ExportMessageType.ORDER)
    refused = parse_message(export, direction="import")
    assert [(p.rule_id, p.field) for p in refused.problems] == [("FMT-STRUCTURE", "CEB303Message")]
    assert parse_message(export, direction="export").ok
    from tests.unit.messages import builders as b

    imported = render_message(b.all_declarations()[MessageType.ORDER])
    assert [(p.rule_id, p.field) for p in parse_message(imported, direction="export").problems] == [
        ("FMT-STRUCTURE", "CEB311Message")
    ]
    assert parse_message(imported, direction="import").ok
