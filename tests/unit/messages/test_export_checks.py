"""In-message export rules (出口报文内校验): R13 split messages, R14 summary period, edition order types."""

from __future__ import annotations

from datetime import datetime

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.messages import (
    Edition,
    export_document_problems,
    split_problems,
    split_sequence_problems,
    summary_period_problems,
)
from cbec.messages.export_checks import export_codes
from tests.unit.messages import export_builders as x

START = datetime(2026, 3, 1, tzinfo=SHANGHAI)
END = datetime(2026, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)


def _keys(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.rule_id, p.field) for p in problems]


def test_split_numbers_of_one_part() -> None:
    assert split_problems(1, 1) == []
    assert split_problems(3, 3) == []
    assert split_problems(0, 1) == []  # "not split" written as 0
    assert _keys(split_problems(3, 4)) == [("CEB-R13", "message_seq_no")]
    assert _keys(split_problems(3, 0)) == [("CEB-R13", "message_seq_no")]
    assert _keys(split_problems(0, 2)) == [("CEB-R13", "message_seq_no")]
    assert _keys(split_problems(-1, 1, fields=("msgCount", "msgSeqNo"))) == [("CEB-R13", "msgCount")]
    problem = split_problems(2, 5)[0]
    assert problem.message.startswith("报文序号 5 应在 1 与报文总数 2 之间")
    assert problem.severity == "error"


def test_split_sequence_across_messages() -> None:
    assert split_sequence_problems([2, 1, 3], 3) == []
    assert split_sequence_problems([2], 3, complete=False) == []
    assert [p.message.split(" / ")[0] for p in split_sequence_problems([1, 1, 4], 3)] == [
        "报文序号重复：[1]",
        "报文序号超出 1–3：[4]",
        "报文序号不连续，缺少 [2, 3]",
    ]
    assert _keys(split_sequence_problems([1, 3], 3, field="arrival.message_seq_no")) == [
        ("CEB-R13", "arrival.message_seq_no")
    ]


def test_summary_period() -> None:
    assert summary_period_problems(None, None) == []
    assert summary_period_problems(START, END) == []
    assert summary_period_problems(START, START) == []
    assert _keys(summary_period_problems(START, None)) == [("CEB-R14", "end_time")]
    assert _keys(summary_period_problems(None, END)) == [("CEB-R14", "start_time")]
    assert _keys(summary_period_problems(END, START, fields=("startTime", "endTime"))) == [("CEB-R14", "endTime")]


def test_document_problems_name_fields_in_english_or_as_ceb_paths() -> None:
    application = x.summary_application(message_count=2, message_seq_no=3, start_time=START)
    assert _keys(export_document_problems(application)) == [
        ("CEB-R13", "message_seq_no"),
        ("CEB-R14", "end_time"),
    ]
    assert _keys(export_document_problems(application, "SummaryApply[1]/SummaryApplyHead/", ceb=True)) == [
        ("CEB-R13", "SummaryApply[1]/SummaryApplyHead/msgSeqNo"),
        ("CEB-R14", "SummaryApply[1]/SummaryApplyHead/endTime"),
    ]
    assert _keys(export_document_problems(x.summary_result(message_seq_no=2), "result.")) == [
        ("CEB-R13", "result.message_seq_no")
    ]
    for document in (x.export_order(), x.export_inventory(), x.export_arrival(), x.master_bill(), x.departure()):
        assert export_document_problems(document) == []


def test_order_types_by_edition() -> None:
    assert export_codes(Edition.E2018) == {"orderType": ("I", "E")}
    assert export_codes(Edition.E202205) == {"orderType": ("I", "E", "B", "W")}
