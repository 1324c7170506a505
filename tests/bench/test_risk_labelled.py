"""The labelled risk world (bench.risk_world) and its measurement (bench.risk_labelled) on a small year."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from bench.risk_deliveries import COLLUDING, GAP_CARRIER, decide_deliveries, delivery_lines, is_delivery
from bench.risk_labelled import decide_all, measure
from bench.risk_world import Order, World, _brushing_shop, _normal, plan_world

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
            "order_splitting": 46,
            "fake_order": 31,
            "id_misuse": 24,
            "laundering": 25,
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
        "order_splitting: precision 1.0000 (29 of 29 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (12 of 12), per order 0.6304",
        "fake_order: precision 1.0000 (15 of 15 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (4 of 4), per order 0.4839",
    ]
    assert lines[2].startswith("id_misuse: precision 1.0000 (9 of 9 alerts")
    assert lines[-1] == (
        "undervaluation: budget 200 inspections (1 % of orders), 200 used on the 206 review-band alerts ranked by "
        "revenue expected lost; precision 0.8950, revenue recall 0.8274 (9,571.57 of 11,568.00 CNY), 220 planted "
        "orders; the budget spent on every order with a revenue expected lost instead: precision 0.7750"
    )
    # a world this small plants no bunched platform-week (its weeks hold too few counts) and drew no brushing shop
    assert lines[-3:-1] == [
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
    assert lines[-2] == (
        "fake_order seller alerts (F4 alone, one per seller): 1 sellers, 1 of them brushing shops; shops found 1 of 1"
    )
    alerted = [o for o, banded, _, (_, seller) in decided if seller]
    assert {o.seller for o in alerted} == {"4601700001"} and 0 < len(alerted) < shop
    assert undone / shop >= 0.2


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
    assert (len(planted), sorted({(o.pattern or "").split("-")[0] for o in planted})) == (119, ["fsign", "nodeliv"])
    assert {o.carrier for o in planted if (o.pattern or "").startswith("fsign")} == {COLLUDING}
    assert all(0.3 <= (o.signed_after or 0) < 1.9 for o in planted if (o.pattern or "").startswith("fsign"))
    honest = [o for o in orders if not o.typology and o.signed_after is not None]
    assert min(o.signed_after or 0 for o in honest if o.signed_after and o.signed_after > 0) >= 1  # never < 1 h


def test_the_delivery_rules_on_the_small_year_and_the_carrier_guard() -> None:
    world = plan_world(20_000, 365, 18)
    ruleset = shipped_ruleset()
    delivered = decide_deliveries(world, ruleset)
    assert delivery_lines(delivered) == [
        "fake_order delivery D1 (false signings): precision 1.0000 (37 of 37 alerts; false: none), recall per shop "
        "1.0000 (1 of 1), per parcel 0.8222 (37 of 45 judged); 1 sellers alerted, 1 of them planted shops",
        "fake_order delivery D2 (never signed): precision 1.0000 (29 of 29 alerts; false: none), recall per shop "
        "1.0000 (1 of 1), per parcel 0.7838 (29 of 37 judged); 1 sellers alerted, 1 of them planted shops",
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

    # all 30 of the carrier's sellers without the guard; 3 with it, on two days in December when the carrier's own
    # 30-day share happened to dip under 0.5
    assert (gap_sellers(guarded), gap_sellers(unguarded)) == (3, 30)
