"""The zone rating without a database: exact scores, contributions, floors, as-of dates, overrides expiring,
the 251 → 282 change as data, and (hypothesis) no fact counting past its maximum publication window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbec.credit.rating import FactView, Override, Ruleset, parse_ruleset, rate
from cbec.credit.rules import add_months, counts_on, parse_fact, publication_window
from cbec.credit.schemes import ConfigKind, Configuration, build_configuration, shipped_documents

D = date(2026, 6, 1)


def shipped() -> Configuration:
    return build_configuration(shipped_documents())


def ruleset() -> Ruleset:
    found = shipped().ruleset_on(D)
    assert found is not None
    return found


def fact(
    fid: int,
    fact_type: str,
    severity: str,
    *,
    decided: date = date(2026, 5, 1),
    max_until: date | None = None,
    valid_to: date | None = None,
    **extra: object,
) -> FactView:
    return FactView(
        id=fid,
        fact_type=fact_type,
        severity=severity,
        source=str(extra.pop("source", "customs")),
        decided_on=decided,
        valid_from=decided,
        valid_to=valid_to,
        publish_max_until=max_until,
        **extra,  # type: ignore[arg-type]
    )


def test_no_facts_is_the_base_score_and_level_a() -> None:
    rating = rate([], ruleset(), D)
    assert (rating.score, rating.level, rating.contributions, rating.floors) == (100, "A", (), ())


def test_exact_score_and_contributions() -> None:
    facts = [
        fact(1, "penalty", "general", max_until=date(2027, 5, 1), document_no="海关罚字〔2026〕1号"),
        fact(2, "penalty", "minor", max_until=date(2026, 8, 1)),
        fact(3, "third_party_rating", "positive", grade="AAA", source="third_party"),
    ]
    rating = rate(facts, ruleset(), D)
    assert rating.score == 100 - 15 - 3 + 5 == 87
    assert rating.level == "B"
    assert [(c.fact_id, c.modifier, c.counted) for c in rating.contributions] == [
        (1, "general", -15),
        (2, "minor", -3),
        (3, "third-party-aaa", 5),
    ]


def test_caps_bound_a_modifier_total() -> None:
    refusals = [fact(i, "platform_refusals", "minor", source="platform", max_until=date(2026, 8, 1)) for i in range(12)]
    rating = rate(refusals, ruleset(), D)
    assert sum(c.counted for c in rating.contributions) == -10
    assert [c.counted for c in rating.contributions][-2:] == [0, 0]
    assert rating.score == 90


def test_serious_list_entry_floors_to_d() -> None:
    entry = fact(1, "list_entry", "serious", list_type="court_dishonest", source="court", max_until=date(2029, 5, 1))
    rating = rate([entry], ruleset(), D)
    assert rating.score == 60 and rating.score_level == "C"
    assert rating.level == "D"
    assert [(f.id, f.changed, f.fact_ids) for f in rating.floors] == [("serious-list", True, (1,))]


def test_customs_dishonest_caps_at_c_even_with_a_high_score() -> None:
    tier = fact(1, "customs_tier", "general", tier="dishonest")
    aaa = fact(2, "third_party_rating", "positive", grade="AAA", source="third_party")
    rating = rate([tier, aaa], ruleset(), D)
    assert rating.score == 90 and rating.score_level == "A"
    assert rating.level == "C"
    assert [f.id for f in rating.floors] == ["customs-dishonest"]


def test_unpaid_tax_caps_at_c() -> None:
    tax = fact(1, "overdue_tax", "minor", source="tax", max_until=date(2026, 8, 1))
    rating = rate([tax], ruleset(), D)
    assert (rating.score, rating.score_level, rating.level) == (97, "A", "C")


def test_advanced_tier_lifts_to_b_only_without_active_negatives() -> None:
    advanced = fact(1, "customs_tier", "positive", tier="advanced")
    heavy = fact(2, "penalty", "serious", max_until=date(2029, 5, 1))
    # 100 + 10 - 40 = 70: C by score; the advanced floor does not apply while a negative fact counts
    assert rate([advanced, heavy], ruleset(), D).level == "C"
    late_positive = [advanced, fact(3, "consumer_report", "positive", source="zone")]
    assert rate(late_positive, ruleset(), D).floors[0].changed is False  # A already: matched, not moved
    # once the serious penalty is past its window the floor may lift again
    past = rate([advanced, heavy], ruleset(), date(2029, 5, 1))
    assert past.level == "A" and past.score == 110


def test_latest_customs_tier_wins() -> None:
    old = fact(1, "customs_tier", "positive", tier="advanced", decided=date(2025, 1, 1))
    new = fact(2, "customs_tier", "general", tier="dishonest", decided=date(2026, 5, 1))
    assert [c.fact_id for c in rate([old, new], ruleset(), D).contributions] == [2]
    assert [c.fact_id for c in rate([old, new], ruleset(), date(2026, 4, 30)).contributions] == [1]


def test_as_of_dates_count_only_facts_valid_and_published_then() -> None:
    general = fact(1, "penalty", "general", decided=date(2026, 5, 1), max_until=date(2027, 5, 1))
    assert rate([general], ruleset(), date(2026, 4, 30)).score == 100  # not yet decided
    assert rate([general], ruleset(), date(2026, 5, 1)).score == 85
    assert rate([general], ruleset(), date(2027, 4, 30)).score == 85
    assert rate([general], ruleset(), date(2027, 5, 1)).score == 100  # past the maximum window


def test_overrides_hold_until_their_expiry() -> None:
    override = Override(7, "B", "复核中 / under review", "zone-office", date(2026, 6, 1), date(2026, 7, 1))
    held = rate([], ruleset(), date(2026, 6, 30), [override])
    assert (held.level, held.computed_level, held.override) == ("B", "A", override)
    lapsed = rate([], ruleset(), date(2026, 7, 1), [override])
    assert (lapsed.level, lapsed.override) == ("A", None)


def test_a_ruleset_with_unordered_thresholds_is_refused() -> None:
    doc = dict(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET))
    doc["thresholds"] = [{"level": "A", "min_score": 60}, {"level": "B", "min_score": 75}]
    ruleset_, problems = parse_ruleset(doc)
    assert ruleset_ is None and {p.rule_id for p in problems} == {"CRD-RULESET"}
    assert "thresholds" in {p.field for p in problems}
    doc = dict(
        doc,
        thresholds=[{"level": "A", "min_score": 90}, {"level": "B", "min_score": 75}, {"level": "C", "min_score": 60}],
        modifiers=[{"id": "x", "when": {"colour": 1}}],
    )
    assert [p.field for p in parse_ruleset(doc)[1]] == ["modifiers[0]"]  # unknown condition keys: type-checked


def test_decree_251_and_282_are_data() -> None:
    config = shipped()
    before, after = config.scheme_on(date(2026, 3, 31)), config.scheme_on(date(2026, 4, 1))
    assert before is not None and after is not None
    assert (before.code, [t.code for t in before.tiers]) == ("GACC-251", ["advanced", "regular", "dishonest"])
    assert (after.code, [t.name_zh for t in after.tiers]) == (
        "GACC-282",
        ["高级认证企业", "认证企业", "常规企业", "失信企业", "严重失信企业"],
    )
    certified = after.tier("certified")
    assert certified is not None and certified.inspection["published"] is False  # the figure is not public
    assert before.tier("certified") is None


def test_windows_from_configuration() -> None:
    config = shipped()
    serious = config.window_for("market", "penalty", "serious", date(2026, 5, 1))
    assert serious is not None and (serious.min_months, serious.max_months) == (12, 36)
    tier = config.window_for("customs", "customs_tier", "general", date(2026, 5, 1))
    assert tier is not None and tier.max_months is None
    assert publication_window(date(2026, 1, 31), 3, 12) == (date(2026, 4, 30), date(2027, 1, 31))


def test_parse_fact_reports_every_problem() -> None:
    raw = {"subject": "12345", "fact_type": "penalty", "source": "mars", "severity": "awful", "decided_on": "x"}
    draft, problems = parse_fact(raw, today=D)
    assert draft is None
    assert {p.rule_id for p in problems} >= {"CRD-SUBJECT", "CRD-SOURCE", "CRD-SEVERITY", "CRD-DATE"}
    assert all(" / " in p.message and p.hint for p in problems)


# --- property: no fact counts past its maximum publication window -------------------------------------------------

SEVERITIES = ("minor", "general", "serious", "positive")
TYPES = ("penalty", "overdue_tax", "list_entry", "inspection_result", "consumer_report", "platform_refusals")


@st.composite
def histories(draw: st.DrawFn) -> list[FactView]:
    config = shipped()
    facts = []
    for fid in range(1, draw(st.integers(1, 12)) + 1):
        decided = date(2021, 11, 1) + timedelta(days=draw(st.integers(0, 2000)))
        severity = draw(st.sampled_from(SEVERITIES))
        fact_type = draw(st.sampled_from(TYPES))
        source = "platform" if fact_type == "platform_refusals" else draw(st.sampled_from(["customs", "tax", "court"]))
        window = config.window_for(source, fact_type, severity, decided)
        assert window is not None
        _, high = publication_window(decided, window.min_months, window.max_months)
        valid_to = draw(st.one_of(st.none(), st.just(decided + timedelta(days=draw(st.integers(1, 2000))))))
        facts.append(
            FactView(fid, fact_type, severity, source, decided, decided, valid_to, high, list_type="court_dishonest")
        )
    return facts


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(0, 3000))
def test_no_fact_counts_past_its_maximum_window(facts: list[FactView], offset: int) -> None:
    on = date(2021, 11, 1) + timedelta(days=offset)
    rating = rate(facts, ruleset(), on)
    by_id = {f.id: f for f in facts}
    for contribution in rating.contributions:
        counted = by_id[contribution.fact_id]
        assert counted.publish_max_until is None or on < counted.publish_max_until
        assert counts_on(counted.valid_from, counted.valid_to, counted.publish_max_until, on)
    for floor in rating.floors:
        assert all(by_id[i].publish_max_until is None or on < by_id[i].publish_max_until for i in floor.fact_ids)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
    ],
)
def test_add_months(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end
