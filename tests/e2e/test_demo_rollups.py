"""End to end: the demo day's rollups (统计日汇总) agree with its trade facts, returns and refusals included."""

from __future__ import annotations

from decimal import Decimal

from cbec.demo.generator import DemoOptions, run_demo
from cbec.statistics import parse_span
from cbec.statistics.indicators import indicator_figures
from cbec.statistics.queries import figure_breakdown, rollup_indicators
from cbec.statistics.service import run_rollup
from cbec.storage.context import Context

SMALL = DemoOptions(buyers=200, orders=150, seed=7)


def test_the_demo_days_rollups_equal_its_facts(ctx: Context) -> None:
    """150 orders on 2 March 2026 (seed 7): 147 inventories stored, 134 released, 9 refused, one partial return."""
    run_demo(ctx, SMALL)
    report = run_rollup(ctx)
    assert (report.events, report.inventories, report.days) == (1778, 149, 1)
    day = parse_span("2026-03-02")
    assert day is not None
    rolled = {f.code: f.value for f in rollup_indicators(ctx, day, "hub")}
    facts = {f.code: f.value for f in indicator_figures(ctx, day.start, day.end)}
    shared = [code for code in facts if code in rolled]
    assert len(shared) == 13  # every catalogue indicator but the median release time
    assert {c: rolled[c] for c in shared} == {c: facts[c] for c in shared}
    assert {
        c: rolled[c]
        for c in (
            "import_value_cny",
            "import_inventories",
            "refusal_rate",
            "refused_inventories",
            "returned_value_cny",
            "return_rate",
        )
    } == {
        "import_value_cny": Decimal("131473.00"),
        "import_inventories": Decimal(134),
        "refusal_rate": Decimal("6.12"),  # 9 of 147
        "refused_inventories": Decimal(9),
        "returned_value_cny": Decimal("736.00"),  # the partial return's line
        "return_rate": Decimal("0.75"),  # 1 of 134
    }
    modes = figure_breakdown(ctx, day, "hub", "mode")
    assert [(r["mode"], r["value_cny"], r["inventories"], r["share"], r["declared"], r["refused"]) for r in modes] == [
        ("1210", Decimal("81561.00"), 75, Decimal("0.6204"), 79, 2),
        ("9610", Decimal("49912.00"), 59, Decimal("0.3796"), 68, 7),
    ]
