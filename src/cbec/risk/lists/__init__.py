"""External lists of the risk system (外部名单): IPR recordations, recalls, prohibited goods and agency
watch-lists as effective-dated data, loaded all-or-nothing, screened against goods lines (docs/risk.md)."""

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
from cbec.risk.lists.tabular import COLUMNS, csv_document, shown

__all__ = [
    "COLUMNS",
    "FORMATS",
    "GoodsLine",
    "KindSummary",
    "ListEntry",
    "ListEntryRead",
    "ListKind",
    "ListLoadRead",
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
]
