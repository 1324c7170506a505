"""Read-only use cases of statistics monitoring (统计查询): the zone dashboard, a party's documents, dossiers.

Every function here is one read-only transaction over the clearance and export stores (and this domain's own
tables).
Personal data leaves only masked. One module per use-case group: ``dashboard`` (the zone's figures),
``documents`` (a party's documents and search), ``dossiers`` (an officer's dossier, misuse reports) and
``figures`` (indicators, breakdowns and the hub's side-by-side view from the daily rollups); the index's
published editions come from ``cbec.statistics.publication``.
"""

from cbec.statistics.figures import figure_breakdown, hub_view, rollup_indicators
from cbec.statistics.indicators import observations as index_observations
from cbec.statistics.publication import Edition, get_edition, list_editions
from cbec.statistics.queries.dashboard import year_figures, zone_overview
from cbec.statistics.queries.documents import (
    document_history,
    exports_available,
    party_inventories,
    party_receipts,
    party_tax_bills,
)
from cbec.statistics.queries.dossiers import inventory_dossier, list_reports, problems_of
from cbec.statistics.reports import (
    ReportData,
    StoredReport,
    due_periods,
    due_reports,
    get_period_report,
    list_period_reports,
    report_data,
)
from cbec.statistics.surveys import SurveyView, list_surveys, survey_estimate

__all__ = [
    "Edition",
    "ReportData",
    "StoredReport",
    "SurveyView",
    "document_history",
    "due_periods",
    "due_reports",
    "exports_available",
    "figure_breakdown",
    "get_edition",
    "get_period_report",
    "hub_view",
    "index_observations",
    "inventory_dossier",
    "list_editions",
    "list_period_reports",
    "list_reports",
    "list_surveys",
    "party_inventories",
    "party_receipts",
    "party_tax_bills",
    "problems_of",
    "report_data",
    "rollup_indicators",
    "survey_estimate",
    "year_figures",
    "zone_overview",
]
