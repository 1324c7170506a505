"""JSON twin (JSON 表示) of the documents for the REST API."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.messages import MessageRefused, MessageType, document_from_json, document_to_json
from cbec.messages.json_twin import document_from_stored_json
from tests.unit.messages import builders as b

DOCUMENTS = [
    (MessageType.ORDER, b.order()),
    (MessageType.PAYMENT, b.payment()),
    (MessageType.WAYBILL, b.waybill()),
    (MessageType.WAYBILL_STATUS, b.waybill_status()),
    (MessageType.INVENTORY, b.inventory()),
    (MessageType.CANCEL, b.cancel_request()),
    (MessageType.RETURN, b.return_request()),
    (MessageType.ARRIVAL, b.arrival_record()),
    (MessageType.INVENTORY_RECEIPT, b.receipt(MessageType.INVENTORY_RECEIPT)),
    (MessageType.TAX_BILL, b.tax_bill()),
    (MessageType.FORMAT_RECEIPT, b.format_receipt()),
]


@pytest.mark.parametrize(("message_type", "document"), DOCUMENTS, ids=[str(t) for t, _ in DOCUMENTS])
def test_round_trip_through_json_text(message_type: MessageType, document: object) -> None:
    text = json.dumps(document_to_json(document), ensure_ascii=False)
    back = document_from_json(message_type, json.loads(text))
    assert back == document
    assert document_to_json(back) == document_to_json(document)


@pytest.mark.parametrize(("message_type", "document"), DOCUMENTS, ids=[str(t) for t, _ in DOCUMENTS])
def test_a_stored_twin_reads_back_as_the_checked_reader_reads_it(message_type: MessageType, document: object) -> None:
    stored = json.loads(json.dumps(document_to_json(document), ensure_ascii=False))
    assert document_from_stored_json(message_type, stored) == document_from_json(message_type, stored) == document


def test_a_stored_twin_with_naive_times_reads_them_as_shanghai_at_every_depth() -> None:
    data = document_to_json(b.arrival_record())
    data["declaration"]["app_time"] = "2026-03-02T10:15:30"
    arrival = document_from_stored_json(MessageType.ARRIVAL, data)
    assert arrival.declaration.app_time == datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI)
    assert arrival == document_from_json(MessageType.ARRIVAL, data)


def test_json_shape_of_an_order() -> None:
    data = document_to_json(b.order())
    assert data["declaration"] == {
        "guid": "00000001-0000-4000-8000-000000000000",
        "app_type": "1",
        "app_time": "2026-03-02T10:15:30+08:00",
        "app_status": "2",
    }
    assert (data["goods_value"], data["freight"], data["actual_paid"]) == ("387.80", "10.00", "429.00")
    assert data["lines"][0]["unit_price"] == "59.90"
    assert data["lines"][0]["line_no"] == 1
    assert data["note"] is None
    assert document_to_json(b.inventory())["declared_on"] == "2026-03-02"
    assert document_to_json(b.order(freight=Decimal("1E+2")))["freight"] == "100"


def test_decimals_keep_their_scale_and_naive_times_are_shanghai() -> None:
    data = document_to_json(b.payment())
    data["amount_paid"] = "429.000"
    data["paid_at"] = "2026-03-02T10:01:02"
    data["declaration"]["app_time"] = "2026-03-02T02:15:30Z"
    payment = document_from_json("CEB411Message", data)
    assert str(payment.amount_paid) == "429.000"
    assert payment.paid_at == datetime(2026, 3, 2, 10, 1, 2, tzinfo=SHANGHAI)
    assert payment.paid_at.tzinfo is SHANGHAI
    assert payment.declaration.app_time == datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI)


def test_bad_input_is_refused_with_every_problem() -> None:
    data = document_to_json(b.order())
    data["freight"] = 10.5
    data["colour"] = "red"
    data["lines"][1]["discount"] = "1"
    with pytest.raises(MessageRefused) as caught:
        document_from_json(MessageType.ORDER, data)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("FMT-JSON", "freight"),
        ("FMT-JSON", "lines[1].discount"),
        ("FMT-JSON", "colour"),
    ]
    data = document_to_json(b.order())
    del data["order_no"]
    data["goods_value"] = "abc"
    data["declaration"]["app_type"] = "9"
    data["lines"][0]["quantity"] = None
    with pytest.raises(MessageRefused) as caught:
        document_from_json(MessageType.ORDER, data)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("FMT-JSON", "declaration.app_type"),
        ("FMT-JSON", "order_no"),
        ("FMT-JSON", "goods_value"),
        ("FMT-JSON", "lines[0].quantity"),
    ]
    with pytest.raises(MessageRefused):
        document_from_json(MessageType.ORDER, [])


def test_receipt_type_comes_from_the_route() -> None:
    data = document_to_json(b.receipt(MessageType.ORDER_RECEIPT))
    del data["message_type"]
    assert document_from_json(MessageType.ORDER_RECEIPT, data).message_type is MessageType.ORDER_RECEIPT
    data["message_type"] = "CEB412Message"
    with pytest.raises(MessageRefused) as caught:
        document_from_json(MessageType.ORDER_RECEIPT, data)
    assert caught.value.problems[0].field == "message_type"


def test_to_json_refuses_non_documents() -> None:
    with pytest.raises(TypeError):
        document_to_json({"a": 1})
