"""Official receipt statuses (回执状态) and internal document states.

The statuses and states themselves are intake's receipt vocabulary (``cbec.intake.codes``); the sets here are
import clearance's.
"""

from __future__ import annotations

from cbec.intake import STATUS_TEXT as STATUS_TEXT
from cbec.intake import DocumentState as DocumentState
from cbec.intake import ReturnStatus as ReturnStatus

# Inventory statuses from which the declaration can still change (no customs decision yet).
INVENTORY_OPEN = frozenset({ReturnStatus.DRAFT, ReturnStatus.DECLARING, ReturnStatus.REFUSED})
# Inventory statuses in which a cancel (撤单) is accepted.
CANCELLABLE = frozenset(
    {
        ReturnStatus.DECLARING,
        ReturnStatus.ACCEPTED,
        ReturnStatus.MANUAL_REVIEW,
        ReturnStatus.INSPECTION,
        ReturnStatus.RELEASED,
    }
)
# Inventory statuses that count against the buyer's quota.
QUOTA_HOLDING = frozenset(
    {
        ReturnStatus.ACCEPTED,
        ReturnStatus.MANUAL_REVIEW,
        ReturnStatus.INSPECTION,
        ReturnStatus.CONCLUDED,
        ReturnStatus.RELEASED,
        ReturnStatus.CLOSED,
    }
)
