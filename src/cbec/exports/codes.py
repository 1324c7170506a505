"""Export statuses and kinds (出口状态).

The official receipt statuses are intake's receipt vocabulary (``cbec.intake.codes``, ceb-messages.md §8.1).
"""

from __future__ import annotations

from enum import StrEnum

from cbec.intake import STATUS_TEXT, DocumentState, ReturnStatus

RETAIL_TRADE_MODES = ("9610", "1210")  # 跨境电商零售出口: 一般出口, 特殊区域出口
B2B_DIRECT = "9710"  # 跨境电商B2B直接出口
OVERSEAS_WAREHOUSE = "9810"  # 跨境电商出口海外仓
EXPORT_TRADE_MODES = (*RETAIL_TRADE_MODES, B2B_DIRECT, OVERSEAS_WAREHOUSE)
CHINA = "142"
FOREIGN_PLATFORM = "无"  # ebpCode of a foreign platform that has no Chinese code (CEB304 annotation)

# Export inventory statuses in which a cancel (CEB605) is accepted: anything before departure.
CANCELLABLE = frozenset(
    {
        ReturnStatus.DECLARING,
        ReturnStatus.ACCEPTED,
        ReturnStatus.MANUAL_REVIEW,
        ReturnStatus.INSPECTION,
        ReturnStatus.RELEASED,
    }
)
# Statuses whose declaration may still be changed or deleted by the sender.
OPEN = frozenset({ReturnStatus.DRAFT, ReturnStatus.DECLARING, ReturnStatus.REFUSED})


class ReturnState(StrEnum):
    """Where an export return stands."""

    APPLIED = "applied"  # CEB213 accepted, goods not tallied yet
    TALLIED = "tallied"  # CEB215 tally received: goods back in the supervised site


class WarehouseStatus(StrEnum):
    """Registry status of an overseas warehouse."""

    ACTIVE = "active"
    CLOSED = "closed"


DEPARTED_TEXT = "[Code:2700;Desc:结关] 货物已离境"

__all__ = [
    "B2B_DIRECT",
    "CANCELLABLE",
    "CHINA",
    "DEPARTED_TEXT",
    "EXPORT_TRADE_MODES",
    "FOREIGN_PLATFORM",
    "OPEN",
    "OVERSEAS_WAREHOUSE",
    "RETAIL_TRADE_MODES",
    "STATUS_TEXT",
    "DocumentState",
    "ReturnState",
    "ReturnStatus",
    "WarehouseStatus",
]
