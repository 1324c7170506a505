"""The labelled risk world (bench.risk_world) and its measurement (bench.risk_labelled) on a small year."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from bench.risk_deliveries import COLLUDING, GAP_CARRIER, decide_deliveries, delivery_lines, is_delivery
from bench.risk_labelled import decide_all, measure
from bench.risk_world import (
    Order,
    World,
    _brushing_shop,
    _empty_parcel_shop,
    _item_split,
    _normal,
    _self_dealing_shop,
    contact_phone,
    plan_world,
)

from cbec.risk.rules import parse_ruleset, shipped_ruleset
from cbec.risk.versions.service import shipped_text


def test_the_world_is_seeded_and_planted_at_its_shares() -> None:
    world = plan_world(20_000, 365, 18, deliveries=False)
    again = plan_world(20_000, 365, 18, deliveries=False)
    orders = [o for day in world.per_day for o in day]
    assert orders == [o for day in again.per_day for o in day]
    assert len(orders) == 20_000
    assert Counter(o.typology for o in orders if o.typology) == Counter(
        {
            "undervaluation": 220,
            "order_splitting": 42,
            "fake_order": 33,
            "id_misuse": 27,
            "laundering": 23,
            "ip_infringement": 16,
            "quality": 12,
        }
    )
    # every pattern of a ring or a misuse lies within 28 days, so a 30-day window can see it whole
    spans: dict[str, list[int]] = {}
    for o in orders:
        if o.typology in ("fake_order", "id_misuse", "laundering"):
            spans.setdefault(o.pattern or "", []).append(o.day)
    assert max(max(days) - min(days) for days in spans.values()) <= 27


def test_the_shipped_rules_on_a_small_labelled_year() -> None:
    ruleset = shipped_ruleset()
    decided, _ = decide_all(plan_world(20_000, 365, 18, deliveries=False), ruleset)
    lines = measure(decided, tuple(t.value for t in ruleset.typologies))
    assert lines[:2] == [
        "order_splitting: precision 0.9565 (22 of 23 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (12 of 12), per order 0.5238",
        "fake_order: precision 1.0000 (17 of 17 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (4 of 4), per order 0.5152",
    ]
    assert lines[2].startswith("id_misuse: precision 1.0000 (12 of 12 alerts")
    assert lines[-1] == (
        "undervaluation: budget 200 inspections (1 % of orders), 200 used on the 206 review-band alerts ranked by "
        "revenue expected lost; precision 0.8850, revenue recall 0.8291 (8,845.17 of 10,668.62 CNY), 220 planted "
        "orders; the budget spent on every order with a revenue expected lost instead: precision 0.7950"
    )
    # two same-item splits found by S8 at their fourth inventory; no empty-parcel shop drawn; the honest parcels
    # weigh what their filings say (a realistic spread), so W1 scores none of them
    assert lines[-5:-1] == [
        "item (order_splitting): alerts needing S8 (R1.2, the same item again): 3, 3 of them on planted item orders "
        "(precision 1.0000); recall per pattern 1.0000 (2 of 2), per order 0.3333 (3 of 9)",
        "empty (fake_order): alerts needing W1 (R2.3, a parcel lighter than its goods): 0, 0 of them on planted "
        "empty orders (precision 0.0000); recall per pattern 0.0000 (0 of 0), per order 0.0000 (0 of 0)",
        "self (laundering): alerts needing L5 (R5.1, the seller's own phone as consignee): 0, 0 of them on planted "
        "self orders (precision 0.0000); recall per pattern 0.0000 (0 of 0), per order 0.0000 (0 of 0)",
        "parcel weights: 14,156 of 19,627 honest orders compared with their filings (every line filed with a "
        "weight, or lighter than its filed lines); 0 more than 30 % light (W1 40), 0 30 % or more heavy after the "
        "carton allowance (W1 15)",
    ]
    # a world this small plants no bunched platform-week (its weeks hold too few counts) and drew no brushing shop
    assert lines[-7:-5] == [
        "order_splitting platform alerts (S7 alone, one per platform and calendar week): precision 0.0000 (0 of 0 "
        "platform-weeks bunched), recall per pattern 0.0000 (0 of 0 bunched weeks); 0 alerts on orders, 0 of them "
        "on the planted orders",
        "fake_order seller alerts (F4 alone, one per seller): 0 sellers, 0 of them brushing shops; shops found 0 of 0",
    ]


def test_a_brushing_shop_is_found_by_its_quick_cancels_and_returns() -> None:
    world = World(20_000, 365, 18)
    shop = _brushing_shop(world, world.next_pattern("fake_order"))
    _normal(world, 20_000 - world.serial)
    orders = [o for day in world.per_day for o in day]
    planted = [o for o in orders if o.typology]
    assert (len(planted), shop, {o.seller for o in planted}) == (shop, len(planted), {"4601700001"})
    undone = sum(o.undone for o in planted)
    ruleset = shipped_ruleset()
    decided, _ = decide_all(world, ruleset)
    lines = measure(decided, tuple(t.value for t in ruleset.typologies))
    assert lines[-6] == (
        "fake_order seller alerts (F4 alone, one per seller): 1 sellers, 1 of them brushing shops; shops found 1 of 1"
    )
    alerted = [o for o, banded, _, (_, seller), _, _ in decided if seller]
    assert {o.seller for o in alerted} == {"4601700001"} and 0 < len(alerted) < shop
    assert undone / shop >= 0.2


def test_an_empty_parcel_shop_is_found_by_its_parcels_weights_and_a_same_item_split_by_its_fourth_inventory() -> None:
    world = World(20_000, 365, 18)
    empty = _empty_parcel_shop(world, world.next_pattern("empty"))
    split = _item_split(world, world.next_pattern("item"))
    _normal(world, 20_000 - world.serial)
    planted = [o for day in world.per_day for o in day if o.typology]
    assert (len(planted), {o.pattern for o in planted}) == (empty + split, {"empty-1", "item-2"})
    parcels = [o for o in planted if o.pattern == "empty-1"]
    assert {o.seller for o in parcels} == {"4601600001"} and all(o.gross_weight <= Decimal("0.4") for o in parcels)
    splits = sorted((o for o in planted if o.pattern == "item-2"), key=lambda o: (o.day, o.number))
    assert len({o.buyer for o in splits}) == 1 and len({line.item_no for o in splits for line in o.lines}) == 1
    assert all(o.lines[0].value < 4500 for o in splits) and sum(o.lines[0].value for o in splits) > 5000
    ruleset = shipped_ruleset()
    decided, _ = decide_all(world, ruleset)
    lines = measure(decided, tuple(t.value for t in ruleset.typologies))
    assert lines[-5:-1] == [
        "item (order_splitting): alerts needing S8 (R1.2, the same item again): 3, 3 of them on planted item orders "
        "(precision 1.0000); recall per pattern 1.0000 (1 of 1), per order 0.5000 (3 of 6)",
        "empty (fake_order): alerts needing W1 (R2.3, a parcel lighter than its goods): 29, 29 of them on planted "
        "empty orders (precision 1.0000); recall per pattern 1.0000 (1 of 1), per order 1.0000 (29 of 29)",
        "self (laundering): alerts needing L5 (R5.1, the seller's own phone as consignee): 0, 0 of them on planted "
        "self orders (precision 0.0000); recall per pattern 0.0000 (0 of 0), per order 0.0000 (0 of 0)",
        "parcel weights: 14,280 of 19,965 honest orders compared with their filings (every line filed with a "
        "weight, or lighter than its filed lines); 0 more than 30 % light (W1 40), 0 30 % or more heavy after the "
        "carton allowance (W1 15)",
    ]


def _undelivered(order: Order) -> Order:
    return replace(order, region=None, carrier="4601970000", released_hour=12.0, signed_after=None)


def test_deliveries_leave_the_year_s_orders_as_they_were_and_plant_shops_of_both_kinds() -> None:
    without = [o for day in plan_world(20_000, 365, 18, deliveries=False).per_day for o in day]
    world = plan_world(20_000, 365, 18)
    orders = [o for day in world.per_day for o in day]
    planted = [o for o in orders if is_delivery(o.pattern)]
    assert sorted((_undelivered(o) for o in orders if not is_delivery(o.pattern)), key=lambda o: o.number) == sorted(
        without, key=lambda o: o.number
    )
    assert (len(planted), sorted({(o.pattern or "").split("-")[0] for o in planted})) == (126, ["fsign", "nodeliv"])
    assert {o.carrier for o in planted if (o.pattern or "").startswith("fsign")} == {COLLUDING}
    assert all(0.3 <= (o.signed_after or 0) < 1.9 for o in planted if (o.pattern or "").startswith("fsign"))
    honest = [o for o in orders if not o.typology and o.signed_after is not None]
    assert min(o.signed_after or 0 for o in honest if o.signed_after and o.signed_after > 0) >= 1  # never < 1 h


def test_the_delivery_rules_on_the_small_year_and_the_carrier_guard() -> None:
    world = plan_world(20_000, 365, 18)
    ruleset = shipped_ruleset()
    delivered = decide_deliveries(world, ruleset)
    assert delivery_lines(delivered) == [
        "fake_order delivery D1 (false signings): precision 1.0000 (45 of 45 alerts; false: none), recall per shop "
        "1.0000 (1 of 1), per parcel 0.7627 (45 of 59 judged); 1 sellers alerted, 1 of them planted shops",
        "fake_order delivery D2 (never signed): precision 1.0000 (28 of 28 alerts; false: none), recall per shop "
        "1.0000 (1 of 1), per parcel 0.8000 (28 of 35 judged); 1 sellers alerted, 1 of them planted shops",
    ]
    # the sellers of the carrier that reports 40 % of its signings look undelivered; D2's guard on the carrier's
    # own share keeps them out (shown with 5 parcels a month enough to judge: this year's sellers sell about 6)
    doc = json.loads(shipped_text())
    doc["parameters"]["unsigned_min_parcels"] = "5"
    guarded = decide_deliveries(world, parse_ruleset(json.dumps(doc)))
    d2 = next(rule for rule in doc["rules"] if rule["id"] == "D2")
    d2["guards"] = [g for g in d2["guards"] if g["input"] != "doc.carrier_unsigned_share"]
    unguarded = decide_deliveries(world, parse_ruleset(json.dumps(doc)))

    def gap_sellers(found: list[tuple[Order, str, bool]]) -> int:
        return len({o.seller for o, rule, alerted in found if rule == "D2" and alerted and o.carrier == GAP_CARRIER})

    # all 30 of the carrier's sellers without the guard; 1 with it, on a day when the carrier's own 30-day share
    # happened to dip under 0.5
    assert (gap_sellers(guarded), gap_sellers(unguarded)) == (1, 30)


def test_a_self_dealing_shop_is_found_by_its_own_phone_as_consignee() -> None:
    world = World(20_000, 365, 18)
    size = _self_dealing_shop(world, world.next_pattern("self"))
    _normal(world, 20_000 - world.serial)
    planted = [o for day in world.per_day for o in day if o.typology]
    assert 2 <= size <= 4 and len(planted) == size and {o.pattern for o in planted} == {"self-1"}
    assert len({o.buyer for o in planted}) == size and {o.phone for o in planted} == {contact_phone(planted[0].seller)}
    ruleset = shipped_ruleset()
    decided, _ = decide_all(world, ruleset)
    lines = measure(decided, tuple(t.value for t in ruleset.typologies))
    assert lines[-3] == (
        f"self (laundering): alerts needing L5 (R5.1, the seller's own phone as consignee): {size}, {size} of them on "
        f"planted self orders (precision 1.0000); recall per pattern 1.0000 (1 of 1), per order 1.0000 ({size} of "
        f"{size})"
    )
