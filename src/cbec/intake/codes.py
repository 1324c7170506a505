"""The CEB receipt vocabulary (回执状态): official receipt statuses and where a stored declaration stands.

Intake-level because every document family, import and export, answers in the same statuses (ceb-messages.md
§8.1) and stores its declarations in the same states; the document domains add their own sets of statuses on top.
"""

from __future__ import annotations

from enum import StrEnum


class ReturnStatus(StrEnum):
    """returnStatus values the platform issues (ceb-messages.md §8.1)."""

    DRAFT = "1"  # 电子口岸已暂存
    DECLARING = "2"  # 电子口岸申报中: accepted, waiting for partners
    ACCEPTED = "120"  # 海关入库: logic checks passed
    MANUAL_REVIEW = "300"  # 人工审核
    CONCLUDED = "399"  # 海关审结
    INSPECTION = "500"  # 查验
    RELEASED = "800"  # 放行
    CLOSED = "899"  # 结关
    REFUSED = "100"  # 海关退单


class DocumentState(StrEnum):
    """Where a stored order, payment, waybill, cancel or return stands."""

    DRAFT = "draft"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    DELETED = "deleted"
    CANCELLED = "cancelled"
    APPLIED = "applied"  # return applied, goods not back yet
    COMPLETED = "completed"  # return goods back: taxes cancelled, quota restored
    LAPSED = "lapsed"  # return goods not back within the window


STATUS_TEXT = {
    ReturnStatus.DRAFT: "电子口岸已暂存",
    ReturnStatus.DECLARING: "电子口岸申报中",
    ReturnStatus.ACCEPTED: "[Code:1800;Desc:逻辑校验通过]",
    ReturnStatus.MANUAL_REVIEW: "[Code:1200;Desc:待人工审核]",
    ReturnStatus.CONCLUDED: "[Code:2300;Desc:审核通过]",
    ReturnStatus.INSPECTION: "[Code:1400;Desc:查验]",
    ReturnStatus.RELEASED: "[Code:2600;Desc:放行]",
    ReturnStatus.CLOSED: "[Code:2700;Desc:结关]",
    ReturnStatus.REFUSED: "海关退单",
}
