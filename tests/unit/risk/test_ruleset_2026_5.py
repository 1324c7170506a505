"""Ruleset 2026.5: 2026.4 (kept byte for byte) plus bunching per platform (S7, six-systems R1.5) and a seller's
quick cancels and returns (F4, R2.5), each on the exact inputs that make it fire or not; 2026.6
(test_ruleset_2026_6.py) is shipped now and keeps both rules."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from cbec.risk.rules import Typology, evaluate, parse_ruleset
from cbec.risk.versions.service import past_shipped_texts, shipped_text

D = Decimal
FOURTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.4.json").read_text(encoding="utf-8"))
RULES = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8"))


def test_2026_5_is_2026_4_plus_s7_and_f4_and_their_parameters() -> None:
    assert (FOURTH.version, RULES.version) == ("2026.4", "2026.5")
    # the same rules but Q3, whose reason now names a case's watch entry on a subject key too (its bands unchanged)
    kept = [r for r in RULES.rules if r.id not in {"S7", "F4"}]
    assert [r for r in kept if r.id != "Q3"] == [r for r in FOURTH.rules if r.id != "Q3"]
    q3, was = next(r for r in kept if r.id == "Q3"), next(r for r in FOURTH.rules if r.id == "Q3")
    assert (q3.input, q3.bands, q3.reason_en) == (
        was.input,
        was.bands,
        "a party or a subject of the inventory (its buyer, phone or address key) is on a watch list",
    )
    assert RULES.typologies == FOURTH.typologies
    added = {k: v for k, v in RULES.parameters.items() if k not in FOURTH.parameters}
    assert {k: v for k, v in RULES.parameters.items() if k in FOURTH.parameters} == dict(FOURTH.parameters)
    assert added == {
        "below_limit_lower": D(4000),
        "bunching_weeks": D(8),
        "bunching_min": D(40),
        "bunching_min_weeks": D(4),
        "bunching_sd_floor": D("0.25"),
        "undo_hours": D(48),
    }
    rules = {r.id: r for r in RULES.rules}
    assert (rules["S7"].typology, rules["S7"].input, [(g.input, g.op, g.value) for g in rules["S7"].guards]) == (
        Typology.ORDER_SPLITTING,
        "doc.platform_bunching_z",
        [("doc.near_limit", "==", D(1)), ("doc.platform_bunching", ">", D(2))],
    )
    assert (rules["F4"].typology, rules["F4"].input, [(g.input, g.op, g.value) for g in rules["F4"].guards]) == (
        Typology.FAKE_ORDER,
        "doc.quick_undo_share",
        [("enterprise.inventories.30d", ">=", D(20))],
    )


def test_the_2026_4_document_is_kept_byte_for_byte_for_its_replays() -> None:
    kept = resources.files("cbec.risk").joinpath("data/ruleset-2026.4.json").read_text(encoding="utf-8")
    assert kept in past_shipped_texts() and kept != shipped_text()
    # the digest 2026.4's decisions stored when it was the shipped ruleset.json
    assert FOURTH.sha256 == "0deec402da6dbb908faedc551c3a27ca0f88c733d973bad21d929c7dbbe22076"


def _s7(b: object, z: object, near: object = 1) -> tuple[str, int]:
    inputs = {
        "doc.platform_bunching": None if b is None else D(str(b)),
        "doc.platform_bunching_z": None if z is None else D(str(z)),
        "doc.near_limit": D(str(near)),
    }
    [trace] = [t for t in evaluate(RULES, inputs).rules if t.rule == "S7"]
    return trace.status, trace.weight


@pytest.mark.parametrize(
    ("b", "z", "near", "expected"),
    [
        ("2.0001", "3", 1, ("fired", 40)),
        ("6.5", "11.2", 1, ("fired", 40)),
        ("2", "9", 1, ("guard_failed", 0)),  # B > 2, strictly
        ("2.5", "2.9999", 1, ("no_band", 0)),
        ("2.5", "4", 0, ("guard_failed", 0)),  # only an inventory in the upper band is a suspect
        ("2.5", None, 1, ("insufficient", 0)),  # no baseline
        (None, None, 1, ("insufficient", 0)),  # too few inventories in the week
    ],
)
def test_s7_bunching_per_platform(b: object, z: object, near: int, expected: tuple[str, int]) -> None:
    assert _s7(b, z, near) == expected


def test_s7_alone_reaches_review_a_platform_alert() -> None:
    found = evaluate(RULES, {"doc.platform_bunching": D(3), "doc.platform_bunching_z": D(8), "doc.near_limit": D(1)})
    [split] = [s for s in found.scores if s.typology is Typology.ORDER_SPLITTING]
    assert (split.score, split.band.value, [c.rule for c in split.contributions]) == (40, "review", ["S7"])


@pytest.mark.parametrize(
    ("share", "lists", "expected"),
    [
        ("0.2", 20, ("fired", 40)),
        ("0.35", 80, ("fired", 40)),
        ("0.1999", 80, ("no_band", 0)),
        ("0.5", 19, ("guard_failed", 0)),  # too few inventories to speak of a share
        (None, 0, ("insufficient", 0)),
    ],
)
def test_f4_quick_cancels_and_returns(share: object, lists: int, expected: tuple[str, int]) -> None:
    inputs = {
        "doc.quick_undo_share": None if share is None else D(str(share)),
        "enterprise.inventories.30d": D(lists),
    }
    found = evaluate(RULES, inputs)
    [trace] = [t for t in found.rules if t.rule == "F4"]
    assert (trace.status, trace.weight) == expected
    [fake] = [s for s in found.scores if s.typology is Typology.FAKE_ORDER]
    assert fake.score == expected[1]
