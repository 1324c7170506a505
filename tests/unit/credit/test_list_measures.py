"""Measure catalogues of the negative lists (pure): which measures an entry triggers — joint (cross-department)
measures only for a serious entry of a serious list — why measures are lifted, and the catalogue's checks."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from cbec.credit.measures import ClearanceEffect, LiftCause, lift_cause, measures_for, parse_lists
from cbec.credit.schemes import ConfigKind, build_configuration, shipped_documents


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.files("cbec.credit") / "data" / "lists-zone-1.json").read_text("utf-8")
    )
    return data


def catalogue():  # type: ignore[no-untyped-def]
    parsed, problems = parse_lists(shipped())
    assert problems == [] and parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("list_type", "severity", "codes"),
    [
        (
            "court_dishonest",
            "serious",
            ["CRT-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"],
        ),
        ("court_dishonest", "general", ["CRT-PUBLISH"]),
        ("tax_major", "serious", ["TAX-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"]),
        ("market_serious", "minor", ["MKT-PUBLISH"]),
        ("customs_serious", "serious", ["CUS-HOLD", "CUS-GUARANTEE", "JNT-ADMISSION", "JNT-SUBSIDY"]),
        ("zone", "serious", ["ZON-INSPECT", "ZON-PUBLISH"]),  # the zone's own list is not a serious list
        ("unknown", "serious", []),
        (None, "serious", []),
    ],
)
def test_only_serious_entries_of_serious_lists_trigger_joint_measures(
    list_type: str | None, severity: str, codes: list[str]
) -> None:
    assert [m.code for m in measures_for(catalogue(), list_type, severity)] == codes


def test_every_shipped_measure_has_a_legal_basis_and_joint_ones_only_on_serious_lists() -> None:
    found = catalogue()
    assert (found.reference, str(found.effective_from)) == ("zone-lists@1", "2021-11-01")
    assert [(c.list_type, c.serious) for c in found.lists.values()] == [
        ("court_dishonest", True),
        ("tax_major", True),
        ("market_serious", True),
        ("customs_serious", True),
        ("zone", False),
    ]
    measures = [m for c in found.lists.values() for m in c.measures]
    assert all(m.legal_basis.strip() for m in measures)
    assert {(m.code, m.clearance, m.rate) for m in measures if m.clearance is not None} == {
        ("JNT-INSPECT", ClearanceEffect.INSPECTION, Decimal("0.8")),
        ("CUS-HOLD", ClearanceEffect.HOLD, None),
        ("ZON-INSPECT", ClearanceEffect.INSPECTION, Decimal("0.05")),
    }
    assert all(c.serious for c in found.lists.values() if any(m.scope.value == "joint" for m in c.measures))


def test_the_catalogue_is_configuration_in_force_from_its_day() -> None:
    configuration = build_configuration(shipped_documents())
    assert ConfigKind.LISTS in ConfigKind.ALL
    assert configuration.lists_on(__import__("datetime").date(2021, 10, 31)) is None
    held = configuration.lists_on(__import__("datetime").date(2026, 12, 7))
    assert held is not None and held.reference == "zone-lists@2"  # version 2 replaces 1 from the same day
    court = held.lists["court_dishonest"]
    person = [(m.code, m.clearance) for m in court.measures if "person" in m.subjects]
    assert person == [("CRT-CONSUMPTION", ClearanceEffect.HOLD)]
    assert [m.code for m in measures_for(held, "court_dishonest", "serious", "person")] == ["CRT-CONSUMPTION"]
    assert "CRT-CONSUMPTION" not in [m.code for m in measures_for(held, "court_dishonest", "serious")]
    effects = {m.code: m.clearance for c in held.lists.values() for m in c.measures}
    assert effects["JNT-NO-FACILITATION"] is ClearanceEffect.NO_FACILITATION
    assert effects["CUS-GUARANTEE"] is ClearanceEffect.FULL_GUARANTEE


@pytest.mark.parametrize(
    ("retracted", "repaired", "still_counts", "cause"),
    [
        (False, True, False, LiftCause.REPAIRED),
        (True, False, False, LiftCause.WITHDRAWN),
        (False, False, True, LiftCause.CORRECTED),
        (False, False, False, LiftCause.ENDED),
    ],
)
def test_why_measures_are_lifted(retracted: bool, repaired: bool, still_counts: bool, cause: LiftCause) -> None:
    assert lift_cause(retracted=retracted, repaired=repaired, still_counts=still_counts) is cause


def test_a_catalogue_that_breaks_the_rules_is_refused_with_every_problem() -> None:
    doc = shipped()
    doc["effective_from"] = "soon"
    zone = doc["lists"]["zone"]
    zone["measures"].append({"code": "ZON-JOINT", "scope": "joint", "legal_basis": "x"})
    zone["measures"].append({"code": "ZON-PUBLISH", "scope": "own", "legal_basis": ""})
    doc["lists"]["court_dishonest"]["measures"][1]["clearance"] = {"kind": "inspection", "rate": "1.5"}
    doc["lists"]["gossip"] = {"measures": []}
    parsed, problems = parse_lists(doc)
    assert parsed is None
    assert [(p.rule_id, p.field) for p in problems] == [
        ("CRD-LISTS", "effective_from"),
        ("CRD-LISTS", "lists.court_dishonest.measures[1].clearance.rate"),
        ("CRD-LISTS", "lists.zone.measures[3].legal_basis"),
        ("CRD-LISTS", "lists.zone.measures"),
        ("CRD-LISTS", "lists.zone.serious"),
        ("CRD-LISTS", "lists.gossip"),
    ]
