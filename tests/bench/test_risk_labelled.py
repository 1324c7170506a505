"""The labelled risk world (bench.risk_world) and its measurement (bench.risk_labelled) on a small year."""

from __future__ import annotations

from collections import Counter

from bench.risk_labelled import decide_all, measure
from bench.risk_world import World, _brushing_shop, _normal, plan_world

from cbec.risk.rules import shipped_ruleset


def test_the_world_is_seeded_and_planted_at_its_shares() -> None:
    world = plan_world(20_000, 365, 18)
    again = plan_world(20_000, 365, 18)
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
    decided, _ = decide_all(plan_world(20_000, 365, 18), ruleset)
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
