"""Use cases of B2B-export identification: import declarations, identify, list and show runs, the B2B figures."""

from cbec.statistics.b2b.service.figures import B2bDay, B2bFigures, b2b_figures
from cbec.statistics.b2b.service.identify import RunSummary, identify, load_channels, load_method
from cbec.statistics.b2b.service.importing import ImportReport, import_declarations
from cbec.statistics.b2b.service.runs import RunDetail, list_runs, show_run

__all__ = [
    "B2bDay",
    "B2bFigures",
    "ImportReport",
    "RunDetail",
    "RunSummary",
    "b2b_figures",
    "identify",
    "import_declarations",
    "list_runs",
    "load_channels",
    "load_method",
    "show_run",
]
