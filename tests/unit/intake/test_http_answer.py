"""The HTTP answer of POST /ceb (and of the intake stream) when the zone's edition cannot carry a receipt."""

from __future__ import annotations

import json
from dataclasses import replace

from cbec.intake import IngestResult
from cbec.intake.stream import http_answer
from cbec.messages import Edition, ExportMessageType, parse_receipts
from tests.unit.messages import export_builders as x


def _declared() -> IngestResult:
    receipt = replace(x.export_receipt(ExportMessageType.INVENTORY_RECEIPT), status="2", inventory_no=None)
    return IngestResult(ExportMessageType.INVENTORY.value, "processed", receipts=[receipt])


def test_an_unnumbered_export_inventory_is_answered_as_xml_in_the_2022_edition() -> None:
    answer = http_answer(_declared(), Edition.E202205, lambda xml: xml)

    assert (answer.status, answer.media_type) == (200, "application/xml")
    assert [(r.status, r.inventory_no) for r in parse_receipts(answer.body)] == [("2", None)]


def test_where_the_2018_edition_cannot_carry_it_the_answer_is_the_json_result() -> None:
    answer = http_answer(_declared(), Edition.E2018, lambda xml: xml)

    assert (answer.status, answer.media_type, answer.headers["X-Cbec-Outcome"]) == (
        200,
        "application/json",
        "processed",
    )
    body = json.loads(answer.body)
    assert [(r["message_type"], r["status"]) for r in body["receipts"]] == [("CEB604Message", "2")]
