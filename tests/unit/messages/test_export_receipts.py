"""Export receipts (出口回执, CEB304 … CEB702) and summary results (汇总结果单, CEB792)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Edition,
    ExportMessageType,
    MessageRefused,
    MessageType,
    Receipt,
    SummaryResultLine,
    parse_message,
    parse_receipts,
    parse_summary_results,
    receipt_message_type,
    render_message,
    render_receipts,
    render_summary_results,
)
from tests.unit.messages import builders as b
from tests.unit.messages import export_builders as x
from tests.unit.messages.conftest import xsd_errors

RECEIPT_SAMPLES = {"304", "404", "506", "508", "510", "604", "606", "608", "214", "216", "702"}


def _refusal(call: object, *args: object, **kwargs: object) -> list[tuple[str, str]]:
    with pytest.raises(MessageRefused) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return [(p.rule_id, p.field) for p in caught.value.problems]


@pytest.mark.parametrize("edition", list(Edition))
def test_official_export_receipt_samples_parse(edition: Edition) -> None:
    files = [p for p in x.export_samples(edition) if p.name[3:6] in RECEIPT_SAMPLES and p.name != "CEB214Message .xml"]
    assert len(files) == (9 if edition is Edition.E2018 else 10)
    for path in files:
        receipts = parse_receipts(path.read_bytes(), edition=edition)
        assert len(receipts) == 10, path.name
        assert {r.message_type for r in receipts} == {ExportMessageType(path.stem)}


def test_export_receipt_sample_values_are_exact() -> None:
    def first(stem: str, edition: Edition = Edition.E2018) -> Receipt:
        path = next(p for p in x.export_samples(edition) if p.stem == stem)
        return parse_receipts(path.read_bytes(), edition=edition)[0]

    returned = datetime(2018, 5, 7, 15, 30, 1, 1000, tzinfo=SHANGHAI)
    info = "新增申报成功[4CDE1CFD-EDED-46B1-946C-B8022E42FC94]"
    assert first("CEB604Message") == Receipt(
        message_type=ExportMessageType.INVENTORY_RECEIPT,
        guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        status="2",
        info=info,
        returned_at=returned,
        platform_code="1105910159",
        ecommerce_code="1105910159",
        order_no="1105910159",
        agent_code="1105910159",
        enterprise_ref_no="Cop20180507001",
        eport_no="P20180507000000001",
        inventory_no="Invt20180507000001",
        statistics_flag="1",
    )
    assert first("CEB508Message") == Receipt(
        message_type=ExportMessageType.ARRIVAL_RECEIPT,
        guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94",
        status="2",
        info=info,
        returned_at=returned,
        logistics_code="1105910159",
        operator_code="1105910159",
        enterprise_ref_no="Cop20180507001",
        eport_no="P20180507000000001",
        bill_no="B00024204001",
        message_seq_no=1,
    )
    summary = first("CEB702Message")
    assert (summary.summary_no, summary.message_seq_no, summary.returned_at) == (
        "S20180507000000001",
        1,
        datetime(2018, 5, 8, 10, 11, 12, 12000, tzinfo=SHANGHAI),
    )
    tally = first("CEB216Message", Edition.E202205)  # default namespace instead of the ceb: prefix
    assert (tally.message_type, tally.enterprise_ref_no, tally.eport_no, tally.logistics_no) == (
        ExportMessageType.RETURN_TALLY_RECEIPT,
        "Cop20180507056",
        "O20200401000310507",
        "L2018050700003",
    )


@pytest.mark.parametrize("message_type", x.EXPORT_RECEIPTS, ids=str)
def test_export_receipts_round_trip(message_type: ExportMessageType) -> None:
    receipts = [
        x.export_receipt(message_type),
        x.export_receipt(message_type, guid=b.guid(999), status="-301010", info="已存在相同编号的订单"),
    ]
    xml = render_receipts(receipts)
    assert parse_receipts(xml) == receipts
    assert xml.count(b"<ceb:returnStatus>") == 2


def test_only_the_receipt_type_keys_are_written() -> None:
    receipt = x.export_receipt(ExportMessageType.ORDER_RECEIPT, inventory_no=x.INVENTORY_NO, summary_no="X")
    xml = render_receipts([receipt])
    assert b"invtNo" not in xml and b"sumNo" not in xml
    assert parse_receipts(xml) == [replace(receipt, inventory_no=None, summary_no=None)]


def test_render_refuses_what_the_xsd_would_reject() -> None:
    missing = x.export_receipt(ExportMessageType.INVENTORY_RECEIPT, statistics_flag=None)
    assert _refusal(render_receipts, [missing]) == [("FMT-REQUIRED", "InventoryReturn[1]/statisticsFlag")]
    long = x.export_receipt(ExportMessageType.WAYBILL_RECEIPT, logistics_no="L" * 40)
    assert _refusal(render_receipts, [long]) == [("FMT-LENGTH", "LogisticsReturn[1]/logisticsNo")]
    assert render_receipts([long], edition=Edition.E2018).count(b"L" * 40) == 1
    mixed = [x.export_receipt(ExportMessageType.ORDER_RECEIPT), b.receipt(MessageType.ORDER_RECEIPT)]
    assert _refusal(render_receipts, mixed) == [("FMT-STRUCTURE", "message_type")]


def test_return_receipts_do_not_exist_in_2018() -> None:
    receipt = x.export_receipt(ExportMessageType.RETURN_RECEIPT)
    assert _refusal(render_receipts, [receipt], edition=Edition.E2018) == [("FMT-STRUCTURE", "CEB214Message")]
    xml = render_receipts([receipt])
    assert _refusal(parse_receipts, xml, edition=Edition.E2018) == [("FMT-STRUCTURE", "CEB214Message")]


def test_parse_receipts_refuses_declarations() -> None:
    xml = render_message(x.all_export_declarations()[ExportMessageType.ORDER])
    assert _refusal(parse_receipts, xml) == [("FMT-STRUCTURE", "CEB303Message")]


def test_receipt_message_types_of_export_declarations() -> None:
    pairs = {
        ExportMessageType.ORDER: ExportMessageType.ORDER_RECEIPT,
        ExportMessageType.PAYMENT_RECEIPT_NOTE: ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
        ExportMessageType.WAYBILL: ExportMessageType.WAYBILL_RECEIPT,
        ExportMessageType.ARRIVAL: ExportMessageType.ARRIVAL_RECEIPT,
        ExportMessageType.DEPARTURE: ExportMessageType.DEPARTURE_RECEIPT,
        ExportMessageType.INVENTORY: ExportMessageType.INVENTORY_RECEIPT,
        ExportMessageType.CANCEL: ExportMessageType.CANCEL_RECEIPT,
        ExportMessageType.MASTER_BILL: ExportMessageType.MASTER_BILL_RECEIPT,
        ExportMessageType.RETURN: ExportMessageType.RETURN_RECEIPT,
        ExportMessageType.RETURN_TALLY: ExportMessageType.RETURN_TALLY_RECEIPT,
        ExportMessageType.SUMMARY_APPLICATION: ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
    }
    assert {t: receipt_message_type(t) for t in pairs} == pairs
    assert receipt_message_type(MessageType.INVENTORY) is MessageType.INVENTORY_RECEIPT
    with pytest.raises(ValueError):
        receipt_message_type(ExportMessageType.SUMMARY_RESULT)


# --- CEB792 summary results ---------------------------------------------------------------------------


def test_2018_summary_result_sample_values_are_exact() -> None:
    path = next(p for p in x.export_samples(Edition.E2018) if p.stem == "CEB792Message")
    results = parse_summary_results(path.read_bytes(), edition=Edition.E2018)
    assert len(results) == 10
    first = results[0]
    assert (first.summary_no, first.declaration_seq_no, first.declaration_state) == (
        "S20180507000000001",
        "S20180508000000001",
        "A",
    )
    assert first.operated_at == datetime(2018, 5, 8, 10, 11, 12, 12000, tzinfo=SHANGHAI)
    assert (first.gross_weight, first.entry_id) == (Decimal("12345678912345.12345"), None)
    assert first.lines == (
        SummaryResultLine(
            inventory_no="Invt20180507000001",
            logistics_no="L2018050700001",
            goods_seq_no=None,
            line_no=1,
            hs_code="8541401000",
        ),
        SummaryResultLine(
            inventory_no="Invt20180507000001",
            logistics_no="L2018050700001",
            goods_seq_no=None,
            line_no=2,
            hs_code="8541401001",
        ),
    )


@pytest.mark.parametrize("edition", list(Edition))
def test_summary_results_round_trip(edition: Edition) -> None:
    results = [x.summary_result(), x.summary_result(guid=b.guid(501), declaration_seq_no="I46012026000000002")]
    xml = render_summary_results(results, edition=edition)
    parsed = parse_summary_results(xml, edition=edition)
    if edition is Edition.E202205:
        assert parsed == results
    else:  # the 2018 edition has no gseqno
        assert parsed == [
            replace(r, lines=tuple(replace(line, goods_seq_no=None) for line in r.lines)) for r in results
        ]
    assert render_summary_results(parsed, edition=edition) == xml


def test_summary_results_refuse_bad_split_numbers_both_ways() -> None:
    bad = x.summary_result(message_count=2, message_seq_no=3)
    assert _refusal(render_summary_results, [bad]) == [("CEB-R13", "SummaryResult[1]/SummaryResultHead/msgSeqNo")]
    xml = render_summary_results([x.summary_result(message_count=2, message_seq_no=2)])
    broken = xml.replace(b"<ceb:msgSeqNo>2</ceb:msgSeqNo>", b"<ceb:msgSeqNo>3</ceb:msgSeqNo>")
    assert _refusal(parse_summary_results, broken) == [("CEB-R13", "SummaryResult[1]/SummaryResultHead/msgSeqNo")]


def test_summary_results_refuse_what_the_xsd_would_reject() -> None:
    assert _refusal(render_summary_results, []) == [("FMT-STRUCTURE", "")]
    no_declaration_line = x.summary_result(
        lines=(SummaryResultLine(x.INVENTORY_NO, x.LOGISTICS_NO, goods_seq_no=None, line_no=1, hs_code="1704900000"),)
    )
    assert _refusal(render_summary_results, [no_declaration_line]) == [
        ("FMT-REQUIRED", "SummaryResult[1]/SummaryResultList[1]/gseqno")
    ]
    assert render_summary_results([no_declaration_line], edition=Edition.E2018).count(b"<ceb:gnum>") == 1
    assert _refusal(render_summary_results, [x.summary_result(summary_no="S1")]) == [
        ("FMT-LENGTH", "SummaryResult[1]/SummaryResultHead/sumNo")
    ]


# --- an inventory not numbered yet (status 2, or refused before it was stored) ----------------------------


def test_an_export_inventory_receipt_before_its_number_carries_an_empty_invt_no_that_the_xsd_accepts() -> None:
    unnumbered = replace(x.export_receipt(ExportMessageType.INVENTORY_RECEIPT), status="2", inventory_no=None)

    xml = render_receipts([unnumbered], edition=Edition.E202205)

    assert b"<ceb:invtNo/>" in xml
    assert xsd_errors(x.export_schema(Edition.E202205), xml) == []
    [back] = parse_receipts(xml, edition=Edition.E202205)
    assert (back.status, back.inventory_no) == ("2", None)


def test_the_2018_edition_has_no_room_for_an_unnumbered_export_inventory() -> None:
    unnumbered = replace(x.export_receipt(ExportMessageType.INVENTORY_RECEIPT), status="2", inventory_no=None)

    # invtNo is exactly 18 characters there: an empty one would not conform, so the receipt is not rendered.
    assert _refusal(render_receipts, [unnumbered], edition=Edition.E2018) == [
        ("FMT-REQUIRED", "InventoryReturn[1]/invtNo")
    ]


def test_a_declaration_with_an_empty_required_field_is_still_refused() -> None:
    order = render_message(x.export_message(x.export_order()))
    emptied = order.replace(
        b"<ceb:orderNo>" + x.export_order().order_no.encode() + b"</ceb:orderNo>", b"<ceb:orderNo/>"
    )
    assert emptied != order
    outcome = parse_message(emptied)
    assert outcome.message is None
    assert [(p.rule_id, p.field.rpartition("/")[2]) for p in outcome.problems] == [("FMT-REQUIRED", "orderNo")]
