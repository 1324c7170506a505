"""Statistics monitoring (统计监测): the zone's figures, targets and consumers' misuse reports.

Reads the clearance and export stores and never writes them; writes only its own tables (``zone_target``,
``consumer_report``) and the audit trail. Transports use ``queries`` (read-only) and ``service``.
"""

from cbec.statistics.errors import ReportInvalid, ReportNotFound, ReportStatusConflict, TargetInvalid
from cbec.statistics.rules import INDICATOR_UNITS, TRADE_MODES, Direction, Indicator, parse_return_info

__all__ = [
    "INDICATOR_UNITS",
    "TRADE_MODES",
    "Direction",
    "Indicator",
    "ReportInvalid",
    "ReportNotFound",
    "ReportStatusConflict",
    "TargetInvalid",
    "parse_return_info",
]
