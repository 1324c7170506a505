"""Ruleset 2026.6, the shipped one: 2026.5 (kept byte for byte) with the under-valuation reasons naming the bands by
HS6, origin and brand (U1, U2: same bands and weights), a party's own phone as consignee (L5, six-systems R5.1) and
the delivery rules (D1, D2: test_ruleset_2026_6_delivery.py), the same item again and the parcel's weight (S8, W1:
test_ruleset_2026_6_weight.py)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from cbec.risk.parties import party_consignee
from cbec.risk.rules import Typology, evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.versions.service import past_shipped_texts, shipped_text

D = Decimal
FIFTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8"))
RULES = shipped_ruleset()
ADDED = {"L5", "D1", "D2", "S8", "W1"}
REWORDED = {"U1", "U2"}


def test_2026_6_is_2026_5_plus_l5_with_the_band_reasons_reworded() -> None:
    assert (FIFTH.version, RULES.version) == ("2026.5", "2026.6")
    assert RULES.typologies == FIFTH.typologies
    assert {k: v for k, v in RULES.parameters.items() if k in FIFTH.parameters} == dict(FIFTH.parameters)
    assert set(RULES.parameters) - set(FIFTH.parameters) == {
        "unsigned_days",
        "unsigned_min_parcels",
        "delivery_sweep_days",
        "weight_tare",
    }
    old = {r.id: r for r in FIFTH.rules}
    new = {r.id: r for r in RULES.rules}
    assert set(new) - set(old) == ADDED and set(old) <= set(new)
    assert [i for i in old if new[i] != old[i]] == sorted(REWORDED)
    for rule in REWORDED:  # the words changed, never what the rule reads or gives
        assert (new[rule].input, new[rule].guards, new[rule].bands) == (
            old[rule].input,
            old[rule].guards,
            old[rule].bands,
        )
        assert "origin" in new[rule].reason_en and "原产国" in new[rule].reason_zh
    l5 = new["L5"]
    assert (l5.typology, l5.input, l5.guards, [(b.lower, b.upper, b.weight) for b in l5.bands]) == (
        Typology.LAUNDERING,
        "doc.party_consignee",
        (),
        [(D(1), None, 40)],
    )


def test_the_2026_5_document_is_kept_byte_for_byte_for_its_replays() -> None:
    kept = resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8")
    assert kept in past_shipped_texts() and kept != shipped_text()
    # the digest 2026.5's decisions stored when it was the shipped ruleset.json
    assert FIFTH.sha256 == "0fc97efb67c844607211805698b2d350fc02da908949c34bd49f1d1b2214f510"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D(1), ("fired", 40)), (D(0), ("no_band", 0)), (None, ("insufficient", 0))],
)
def test_l5_a_party_s_own_phone_as_consignee(value: Decimal | None, expected: tuple[str, int]) -> None:
    [trace] = [t for t in evaluate(RULES, {"doc.party_consignee": value}).rules if t.rule == "L5"]
    assert (trace.status, trace.weight) == expected


def test_l5_alone_reaches_review() -> None:
    found = evaluate(RULES, {"doc.party_consignee": D(1)})
    [laundering] = [s for s in found.scores if s.typology is Typology.LAUNDERING]
    assert (laundering.score, laundering.band.value, [c.rule for c in laundering.contributions]) == (
        40,
        "review",
        ["L5"],
    )


def test_party_consignee_compares_keys_only() -> None:
    assert party_consignee("k1", ["k0", "k1"]) == D(1)
    assert party_consignee("k1", [None, "k2"]) == D(0)
    assert party_consignee("k1", []) == D(0)
    assert party_consignee(None, ["k1"]) is None  # no consignee phone key: unknown, never 0
