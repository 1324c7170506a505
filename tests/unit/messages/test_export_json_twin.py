"""JSON twin (JSON 表示) of the export documents, export receipts and summary results."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    ExportMessageType,
    MessageRefused,
    MessageType,
    Receipt,
    SummaryResult,
    document_from_json,
    document_to_json,
    message_type_named,
)
from cbec.messages.json_twin import document_class
from tests.unit.messages import export_builders as x

DOCUMENTS: list[tuple[ExportMessageType, object]] = [
    *((t, m.documents[0]) for t, m in x.all_export_declarations().items()),
    *((t, x.export_receipt(t)) for t in x.EXPORT_RECEIPTS),
    (ExportMessageType.SUMMARY_RESULT, x.summary_result()),
]


@pytest.mark.parametrize(("message_type", "document"), DOCUMENTS, ids=[str(t) for t, _ in DOCUMENTS])
def test_round_trip_through_json_text(message_type: ExportMessageType, document: object) -> None:
    text = json.dumps(document_to_json(document), ensure_ascii=False)
    back = document_from_json(message_type, json.loads(text))
    assert back == document
    assert document_to_json(back) == document_to_json(document)


def test_every_export_message_type_has_its_document_class() -> None:
    assert len(DOCUMENTS) == len(ExportMessageType)
    for message_type, document in DOCUMENTS:
        assert document_class(message_type) is type(document)
        assert document_class(message_type.value) is type(document)


def test_json_shape_of_export_documents() -> None:
    inventory = document_to_json(x.export_inventory())
    assert (inventory["export_date"], inventory["freight"], inventory["freight_mark"]) == ("2026-03-03", "30.00", "3")
    assert inventory["lines"][1]["second_quantity"] == "1"
    assert inventory["declaration"]["app_time"] == "2026-03-02T10:15:30+08:00"
    summary = document_to_json(x.summary_application())
    assert summary["inventory_nos"] == [x.INVENTORY_NO, x.SECOND_INVENTORY_NO]
    assert (summary["start_time"], summary["message_count"]) == (None, 1)
    assert document_to_json(x.departure())["left_at"] == "2026-03-03T22:40:00+08:00"
    result = document_to_json(x.summary_result())
    assert result["operated_at"] == "2026-04-02T09:30:15.120000+08:00"
    assert result["lines"][0] == {
        "inventory_no": x.INVENTORY_NO,
        "logistics_no": x.LOGISTICS_NO,
        "goods_seq_no": 1,
        "line_no": 1,
        "hs_code": "1704900000",
    }
    receipt = document_to_json(x.export_receipt(ExportMessageType.SUMMARY_APPLICATION_RECEIPT))
    assert (receipt["message_type"], receipt["summary_no"], receipt["message_seq_no"]) == (
        "CEB702Message",
        x.SUMMARY_NO,
        1,
    )


def test_a_2018_summary_result_without_declaration_line_numbers() -> None:
    lines = tuple(replace(line, goods_seq_no=None) for line in x.summary_result().lines)
    result = x.summary_result(lines=lines)
    data = document_to_json(result)
    assert data["lines"][0]["goods_seq_no"] is None
    assert document_from_json("CEB792Message", data) == result


def test_naive_times_are_shanghai_and_floats_refused() -> None:
    data = document_to_json(x.summary_application())
    data["start_time"] = "2026-03-01T00:00:00"
    data["end_time"] = "2026-03-31T23:59:59+08:00"
    application = document_from_json(ExportMessageType.SUMMARY_APPLICATION, data)
    assert application.start_time == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    data = document_to_json(x.payment_receipt_note())
    data["amount"] = 202.0
    data["refund"] = "1"
    with pytest.raises(MessageRefused) as caught:
        document_from_json(ExportMessageType.PAYMENT_RECEIPT_NOTE, data)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("FMT-JSON", "amount"), ("FMT-JSON", "refund")]


def test_export_receipt_type_comes_from_the_route() -> None:
    data = document_to_json(x.export_receipt(ExportMessageType.INVENTORY_RECEIPT))
    del data["message_type"]
    receipt = document_from_json("CEB604Message", data)
    assert isinstance(receipt, Receipt) and receipt.message_type is ExportMessageType.INVENTORY_RECEIPT
    data["message_type"] = "CEB622Message"
    with pytest.raises(MessageRefused) as caught:
        document_from_json(ExportMessageType.INVENTORY_RECEIPT, data)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("FMT-JSON", "message_type")]


def test_message_type_names() -> None:
    assert message_type_named("CEB311Message") is MessageType.ORDER
    assert message_type_named("CEB303Message") is ExportMessageType.ORDER
    assert message_type_named(ExportMessageType.SUMMARY_RESULT) is ExportMessageType.SUMMARY_RESULT
    with pytest.raises(ValueError):
        message_type_named("CEB999Message")
    assert document_class("CEB792Message") is SummaryResult
