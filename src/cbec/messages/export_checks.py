"""Export checks within one message (出口报文内校验): split messages (R13), summary period (R14), order types.

Pure functions, no I/O. The codec applies ``export_document_problems`` to every export declaration and summary
result it reads, with CEB element paths, and refuses the message on any of them; the exports domain may call
the same functions with English field names, and calls ``split_sequence_problems`` across the messages of
one split document (which no single message can show).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from cbec.common.errors import Problem
from cbec.messages.documents import Edition
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportDocument,
    MasterBill,
    SummaryApplication,
    SummaryResult,
)

R13 = "CEB-R13"
R14 = "CEB-R14"

# Closed code lists of the export messages by edition (报文规范 annotations). 202205 adds B (B2B export) and
# W (overseas-warehouse booking) to orderType; I stays listed. Other export flags are left to the domain:
# the official samples themselves carry ieFlag "a" and statisticsFlag "1".
_ORDER_TYPES: Mapping[Edition, tuple[str, ...]] = MappingProxyType(
    {Edition.E2018: ("I", "E"), Edition.E202205: ("I", "E", "B", "W")}
)


def export_codes(edition: Edition) -> Mapping[str, tuple[str, ...]]:
    """Return the closed code lists the codec checks in export messages of an edition, by element name."""
    return MappingProxyType({"orderType": _ORDER_TYPES[edition]})


def split_problems(
    message_count: int, message_seq_no: int, *, fields: tuple[str, str] = ("message_count", "message_seq_no")
) -> list[Problem]:
    """Check one part of a split message (R13): 1 <= msgSeqNo <= msgCount; fields name the two values.

    The annotation says an unsplit message leaves both empty, which the mandatory int cannot do; a count of 0
    is therefore read as "not split" (like 1), and the sequence number must still be 1.
    """
    count_field, seq_field = fields
    if message_count < 0:
        return [
            Problem(
                R13,
                count_field,
                f"报文总数不能为负数（{message_count}）/ message count cannot be negative ({message_count})",
                "未拆分的报文填 1 / write 1 for a message that is not split",
            )
        ]
    if not 1 <= message_seq_no <= max(message_count, 1):
        return [
            Problem(
                R13,
                seq_field,
                f"报文序号 {message_seq_no} 应在 1 与报文总数 {max(message_count, 1)} 之间 / "
                f"sequence number {message_seq_no} must be between 1 and the message count {max(message_count, 1)}",
                "拆分的报文从 1 开始连续编号 / number the parts 1, 2, … up to the message count",
            )
        ]
    return []


def split_sequence_problems(
    seq_nos: Sequence[int], message_count: int, *, complete: bool = True, field: str = "message_seq_no"
) -> list[Problem]:
    """Check the parts received of one split document (R13): no repeats, none beyond the count, none missing."""
    problems: list[Problem] = []
    repeated = sorted(n for n, times in Counter(seq_nos).items() if times > 1)
    if repeated:
        problems.append(
            Problem(
                R13,
                field,
                f"报文序号重复：{repeated} / sequence numbers repeated: {repeated}",
                "每个拆分报文使用不同的序号 / give every part its own sequence number",
            )
        )
    outside = sorted({n for n in seq_nos if not 1 <= n <= message_count})
    if outside:
        problems.append(
            Problem(
                R13,
                field,
                f"报文序号超出 1–{message_count}：{outside} / sequence numbers outside 1–{message_count}: {outside}",
                "序号不大于报文总数 / keep sequence numbers within the message count",
            )
        )
    missing = sorted(set(range(1, message_count + 1)) - set(seq_nos)) if complete else []
    if missing:
        problems.append(
            Problem(
                R13,
                field,
                f"报文序号不连续，缺少 {missing} / sequence numbers skip {missing}",
                "补发缺少的拆分报文，不得跳号 / send the missing parts; numbers must not skip",
            )
        )
    return problems


def summary_period_problems(
    start: datetime | None, end: datetime | None, *, fields: tuple[str, str] = ("start_time", "end_time")
) -> list[Problem]:
    """Check a summary application's period (R14): both times or neither, and end >= start."""
    start_field, end_field = fields
    if (start is None) != (end is None):
        missing = start_field if start is None else end_field
        return [
            Problem(
                R14,
                missing,
                "汇总开始时间与结束时间须成对填写 / start and end time must be given together",
                "同时填写或同时不填 / give both or neither",
            )
        ]
    if start is not None and end is not None and end < start:
        return [
            Problem(
                R14,
                end_field,
                "汇总结束时间早于开始时间 / end time is before the start time",
                "结束时间须大于等于开始时间 / make the end time no earlier than the start time",
            )
        ]
    return []


def export_document_problems(
    document: ExportDocument | SummaryResult, where: str = "", *, ceb: bool = False
) -> list[Problem]:
    """Apply R13 and R14 to one document; ``where`` prefixes the fields, ``ceb`` names them as CEB elements."""
    problems: list[Problem] = []
    if isinstance(document, ExportArrival | Departure | MasterBill | SummaryApplication | SummaryResult):
        names = ("msgCount", "msgSeqNo") if ceb else ("message_count", "message_seq_no")
        problems += split_problems(
            document.message_count, document.message_seq_no, fields=(where + names[0], where + names[1])
        )
    if isinstance(document, SummaryApplication):
        names = ("startTime", "endTime") if ceb else ("start_time", "end_time")
        problems += summary_period_problems(
            document.start_time, document.end_time, fields=(where + names[0], where + names[1])
        )
    return problems
