"""Ruleset 2026.3: 2026.2's rules with the corrections of the labelled year (F1, I1, L3 guarded, the illicit_*
parameters) and the export rules X1, X2; 2026.4, the shipped one: 2026.3 with under-valuation decided by P(illicit)
(U3) and failed inspections in quality (Q4); 2026.5 (test_ruleset_2026_5.py) is shipped now. The 2026.2, 2026.3 and
2026.4 documents are kept byte for byte, so their decisions replay."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

from cbec.risk.exports import reads_exports
from cbec.risk.rules import evaluate, parse_ruleset, shipped_ruleset

SECOND = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.2.json").read_text(encoding="utf-8"))
THIRD = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.3.json").read_text(encoding="utf-8"))
FOURTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.4.json").read_text(encoding="utf-8"))
CORRECTED = {"F1", "I1", "L3"}  # guards added by 2026.3 (docs/risk.md)


def test_2026_3_is_2026_2_corrected_plus_the_export_rules() -> None:
    old, new = SECOND, THIRD
    assert (old.version, new.version) == ("2026.2", "2026.3")
    kept = [r for r in new.rules if r.id not in CORRECTED and not r.id.startswith("X")]
    assert kept == [r for r in old.rules if r.id not in CORRECTED]
    assert [(r.id, r.input, r.bands) for r in new.rules if r.id in CORRECTED] == [
        (r.id, r.input, r.bands) for r in old.rules if r.id in CORRECTED
    ]  # only their guards changed
    assert [(r.id, r.typology.value, r.input) for r in new.rules if r.id.startswith("X")] == [
        ("X1", "laundering", "enterprise.export_excess.30d"),
        ("X2", "laundering", "enterprise.export_unreceived.30d"),
    ]
    assert not reads_exports(old) and reads_exports(new)
    assert new.parameter("receipt_ratio") == Decimal("1.1") and new.parameter("receipt_days") == 30


def test_2026_4_is_2026_3_with_under_valuation_decided_by_p_illicit() -> None:
    old, new = THIRD, FOURTH
    assert (old.version, new.version) == ("2026.3", "2026.4")
    assert old.parameters == new.parameters and old.typologies == new.typologies
    kept = [r for r in new.rules if r.id[0] != "U" and r.id != "Q4"]
    assert kept == [r for r in old.rules if r.id[0] != "U"]
    assert [(r.id, r.input, [(b.lower, b.upper, b.weight) for b in r.bands]) for r in new.rules if r.id[0] == "U"] == [
        ("U1", "doc.robust_z_min", [(None, Decimal("-3.5"), 10)]),
        ("U2", "doc.value_ratio_min", [(None, Decimal("0.5"), 15)]),
        ("U3", "doc.illicit_chance", [(Decimal("0.5"), None, 40)]),
    ]
    assert [(r.id, [b.weight for b in r.bands]) for r in old.rules if r.id[0] == "U"] == [("U1", [25]), ("U2", [35])]
    [q4] = [r for r in new.rules if r.id == "Q4"]  # R7.2: failed inspections of the e-commerce enterprise
    assert (q4.typology.value, q4.input, [(b.lower, b.upper, b.weight) for b in q4.bands]) == (
        "quality",
        "enterprise.inspect_failed.365d",
        [(Decimal(1), Decimal(3), 15), (Decimal(3), None, 40)],
    )


def test_an_import_is_untouched_by_the_export_rules_which_need_an_export() -> None:
    inputs = {"buyer.near_limit.30d": Decimal(5), "enterprise.export_excess.30d": Decimal(9)}
    old, new = evaluate(SECOND, inputs), evaluate(shipped_ruleset(), inputs)
    assert (old.score, old.band) == (new.score, new.band) == (40, old.band)
    on_export = evaluate(
        shipped_ruleset(),
        {"enterprise.export_excess.30d": Decimal(3), "doc.export": Decimal(1), "doc.receipt_ratio": Decimal("1.5")},
    )
    assert [(t.rule, t.status, t.weight) for t in on_export.rules if t.rule.startswith("X")] == [
        ("X1", "fired", 40),
        ("X2", "insufficient", 0),
    ]
    at_ratio = evaluate(
        shipped_ruleset(),
        {"enterprise.export_excess.30d": Decimal(3), "doc.export": Decimal(1), "doc.receipt_ratio": Decimal("1.1")},
    )
    assert [t.status for t in at_ratio.rules if t.rule == "X1"] == ["guard_failed"]
