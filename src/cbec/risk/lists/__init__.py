"""External lists of the risk system (外部名单): IPR recordations, recalls, prohibited goods and agency
watch-lists as effective-dated data, loaded all-or-nothing, screened against goods lines (docs/risk.md)."""

from cbec.risk.lists.rules import GoodsLine, ListEntry, ListKind, brand_score, normalise, parse_list, screen
from cbec.risk.lists.schemas import ListEntryRead, ListLoadRead
from cbec.risk.lists.service import list_entries, list_kind, load_list, load_samples, sample_text

__all__ = [
    "GoodsLine",
    "ListEntry",
    "ListEntryRead",
    "ListKind",
    "ListLoadRead",
    "brand_score",
    "list_entries",
    "list_kind",
    "load_list",
    "load_samples",
    "normalise",
    "parse_list",
    "sample_text",
    "screen",
]
