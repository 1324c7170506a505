"""Ruleset 2026.3: 2026.2's rules unchanged (imports score the same) plus the export rules X1, X2; the 2026.2
document shipped as the seed is untouched, so its decisions replay."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from importlib import resources

from cbec.risk.exports import export_ruleset, reads_exports
from cbec.risk.rules import evaluate, shipped_ruleset

SEED_2026_2 = "data/ruleset.json"


def test_2026_3_is_2026_2_plus_the_export_rules() -> None:
    old, new = shipped_ruleset(), export_ruleset()
    assert (old.version, new.version) == ("2026.2", "2026.3")
    assert new.rules[: len(old.rules)] == old.rules
    assert [(r.id, r.typology.value, r.input) for r in new.rules[len(old.rules) :]] == [
        ("X1", "laundering", "enterprise.export_excess.30d"),
        ("X2", "laundering", "enterprise.export_unreceived.30d"),
    ]
    assert not reads_exports(old) and reads_exports(new)
    assert new.parameter("receipt_ratio") == Decimal("1.1") and new.parameter("receipt_days") == 30


def test_an_import_scores_the_same_and_the_export_rules_need_an_export() -> None:
    inputs = {"buyer.near_limit.30d": Decimal(5), "enterprise.export_excess.30d": Decimal(9)}
    old, new = evaluate(shipped_ruleset(), inputs), evaluate(export_ruleset(), inputs)
    assert (old.score, old.band) == (new.score, new.band) == (40, old.band)
    on_export = evaluate(
        export_ruleset(),
        {"enterprise.export_excess.30d": Decimal(3), "doc.export": Decimal(1), "doc.receipt_ratio": Decimal("1.5")},
    )
    assert [(t.rule, t.status, t.weight) for t in on_export.rules if t.rule.startswith("X")] == [
        ("X1", "fired", 40),
        ("X2", "insufficient", 0),
    ]
    at_ratio = evaluate(
        export_ruleset(),
        {"enterprise.export_excess.30d": Decimal(3), "doc.export": Decimal(1), "doc.receipt_ratio": Decimal("1.1")},
    )
    assert [t.status for t in at_ratio.rules if t.rule == "X1"] == ["guard_failed"]


def test_the_seeded_document_is_the_2026_2_one() -> None:
    text = resources.files("cbec.risk").joinpath(SEED_2026_2).read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode()).hexdigest() == shipped_ruleset().sha256
