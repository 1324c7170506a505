"""Ruleset 2026.6, the shipped one: 2026.5 (kept byte for byte) plus the same item bought again (S8, six-systems R1.2)
and a parcel's gross weight off its goods' filed weights (W1, R2.3, 空包), each on the exact inputs that make it fire
or not; and the pure fields behind them (``cbec.risk.items``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources

import pytest

from cbec.facts.queries import InventoryLine
from cbec.risk.book import CounterBook
from cbec.risk.cases.rules import PivotKind, choose_pivot
from cbec.risk.items import item_key, item_values, repeat_fields, weight_deviation, weight_fields, weight_keys
from cbec.risk.rules import SubjectKind, Typology, evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.service import count, counted_subjects, met_links, observe
from cbec.risk.versions.service import past_shipped_texts, shipped_text

D = Decimal
FIFTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8"))
RULES = shipped_ruleset()
DAY = date(2026, 3, 2)
SHOP, OTHER_SHOP = "4601960002", "4601960009"


def test_2026_6_is_2026_5_plus_s8_and_w1_and_the_carton_allowance() -> None:
    assert (FIFTH.version, RULES.version) == ("2026.5", "2026.6")
    # the whole difference from 2026.5 is pinned in test_ruleset_2026_6.py; here: S8 follows S7, W1 the delivery
    # rules, with the carton allowance
    ids = [r.id for r in RULES.rules]
    assert (ids[ids.index("S7") + 1], ids[ids.index("D2") + 1]) == ("S8", "W1")
    assert RULES.typologies == FIFTH.typologies
    assert RULES.parameters["weight_tare"] == D(1)
    assert {k: v for k, v in RULES.parameters.items() if k in FIFTH.parameters} == dict(FIFTH.parameters)
    rules = {r.id: r for r in RULES.rules}
    s8, w1 = rules["S8"], rules["W1"]
    assert (s8.typology, s8.input, [(g.input, g.op, g.value) for g in s8.guards]) == (
        Typology.ORDER_SPLITTING,
        "doc.item_repeat",
        [("doc.item_repeat_value", ">", D(5000))],
    )
    assert [(b.lower, b.upper, b.weight) for b in s8.bands] == [(D(4), None, 40)]
    assert (w1.typology, w1.input, w1.guards) == (Typology.FAKE_ORDER, "doc.weight_deviation", ())
    assert [(b.lower, b.upper, b.weight) for b in w1.bands] == [(None, D("-0.3"), 40), (D("0.3"), None, 15)]
    assert s8.reason_zh.startswith("订购人30日内第4次以上购买同一商品") and w1.reason_zh.startswith(
        "清单毛重比商品备案"
    )


def test_the_2026_5_document_is_kept_byte_for_byte_for_its_replays() -> None:
    kept = resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8")
    assert kept in past_shipped_texts() and kept != shipped_text()
    # the digest 2026.5's decisions stored when it was the shipped ruleset.json
    assert FIFTH.sha256 == "0fc97efb67c844607211805698b2d350fc02da908949c34bd49f1d1b2214f510"


def _rule(rule: str, **named: object) -> tuple[str, int]:
    inputs = {f"doc.{k}": None if v is None else D(str(v)) for k, v in named.items()}
    [trace] = [t for t in evaluate(RULES, inputs).rules if t.rule == rule]
    return trace.status, trace.weight


@pytest.mark.parametrize(
    ("repeat", "value", "expected"),
    [
        (4, "5000.01", ("fired", 40)),
        (9, "21000", ("fired", 40)),
        (4, "5000", ("guard_failed", 0)),  # four tins of formula a month: not a purchase over the limit
        (3, "14000", ("no_band", 0)),
        (None, None, ("insufficient", 0)),  # no buyer key, or no item number on any line
    ],
)
def test_s8_the_same_item_four_times_in_30_days_together_over_the_limit(
    repeat: object, value: object, expected: tuple[str, int]
) -> None:
    assert _rule("S8", item_repeat=repeat, item_repeat_value=value) == expected


@pytest.mark.parametrize(
    ("deviation", "expected"),
    [
        ("-0.9", ("fired", 40)),  # an empty parcel
        ("-0.3001", ("fired", 40)),
        ("-0.3", ("no_band", 0)),  # 30 % light exactly: not beyond ±30 %
        ("0", ("no_band", 0)),
        ("0.2999", ("no_band", 0)),
        ("0.3", ("fired", 15)),  # 30 % heavy after the carton: the band's lower edge is inclusive, as every band
        ("2.5", ("fired", 15)),
        (None, ("insufficient", 0)),  # a line without a filed weight, or no gross weight
    ],
)
def test_w1_gross_weight_off_the_filing(deviation: object, expected: tuple[str, int]) -> None:
    assert _rule("W1", weight_deviation=deviation) == expected


def test_each_alone_reaches_review_but_a_heavy_parcel_does_not() -> None:
    found = evaluate(RULES, {"doc.item_repeat": D(5), "doc.item_repeat_value": D(6200)})
    [split] = [s for s in found.scores if s.typology is Typology.ORDER_SPLITTING]
    assert (split.score, split.band.value, [c.rule for c in split.contributions]) == (40, "review", ["S8"])
    for deviation, score, band in (("-0.82", 40, "review"), ("0.75", 15, "none")):
        found = evaluate(RULES, {"doc.weight_deviation": D(deviation)})
        [fake] = [s for s in found.scores if s.typology is Typology.FAKE_ORDER]
        assert (fake.score, fake.band.value) == (score, band)


def test_an_alert_of_w1_alone_is_the_seller_s() -> None:
    subjects = {"buyer": "b1", "phone": "ph1", "address": "ad1", "enterprise": "E1", "platform": "P1"}
    assert choose_pivot("fake_order", subjects, ["W1"]) == (PivotKind.ENTERPRISE, "E1")
    assert choose_pivot("fake_order", subjects, ["F4", "W1"]) == (PivotKind.ENTERPRISE, "E1")
    assert choose_pivot("fake_order", subjects, ["F2", "W1"]) == (PivotKind.PHONE, "ph1")
    assert choose_pivot("order_splitting", subjects, ["S8"]) == (PivotKind.BUYER, "b1")


def line(
    k: int,
    item: str | None,
    qty: str,
    value: str,
    *,
    gross: str | None = "3.0",
    buyer: str | None = "b" * 64,
    shop: str = SHOP,
    day: date = DAY,
    eport: str = "E1",
) -> InventoryLine:
    return InventoryLine(
        eport_no=eport,
        inventory_no=None,
        order_no=f"O{eport}",
        line_no=k,
        hs_code="1901101000",
        quantity=D(qty),
        value_cny=D(value),
        platform_code="P1",
        ecommerce_code=shop,
        logistics_code="L1",
        agent_code="A1",
        tenant=None,
        declared_on=day,
        status="120",
        buyer_key=buyer,
        payer_key=buyer,
        phone_key="ph1",
        address_key="ad1",
        item_no=item,
        gross_weight=None if gross is None else D(gross),
    )


FILED = {(SHOP, "SKU-MILK-900"): D("1.15"), (SHOP, "SKU-SERUM-50"): D("0.18")}


@pytest.mark.parametrize(
    ("gross", "expected"),
    [
        ("2.84", D("0")),  # 2 tins and 3 bottles: 2.84 kg of goods
        ("0.5", D("-0.8239")),  # (0.5 − 2.84) / 2.84: an empty parcel
        ("1.988", D("-0.3000")),
        ("1.9879", D("-0.3000")),  # four places, half up: −0.300035 is −0.3000
        ("3.84", D("0")),  # heavier by the carton allowance (1 kg) exactly
        ("4.532", D("0.2437")),  # (4.532 − 1 − 2.84) / 2.84
        ("4.692", D("0.3000")),
        ("0", None),
        (None, None),
    ],
)
def test_the_weight_deviation_of_an_inventory(gross: str | None, expected: Decimal | None) -> None:
    lines = [line(1, "SKU-MILK-900", "2", "596", gross=gross), line(2, "SKU-SERUM-50", "3", "1485", gross=gross)]
    assert weight_fields(lines, FILED, RULES) == {"doc.weight_deviation": expected}
    assert weight_keys(lines) == {(SHOP, "SKU-MILK-900"), (SHOP, "SKU-SERUM-50")}


def test_a_parcel_with_unfiled_lines_is_judged_light_against_its_filed_lines_only() -> None:
    filed = [line(1, "SKU-MILK-900", "2", "596", gross="0.3")]
    # lighter than its filed lines alone (2.3 kg): at least that light, whatever the unfiled line weighs
    assert weight_fields([*filed, line(2, "SKU-OTHER", "1", "10", gross="0.3")], FILED, RULES) == {
        "doc.weight_deviation": D("-0.8696")
    }
    assert weight_fields([*filed, line(2, None, "1", "10", gross="0.3")], FILED, RULES) == {
        "doc.weight_deviation": D("-0.8696")
    }
    # at or above its filed lines: the unfiled line may weigh the rest, so neither light nor heavy is known
    for gross in ("2.3", "9.0"):
        heavy_enough = [line(1, "SKU-MILK-900", "2", "596", gross=gross), line(2, "SKU-OTHER", "1", "10", gross=gross)]
        assert weight_fields(heavy_enough, FILED, RULES) == {"doc.weight_deviation": None}
    assert weight_fields([line(1, "SKU-OTHER", "1", "10", gross="0.1")], FILED, RULES) == {"doc.weight_deviation": None}
    other = [line(1, "SKU-MILK-900", "2", "596", gross="0.3", shop=OTHER_SHOP)]  # another seller's item number
    assert weight_fields(other, FILED, RULES) == {"doc.weight_deviation": None}
    assert weight_fields(filed, FILED, RULES) == {"doc.weight_deviation": D("-0.8696")}  # (0.3 − 2.3) / 2.3
    heavy = [line(1, "SKU-MILK-900", "2", "596", gross="4.0")]
    assert weight_fields(heavy, FILED, FIFTH) == {"doc.weight_deviation": D("0.3043")}  # the default carton, 1 kg
    assert weight_deviation(D("1"), D("0"), D("0.5")) is None


def test_items_are_keyed_per_buyer_seller_and_item_number() -> None:
    lines = [
        line(1, "SKU-MILK-900", "2", "596"),
        line(2, " SKU-MILK-900 ", "1", "298"),  # the same item on a second line: one inventory, its value added
        line(3, "SKU-SERUM-50", "1", "495", shop=OTHER_SHOP),
        line(4, None, "1", "10"),
    ]
    buyer = "b" * 64
    assert item_values(lines) == (
        (item_key(buyer, SHOP, "SKU-MILK-900"), D(894)),
        (item_key(buyer, OTHER_SHOP, "SKU-SERUM-50"), D(495)),
    )
    assert len(item_key(buyer, SHOP, "SKU-MILK-900")) == 64
    assert item_key(buyer, SHOP, "SKU-MILK-900") != item_key(buyer, OTHER_SHOP, "SKU-MILK-900")
    assert item_values([line(1, "SKU-MILK-900", "2", "596", buyer=None)]) == ()


def test_the_consumer_counts_a_buyer_s_item_per_inventory_over_30_days() -> None:
    book = CounterBook(None)

    def decide(day: date, *lines: InventoryLine) -> dict[str, Decimal | None]:
        seen = observe([replace(one, declared_on=day) for one in lines], RULES)
        book.load(counted_subjects(seen), met_links(seen), seen.day)
        count(book, seen)
        return repeat_fields(book, seen.items, seen.day)

    first = decide(DAY, line(1, "SKU-MILK-900", "4", "1192", eport="E1"))
    assert first == {"doc.item_repeat": D(1), "doc.item_repeat_value": D(1192)}
    for n, days in enumerate((3, 10), start=2):
        decide(DAY + timedelta(days=days), line(1, "SKU-MILK-900", "5", "1490", eport=f"E{n}"))
    # the fourth inventory of the tin in 30 days (day 29), with a serum beside it: the tin's count and value
    fourth = decide(
        DAY + timedelta(days=29),
        line(1, "SKU-SERUM-50", "1", "495", eport="E4"),
        line(2, "SKU-MILK-900", "5", "1490", eport="E4"),
    )
    assert fourth == {"doc.item_repeat": D(4), "doc.item_repeat_value": D("5662")}
    assert _rule("S8", item_repeat=4, item_repeat_value="5662") == ("fired", 40)
    # day 30: the first inventory has left the window
    later = decide(DAY + timedelta(days=30), line(1, "SKU-MILK-900", "1", "298", eport="E5"))
    assert later == {"doc.item_repeat": D(4), "doc.item_repeat_value": D("4768")}
    assert repeat_fields(book, (), DAY) == {"doc.item_repeat": None, "doc.item_repeat_value": None}
    key = item_key("b" * 64, SHOP, "SKU-MILK-900")
    assert book.series(SubjectKind.BUYER_ITEM, key, "value", [DAY, DAY + timedelta(days=29)]) == [119200, 149000]
