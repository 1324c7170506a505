"""Compiled rulesets give the interpreter's scores and bands on random inputs (Decimal and float constants)."""

from __future__ import annotations

import random
from decimal import Decimal

from cbec.risk.rules import Ruleset, evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.versions.compile import compile_ruleset, sample_inputs

GUARDED = """{"version": "t.1", "typologies": {"order_splitting": {"review": 10, "hold": 20, "reject": 30}},
 "rules": [{"id": "A", "typology": "order_splitting", "input": "buyer.value.1d",
            "guards": [{"input": "buyer.inventories.1d", "op": "!=", "value": 2},
                       {"input": "doc.lines", "op": "<=", "value": 3}],
            "bands": [{"to": "-1", "weight": 5}, {"from": "0", "to": "0.5", "weight": 10},
                      {"from": "7", "weight": 30}]}]}"""


def _check(ruleset: Ruleset, n: int, seed: int) -> None:
    exact = compile_ruleset(ruleset)
    fast = compile_ruleset(ruleset, float)
    rng = random.Random(seed)
    for _ in range(n):
        inputs = sample_inputs(ruleset, rng)
        expected = evaluate(ruleset, inputs)
        scores = tuple(s.score for s in expected.scores)
        bands = tuple(s.band.rank for s in expected.scores)
        assert exact.decide(inputs) == (scores, bands), inputs
        floats = {k: (float(v) if v is not None else None) for k, v in inputs.items()}
        assert fast.decide(floats) == (scores, bands), inputs
        assert exact.score_band(inputs) == (expected.score, expected.band)


def test_the_compiled_shipped_ruleset_scores_as_the_interpreter_on_20000_random_inputs() -> None:
    _check(shipped_ruleset(), 20_000, 18)


def test_guards_open_bands_and_gaps_compile_to_the_same_answers() -> None:
    _check(parse_ruleset(GUARDED), 5_000, 5)


def test_a_missing_guard_input_gives_no_points_and_a_band_edge_is_inclusive_below() -> None:
    compiled = compile_ruleset(parse_ruleset(GUARDED))
    base = {"buyer.value.1d": Decimal(7), "buyer.inventories.1d": Decimal(1), "doc.lines": Decimal(3)}
    assert compiled.decide(base) == ((30,), (3,))
    assert compiled.decide(base | {"doc.lines": None}) == ((0,), (0,))
    assert compiled.decide(base | {"buyer.inventories.1d": Decimal(2)}) == ((0,), (0,))
    assert compiled.decide(base | {"buyer.value.1d": Decimal("0.5")}) == ((0,), (0,))
    assert compiled.decide(base | {"buyer.value.1d": Decimal("0")}) == ((10,), (1,))
