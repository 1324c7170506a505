"""External lists of the risk system (外部名单): IPR recordations, recalls, prohibited goods and agency
watch-lists as effective-dated data, loaded all-or-nothing, screened against goods lines; a case's confirmed
watch-list proposal adds an entry (docs/risk.md)."""

from cbec.risk.lists.proposals import WATCH_DAYS, CaseProposal, add_watch_entry
from cbec.risk.lists.rules import GoodsLine, ListEntry, ListKind, brand_score, normalise, parse_list, screen
from cbec.risk.lists.schemas import ListEntryRead, ListLoadRead
from cbec.risk.lists.service import (
    FORMATS,
    KindSummary,
    list_entries,
    list_kind,
    list_summary,
    load_list,
    load_samples,
    sample_text,
)
from cbec.risk.lists.tabular import COLUMNS, csv_document, shown, shown_key

__all__ = [
    "COLUMNS",
    "FORMATS",
    "WATCH_DAYS",
    "CaseProposal",
    "GoodsLine",
    "KindSummary",
    "ListEntry",
    "ListEntryRead",
    "ListKind",
    "ListLoadRead",
    "add_watch_entry",
    "brand_score",
    "csv_document",
    "list_entries",
    "list_kind",
    "list_summary",
    "load_list",
    "load_samples",
    "normalise",
    "parse_list",
    "sample_text",
    "screen",
    "shown",
    "shown_key",
]
