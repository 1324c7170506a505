"""The bounded ML term: off with its reason without scikit-learn; with it, never at the review band alone, explained
by the deviations that drove it, and the same on replay (fixed seed, model digest).

The scikit-learn tests skip where the optional extra is not installed (``pip install 'cbec[ml]'``)."""

from __future__ import annotations

import random
import sys
from decimal import Decimal

import pytest

from cbec.risk.errors import RiskInvalid
from cbec.risk.ml import FEATURES, MlModel, MlOff, MlPolicy, available, cap_of, term, train
from cbec.risk.rules import evaluate, shipped_ruleset


def rows(n: int, seed: int = 1) -> list[dict[str, str | None]]:
    """Ordinary decisions' inputs as a trace stores them (decimal strings, some unknown)."""
    draw = random.Random(seed)
    out = []
    for _ in range(n):
        value = draw.uniform(80, 900)
        out.append(
            {
                "doc.value_cny": f"{value:.2f}",
                "doc.lines": str(draw.randint(1, 3)),
                "buyer.value.1d": f"{value:.2f}",
                "buyer.inventories.1d": "1",
                "buyer.near_limit.30d": "0",
                "buyer.value.365d": f"{value * draw.randint(1, 6):.2f}",
                "buyer.payers.30d": "1",
                "phone.buyers.30d": str(draw.choice((1, 1, 1, 2))),
                "address.buyers.30d": str(draw.choice((1, 1, 2))),
                "payer.buyers.30d": None if draw.random() < 0.1 else "1",
            }
        )
    return out


def test_without_scikit_learn_the_term_is_off_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)
    ok, reason = available()
    assert not ok and "scikit-learn is not installed" in reason
    off = train(rows(50), shipped_ruleset())
    assert isinstance(off, MlOff) and off.reason == reason


def test_the_cap_is_a_share_below_one_of_the_review_threshold() -> None:
    assert cap_of(shipped_ruleset(), MlPolicy()) == 20  # half of review 40
    for share in ("1", "0", "1.2"):
        with pytest.raises(RiskInvalid) as refused:
            cap_of(shipped_ruleset(), MlPolicy(cap_share=Decimal(share)))
        assert [p.rule_id for p in refused.value.problems] == ["RSK-ML-CAP"]


def test_the_term_alone_never_reaches_review_and_is_explained() -> None:
    pytest.importorskip("sklearn.ensemble")
    ruleset = shipped_ruleset()
    model = train(rows(400), ruleset, MlPolicy(seed=7))
    assert isinstance(model, MlModel) and model.cap == 20
    draw = random.Random(9)
    worst = 0
    for _ in range(300):  # extreme inventories: every feature far outside training
        extreme = {name: str(draw.choice((0, 10 ** draw.randint(3, 7)))) for name in FEATURES}
        found = term(model, extreme)
        worst = max(worst, found.points)
        rules = evaluate(ruleset, {})  # no rule input: the rules give nothing
        assert rules.score + found.points < min(t.review for t in ruleset.typologies.values())
    assert 0 < worst <= 20  # the term does move, and stays under its cap
    ordinary = term(model, rows(1, seed=99)[0])
    assert ordinary.points == 0
    outlier = term(model, {**rows(1, seed=99)[0], "phone.buyers.30d": "40", "doc.value_cny": "4999.00"})
    assert outlier.points > 0
    assert outlier.deviations[0][0] == "phone.buyers.30d" and outlier.deviations[0][2] > 10


def test_replay_gives_the_same_term_and_the_digest_names_the_model() -> None:
    pytest.importorskip("sklearn.ensemble")
    ruleset = shipped_ruleset()
    first = train(rows(300), ruleset, MlPolicy(seed=3))
    again = train(rows(300), ruleset, MlPolicy(seed=3))
    other = train(rows(300), ruleset, MlPolicy(seed=4))
    assert isinstance(first, MlModel) and isinstance(again, MlModel) and isinstance(other, MlModel)
    assert first.digest == again.digest != other.digest
    stored = {**rows(1, seed=5)[0], "address.buyers.30d": "12"}
    assert term(first, stored) == term(again, stored)
    assert term(first, stored).digest == first.digest
