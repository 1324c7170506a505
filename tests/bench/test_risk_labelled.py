"""The labelled risk world (bench.risk_world) and its measurement (bench.risk_labelled) on a small year."""

from __future__ import annotations

from collections import Counter

from bench.risk_labelled import decide_all, measure
from bench.risk_world import plan_world

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
            "order_splitting": 43,
            "fake_order": 37,
            "id_misuse": 32,
            "laundering": 24,
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
        "order_splitting: precision 1.0000 (26 of 26 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (12 of 12), per order 0.6047",
        "fake_order: precision 1.0000 (21 of 21 alerts; 0 on orders planted as another typology), "
        "recall per pattern 1.0000 (4 of 4), per order 0.5676",
    ]
    assert lines[2].startswith("id_misuse: precision 1.0000 (12 of 12 alerts")
    assert lines[-1] == (
        "undervaluation: budget 200 inspections (1 % of orders), 199 used on the 199 review-band alerts ranked by "
        "revenue expected lost; precision 0.8995, revenue recall 0.7356 (8,526.62 of 11,591.41 CNY), 220 planted "
        "orders; the budget spent on every order with a revenue expected lost instead: precision 0.7800"
    )
