"""Statistics monitoring (统计监测): the zone's figures, daily rollups, targets and consumers' misuse reports.

Reads the clearance and export stores, the trade facts and the event outbox and never writes them; writes only
its own tables (``zone_target``, ``consumer_report``, the ``stat_*`` rollups and targets) and the audit trail.
Transports use ``queries`` (read-only) and ``service``, and from here periods (``parse_span``), the CSV and
XLSX writers and the development index's computation (``compute_index``).
"""

from cbec.statistics.cube import DERIVED, DIMENSIONS
from cbec.statistics.errors import (
    EditionExists,
    EditionInvalid,
    EditionNotFound,
    ReportInvalid,
    ReportNotFound,
    ReportStatusConflict,
    TargetInvalid,
)
from cbec.statistics.index import (
    IndexInputInvalid,
    compute_index,
    method_codes,
    parse_method,
    parse_observations,
    shipped_method,
)
from cbec.statistics.index.edition import EDITION_FILES
from cbec.statistics.rules import (
    INDICATOR_UNITS,
    TRADE_MODES,
    Direction,
    Indicator,
    Span,
    parse_return_info,
    parse_span,
)
from cbec.statistics.sheets import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from cbec.statistics.targets import TARGETABLE

__all__ = [
    "CSV_TYPE",
    "DERIVED",
    "DIMENSIONS",
    "EDITION_FILES",
    "INDICATOR_UNITS",
    "TARGETABLE",
    "TRADE_MODES",
    "XLSX_TYPE",
    "Direction",
    "EditionExists",
    "EditionInvalid",
    "EditionNotFound",
    "IndexInputInvalid",
    "Indicator",
    "ReportInvalid",
    "ReportNotFound",
    "ReportStatusConflict",
    "Span",
    "TargetInvalid",
    "compute_index",
    "method_codes",
    "parse_method",
    "parse_observations",
    "parse_return_info",
    "parse_span",
    "shipped_method",
    "to_csv",
    "to_xlsx",
]
