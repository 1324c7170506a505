"""Repair and objection rules (pure): hypothesis over fact windows and days — no repair is allowed before the
minimum window nor after the maximum; maker-checker; objection deadlines by source and effective date."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cbec.credit.repair import (
    FactState,
    RepairDraft,
    check_fact_for_repair,
    check_repair,
    maker_checker,
    parse_objection,
)
from cbec.credit.rules import publication_window
from cbec.credit.schemes import build_configuration, shipped_documents

START = date(2024, 1, 1)
SEVERITIES = ("minor", "general", "serious", "positive", "neutral")


@st.composite
def facts(draw: st.DrawFn) -> FactState:
    decided = START + timedelta(days=draw(st.integers(0, 1200)))
    low = draw(st.integers(0, 24))
    high = draw(st.one_of(st.none(), st.integers(low, 48)))
    min_until, max_until = publication_window(decided, low, high)
    return FactState(
        id=draw(st.integers(1, 10**6)),
        fact_type=draw(st.sampled_from(("penalty", "overdue_tax", "list_entry", "customs_tier"))),
        severity=draw(st.sampled_from(SEVERITIES)),
        publish_min_until=min_until,
        publish_max_until=max_until,
        current=draw(st.booleans()),
    )


@given(facts(), st.integers(0, 2500))
def test_no_repair_before_the_minimum_window_nor_after_the_maximum(fact: FactState, offset: int) -> None:
    today = START + timedelta(days=offset)
    problems = check_fact_for_repair(fact, today)
    if not problems:
        assert today >= fact.publish_min_until
        assert fact.publish_max_until is None or today < fact.publish_max_until
        assert fact.current and fact.severity in ("minor", "general", "serious") and fact.fact_type != "customs_tier"
    elif fact.current and fact.severity in ("minor", "general", "serious") and fact.fact_type != "customs_tier":
        ended = fact.publish_max_until is not None and today >= fact.publish_max_until
        assert [p.rule_id for p in problems] == ["CRD-REPAIR-ENDED" if ended else "CRD-REPAIR-EARLY"]
        assert ended or today < fact.publish_min_until


def test_an_early_application_names_the_day_repair_opens() -> None:
    fact = FactState(7, "penalty", "general", date(2026, 5, 1), date(2027, 2, 1), True)
    draft = RepairDraft(7, "AB" * 32, "整改完成", "承诺", None)
    [early] = check_repair(fact, draft, date(2026, 4, 30))
    assert (early.rule_id, early.field, early.hint) == ("CRD-REPAIR-EARLY", "fact_id", "Apply on or after 2026-05-01.")
    assert check_repair(fact, draft, date(2026, 5, 1)) == []
    serious = FactState(8, "penalty", "serious", date(2026, 5, 1), date(2028, 2, 1), True)
    assert [p.rule_id for p in check_repair(serious, draft, date(2026, 5, 1))] == ["CRD-REPAIR-TRAINING"]
    blank = RepairDraft(9, "", " ", "", None)
    assert [(p.rule_id, p.field) for p in check_repair(None, blank, date(2026, 5, 1))] == [
        ("CRD-REPAIR-FACT", "fact_id"),
        ("CRD-REPAIR-EVIDENCE", "evidence_sha256"),
        ("CRD-REPAIR-DESCRIPTION", "description"),
        ("CRD-REPAIR-COMMITMENT", "commitment"),
    ]


def test_maker_checker() -> None:
    assert [p.rule_id for p in maker_checker("acme", applicant="acme", maker=None, what="repair")] == [
        "CRD-MAKER-CHECKER"
    ]
    assert [p.rule_id for p in maker_checker("o1", applicant="acme", maker="o1", what="repair")] == [
        "CRD-MAKER-CHECKER"
    ]
    assert maker_checker("o2", applicant="acme", maker="o1", what="repair") == []


def test_objection_deadlines_are_effective_dated_data() -> None:
    shipped = build_configuration(shipped_documents()).objection_on(date(2026, 3, 2))
    assert shipped is not None
    assert shipped.deadline("customs", date(2026, 3, 2))[0] == date(2026, 3, 22)
    newer, problems = parse_objection(
        {
            "code": "zone-objection",
            "version": "2",
            "effective_from": "2026-04-01",
            "rules": [{"source": "*", "review_days": 15}, {"source": "tax", "review_days": 10}],
        }
    )
    assert problems == [] and newer is not None
    config = build_configuration([*shipped_documents(), ("objection", {**_doc(newer.version), "rules": _rules()})])
    policy = config.objection_on(date(2026, 4, 1))
    assert policy is not None and policy.version == "2"
    assert policy.deadline("tax", date(2026, 4, 1))[0] == date(2026, 4, 11)
    assert policy.deadline("customs", date(2026, 4, 1))[0] == date(2026, 4, 16)
    assert config.objection_on(date(2026, 3, 31)).version == "1"  # type: ignore[union-attr]
    _, bad = parse_objection({"code": "x", "version": "1", "effective_from": "soon", "rules": [{"review_days": 0}]})
    assert [(p.rule_id, p.field) for p in bad] == [
        ("CRD-OBJECTION-CONFIG", "effective_from"),
        ("CRD-OBJECTION-CONFIG", "rules[0].review_days"),
    ]


def _doc(version: str) -> dict[str, str]:
    return {"code": "zone-objection", "version": version, "effective_from": "2026-04-01"}


def _rules() -> list[dict[str, object]]:
    return [{"source": "*", "review_days": 15}, {"source": "tax", "review_days": 10}]
