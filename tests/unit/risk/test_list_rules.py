"""External lists, pure: the file grammar (every problem with its field), brand matching (exact, look-alike), and
screening of goods lines against the entries in force on the business day."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.risk.errors import RiskInvalid
from cbec.risk.lists import (
    CaseProposal,
    GoodsLine,
    ListEntry,
    ListKind,
    brand_score,
    normalise,
    parse_list,
    sample_text,
    screen,
)
from cbec.risk.lists.proposals import watch_fields

DAY = date(2026, 3, 2)
SELLER = "4601960002"
ENTRIES = tuple(e for kind in ListKind for e in parse_list(sample_text(kind), kind).entries)


def _screen(*names: tuple[str, str], seller: str = SELLER, parties: tuple[str, ...] = (), day: date = DAY):
    lines = [GoodsLine(hs, name) for hs, name in names]
    return screen(ENTRIES, lines, seller=seller, parties=(seller, *parties), day=day)


def test_every_shipped_sample_parses_and_says_it_is_synthetic() -> None:
    for kind in ListKind:
        parsed = parse_list(sample_text(kind), kind)
        assert parsed.kind is kind and "SYNTHETIC" in parsed.provenance and len(parsed.sha256) == 64
    assert [e.key for e in ENTRIES if e.kind is ListKind.IPR] == ["NORDLYS", "KIWIMILK", "SOLBRIS"]


def test_a_bad_file_reports_every_problem_with_its_field() -> None:
    text = json.dumps(
        {
            "kind": "ipr",
            "entries": [
                {"brand": "", "owner": "X", "valid_from": "2026-13-01"},
                {
                    "brand": "B",
                    "owner": "Y",
                    "authorised": ["123"],
                    "hs_chapters": ["3"],
                    "valid_from": "2026-01-02",
                    "valid_to": "2026-01-01",
                },
            ],
        }
    )
    with pytest.raises(RiskInvalid) as caught:
        parse_list(text, ListKind.IPR)
    assert sorted((p.rule_id, p.field) for p in caught.value.problems) == [
        ("RSK-LIST-DATES", "entries[1].valid_to"),
        ("RSK-LIST-FIELD", "entries[0].brand"),
        ("RSK-LIST-FIELD", "entries[0].valid_from"),
        ("RSK-LIST-FIELD", "entries[1].authorised"),
        ("RSK-LIST-FIELD", "entries[1].hs_chapters"),
        ("RSK-LIST-PROVENANCE", "provenance"),
    ]


def test_the_wrong_kind_no_entries_and_bad_json_are_refused() -> None:
    with pytest.raises(RiskInvalid) as caught:
        parse_list(json.dumps({"kind": "recall", "provenance": "p", "entries": []}), ListKind.WATCH)
    assert [p.rule_id for p in caught.value.problems] == ["RSK-LIST-KIND", "RSK-LIST-EMPTY"]
    with pytest.raises(RiskInvalid) as caught:
        parse_list("{", ListKind.WATCH)
    assert [p.rule_id for p in caught.value.problems] == ["RSK-LIST-JSON"]
    twice = {"enterprise": "4601969901", "agency": "A", "valid_from": "2026-01-01"}
    with pytest.raises(RiskInvalid) as caught:
        parse_list(json.dumps({"provenance": "p", "entries": [twice, twice]}), ListKind.WATCH)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("RSK-LIST-DUPLICATE", "entries[1]")]


def test_brands_match_exactly_inside_the_name_or_as_look_alikes() -> None:
    assert normalise("N0RD-lys ＮＯＲＤ 诺德") == "n0rdlysnord诺德"
    assert brand_score(["NORDLYS"], "Nordlys 精华液") == Decimal(100)
    assert brand_score(["NORDLYS", "诺德丽丝"], "诺德丽丝面霜") == Decimal(100)
    assert brand_score(["NORDLYS"], "N0RDLYS 精华液30毫升") == Decimal("85.7")
    assert brand_score(["NORDLYS"], "精华液50毫升") == Decimal(0)
    assert brand_score(["CSR"], "CSX watch") == Decimal(0)  # under four characters: exact only


def test_an_unauthorised_seller_of_a_recorded_brand_scores_and_an_authorised_one_does_not() -> None:
    assert _screen(("3304990099", "NORDLYS 精华液"))["doc.ipr_score"] == Decimal(100)
    assert _screen(("3304990099", "NORDLYS 精华液"), seller="4601960099")["doc.ipr_score"] == Decimal(0)
    assert _screen(("1901101000", "KIWIMILK 奶粉"))["doc.ipr_score"] == Decimal(0)  # the seller is authorised
    assert _screen(("1901101000", "NORDLYS 奶粉"))["doc.ipr_score"] == Decimal(0)  # chapter 19 is not recorded
    assert _screen(("3304990099", "SOLBRIS 精华液"))["doc.ipr_score"] == Decimal(0)  # recordation ended 2025


def test_recalls_and_prohibited_goods_match_in_force_only() -> None:
    recalled = ("1901101000", "KIWIMILK 奇异牧场婴幼儿配方奶粉800克")
    assert _screen(recalled)["doc.recall_hit"] == Decimal(1)
    assert _screen(recalled, day=date(2026, 2, 14))["doc.recall_hit"] == Decimal(0)  # before the recall
    assert _screen(("1901101000", "婴幼儿配方奶粉900克"))["doc.recall_hit"] == Decimal(0)  # no brand
    assert _screen(("3304990099", "NORDLYS 面霜"))["doc.recall_hit"] == Decimal(0)  # the 2025 recall ended
    assert _screen(("1901101000", "穿山甲鳞片粉100克"))["doc.prohibited_hit"] == Decimal(1)
    assert _screen(("0201300000", "牛肉"))["doc.prohibited_hit"] == Decimal(1)
    assert _screen(("0201200000", "牛肉"))["doc.prohibited_hit"] == Decimal(0)


def test_a_watched_party_is_flagged_and_no_list_in_force_is_unknown() -> None:
    line = ("1901101000", "奶粉")
    assert _screen(line, parties=("4601969901",))["doc.watched"] == Decimal(1)
    assert _screen(line, parties=("4601969902",), day=date(2027, 1, 1))["doc.watched"] == Decimal(0)  # ended
    assert _screen(line)["doc.watched"] == Decimal(0)
    before = _screen(line, day=date(2025, 12, 31))  # every kind is loaded: nothing in force matches
    assert before == {name: Decimal(0) for name in before}
    assert screen((), [GoodsLine(*line)], seller=SELLER, parties=(), day=DAY) == {  # no list loaded: unknown
        "doc.ipr_score": None,
        "doc.recall_hit": None,
        "doc.prohibited_hit": None,
        "doc.watched": None,
    }


def test_a_cases_watch_entry_matches_the_subject_key_of_its_kind_only() -> None:
    at = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    proposal = CaseProposal(7, 9, "phone", "f" * 16, "刷单", "li", "wang", at)
    key, start, end, data = watch_fields(proposal)
    assert (key, start, end) == (f"phone:{'f' * 16}", DAY, date(2027, 3, 1))
    entry = ListEntry(ListKind.WATCH, key, start, end, data)
    lines = [GoodsLine("1901101000", "奶粉")]

    def hit(subjects: dict[str, str], day: date = DAY) -> Decimal | None:
        return screen([entry], lines, seller=SELLER, parties=(SELLER,), day=day, subjects=subjects)["doc.watched"]

    assert hit({"phone": "f" * 16, "buyer": "b" * 16}) == Decimal(1)
    assert hit({"address": "f" * 16, "buyer": "f" * 16}) == Decimal(0)  # the same key under another kind
    assert hit({"phone": "e" * 16}) == Decimal(0)
    assert hit({"phone": "f" * 16}, day=date(2027, 3, 2)) == Decimal(0)  # expired after WATCH_DAYS
    assert watch_fields(replace(proposal, pivot_kind="platform", pivot_key="P1"))[0] == "P1"
    with pytest.raises(ValueError):
        watch_fields(replace(proposal, pivot_kind="hs6"))
