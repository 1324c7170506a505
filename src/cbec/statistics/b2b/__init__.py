"""B2B-export identification (B2B出口识别): general-trade (0110) exports scored on evidence, runs kept reproducible.

9710/9810 exports are B2B by declaration; an imported general-trade declaration is scored on five evidence items
(a filed platform's order, a company buyer, matching logistics, matching amounts, a CBEC-capable payment channel)
by a versioned method and classed identified, undecided (reported, never counted) or general trade. Each run is
stored with its method, thresholds, input and result digests. docs/statistics.md, "B2B-export identification".
Transports use this package's surface only.
"""

from cbec.statistics.b2b.errors import B2bInvalid, B2bRunNotFound
from cbec.statistics.b2b.names import BuyerKind, buyer_kind
from cbec.statistics.b2b.rules import B2bClass, Method, Reason, default_channels, default_method, parse_method
from cbec.statistics.b2b.service import (
    B2bDay,
    B2bFigures,
    ImportReport,
    RunDetail,
    RunSummary,
    b2b_figures,
    identify,
    import_declarations,
    list_runs,
    load_channels,
    load_method,
    show_run,
)

__all__ = [
    "B2bClass",
    "B2bDay",
    "B2bFigures",
    "B2bInvalid",
    "B2bRunNotFound",
    "BuyerKind",
    "ImportReport",
    "Method",
    "Reason",
    "RunDetail",
    "RunSummary",
    "b2b_figures",
    "buyer_kind",
    "default_channels",
    "default_method",
    "identify",
    "import_declarations",
    "list_runs",
    "load_channels",
    "load_method",
    "parse_method",
    "show_run",
]
