"""How the shipped rulesets weigh the facts the platform's own events record (issue 17): a confirmed consumer report
−5 (at most −20), a late export summary −2 (at most −10), a failed inspection −3 by its minor severity without a cap
(no ruleset version names it) — under zone@1 and zone@2027.1 alike, so no new version was needed."""

from __future__ import annotations

from datetime import date

import pytest

from cbec.credit.rating import FactView, rate
from cbec.credit.schemes import build_configuration, shipped_documents


def fact(fid: int, fact_type: str) -> FactView:
    return FactView(
        id=fid,
        fact_type=fact_type,
        severity="minor",
        source="platform",
        decided_on=date(2026, 12, 1),
        valid_from=date(2026, 12, 1),
        valid_to=None,
        publish_max_until=date(2027, 12, 1),
    )


@pytest.mark.parametrize(("on", "version"), [(date(2026, 12, 20), "1"), (date(2027, 1, 20), "2027.1")])
def test_each_platform_fact_meets_its_modifier_and_cap(on: date, version: str) -> None:
    ruleset = build_configuration(shipped_documents()).ruleset_on(on)
    assert ruleset is not None and ruleset.version == version
    facts = (
        [fact(n, "consumer_report") for n in range(1, 6)]
        + [fact(n, "platform_late_summaries") for n in range(6, 12)]
        + [fact(n, "inspection_result") for n in range(12, 16)]
    )
    rating = rate(facts, ruleset, on)
    by_type: dict[str, tuple[str | None, int, int]] = {}
    for c in rating.contributions:
        modifier, points, counted = by_type.get(c.fact_type, (c.modifier, 0, 0))
        assert c.modifier == modifier
        by_type[c.fact_type] = (modifier, points + c.points, counted + c.counted)
    assert by_type == {
        "consumer_report": ("consumer-report", -25, -20),  # 5 reports, capped at −20
        "platform_late_summaries": ("platform-late-summaries", -12, -10),  # 6 months, capped at −10
        "inspection_result": ("minor", -12, -12),  # 4 failed inspections, −3 each, no cap
    }
    assert rating.score == 100 - 20 - 10 - 12
