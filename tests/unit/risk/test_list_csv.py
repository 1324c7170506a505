"""CSV external lists (cbec.risk.lists.tabular): a header row and one entry a row become the list document, every
problem named by the file's line; the console's view of an entry masks an owner that may be a person."""

from __future__ import annotations

import json

import pytest

from cbec.risk.errors import RiskInvalid
from cbec.risk.lists import ListKind, csv_document, parse_list, shown


def _problems(text: str, kind: ListKind, provenance: str = "p") -> list[tuple[str, str]]:
    with pytest.raises(RiskInvalid) as caught:
        csv_document(text, kind, provenance)
    return [(p.rule_id, p.field) for p in caught.value.problems]


def test_rows_become_entries_with_lists_split_and_empty_cells_absent() -> None:
    text = (
        "\ufeffbrand,aliases,owner,authorised,hs_chapters,valid_from,valid_to\n"
        "NORDLYS,诺德丽丝|Nordlys,Nordlys AS,4601960099,33|34,2026-01-01,\n"
        "\n"
        'SOLBRIS,,"Solbris, Oy",,,2024-01-01,2025-12-31\n'
    )
    document = json.loads(csv_document(text, ListKind.IPR, "GACC (synthetic)"))
    assert document == {
        "kind": "ipr",
        "provenance": "GACC (synthetic)",
        "entries": [
            {
                "brand": "NORDLYS",
                "aliases": ["诺德丽丝", "Nordlys"],
                "owner": "Nordlys AS",
                "authorised": ["4601960099"],
                "hs_chapters": ["33", "34"],
                "valid_from": "2026-01-01",
            },
            {"brand": "SOLBRIS", "owner": "Solbris, Oy", "valid_from": "2024-01-01", "valid_to": "2025-12-31"},
        ],
    }
    parsed = parse_list(json.dumps(document), ListKind.IPR)
    assert [(e.key, e.valid_to) for e in parsed.entries] == [("NORDLYS", None), ("SOLBRIS", parsed.entries[1].valid_to)]
    assert str(parsed.entries[1].valid_to) == "2025-12-31"


def test_every_problem_is_named_by_its_line() -> None:
    assert _problems("", ListKind.WATCH) == [("RSK-LIST-CSV", "line 1")]
    assert _problems("enterprise,colour,enterprise\n", ListKind.WATCH) == [
        ("RSK-LIST-CSV", "line 1"),  # unknown column
        ("RSK-LIST-CSV", "line 1"),  # no valid_from
        ("RSK-LIST-CSV", "line 1"),  # a column twice
    ]
    text = "enterprise,agency,valid_from\n4601969901,SAMR,2026-01-01\n\n46019,,2026-02-30\n4601969901,SAMR\n"
    assert _problems(text, ListKind.WATCH) == [("RSK-LIST-CSV", "line 5")]
    assert _problems(text.rsplit("4601969901,SAMR\n", 1)[0], ListKind.WATCH, provenance=" ") == [
        ("RSK-LIST-PROVENANCE", "provenance"),
        ("RSK-LIST-FIELD", "line 4.valid_from"),
        ("RSK-LIST-FIELD", "line 4.agency"),
        ("RSK-LIST-FIELD", "line 4.enterprise"),
    ]


def test_the_console_masks_an_owner_that_may_be_a_person() -> None:
    data = {"brand": "X", "owner": "张三丰", "aliases": ["甲", "乙"], "authorised": [], "hs_chapters": None}
    assert shown("ipr", data) == {"brand": "X", "owner": "张**", "aliases": "甲|乙"}
    assert shown("ipr", {"owner": "Nordlys Kosmetikk AS"}) == {"owner": "Nordlys Kosmetikk AS"}
    assert shown("watch", {"agency": "SAMR"}) == {"agency": "SAMR"}
