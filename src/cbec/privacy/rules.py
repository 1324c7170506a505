"""Rules of personal-data governance (个人信息保护): what is personal, what rotation touches, retention.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cbec.sharing.rules import PERSONAL_MASKS

PURGED = ""  # what a purged personal field holds


def strip_personal(value: Any) -> Any:
    """Return a document's JSON twin with every personal field emptied (at any depth)."""
    if isinstance(value, dict):
        return {
            k: PURGED if k in PERSONAL_MASKS and isinstance(v, str) else strip_personal(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [strip_personal(item) for item in value]
    return value


def retention_cutoff(today: date, retention_days: int) -> date:
    """Return the first day whose documents are still within the retention period."""
    return today - timedelta(days=retention_days)
