"""The numpy-compiled ruleset gives the scalar compiled path's and the interpreter's scores and bands on 10⁵ random
inputs of every shipped version (NaN where an input is unknown), and its edge cases by hand."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest

from cbec.risk.rules import Ruleset, evaluate, parse_ruleset
from cbec.risk.versions.compile import compile_ruleset, sample_inputs
from cbec.risk.versions.service import past_shipped_texts, shipped_text
from cbec.risk.versions.vector import columns_of, vectorise

GUARDED = """{"version": "t.1", "typologies": {"order_splitting": {"review": 10, "hold": 20, "reject": 30}},
 "rules": [{"id": "A", "typology": "order_splitting", "input": "buyer.value.1d",
            "guards": [{"input": "buyer.inventories.1d", "op": "!=", "value": 2},
                       {"input": "doc.lines", "op": "<=", "value": 3}],
            "bands": [{"to": "-1", "weight": 5}, {"from": "0", "to": "0.5", "weight": 10},
                      {"from": "7", "weight": 30}]}]}"""


def _mismatches(ruleset: Ruleset, n: int, seed: int) -> int:
    rng = random.Random(seed)
    sets = [sample_inputs(ruleset, rng) for _ in range(n)]
    vector = vectorise(ruleset)
    scores, bands = vector.decide(columns_of(sets, vector.inputs), n)
    fast = compile_ruleset(ruleset, float)
    wrong = 0
    for k, inputs in enumerate(sets):
        floats = {name: (float(v) if v is not None else None) for name, v in inputs.items()}
        mine = (tuple(int(s) for s in scores[:, k]), tuple(int(b) for b in bands[:, k]))
        wrong += mine != fast.decide(floats)
        if k % 10 == 0:  # the interpreter (Decimal) on every tenth set: it is ~20× slower
            expected = evaluate(ruleset, inputs)
            wrong += mine != (tuple(s.score for s in expected.scores), tuple(s.band.rank for s in expected.scores))
    return wrong


@pytest.mark.parametrize("text", [shipped_text(), *past_shipped_texts()], ids=lambda t: t[:40])
def test_every_shipped_version_vectorised_scores_as_the_compiled_path_on_100000_random_inputs(text: str) -> None:
    assert _mismatches(parse_ruleset(text), 100_000, 18) == 0


def test_guards_open_bands_and_gaps_vectorise_to_the_same_answers() -> None:
    assert _mismatches(parse_ruleset(GUARDED), 20_000, 5) == 0


def test_nan_is_unknown_for_the_rule_input_and_every_guard_and_a_band_edge_is_inclusive_below() -> None:
    vector = vectorise(parse_ruleset(GUARDED))
    base = {"buyer.value.1d": Decimal(7), "buyer.inventories.1d": Decimal(1), "doc.lines": Decimal(3)}
    rows = [
        base,
        base | {"doc.lines": None},
        base | {"buyer.inventories.1d": None},  # != on NaN would be true: unknown gives no points
        base | {"buyer.inventories.1d": Decimal(2)},
        base | {"buyer.value.1d": Decimal("0.5")},
        base | {"buyer.value.1d": Decimal("0")},
        base | {"buyer.value.1d": None},
    ]
    scores, bands = vector.decide(columns_of(rows, vector.inputs), len(rows))
    assert scores.tolist() == [[30, 0, 0, 0, 0, 10, 0]]
    assert bands.tolist() == [[3, 0, 0, 0, 0, 1, 0]]
    assert bands.dtype == np.int8


def test_an_input_absent_from_the_columns_is_unknown_everywhere() -> None:
    vector = vectorise(parse_ruleset(GUARDED))
    scores, _ = vector.decide({"buyer.value.1d": np.array([7.0, 0.2])}, 2)
    assert scores.tolist() == [[0, 0]]


def test_the_snapshot_tally_counts_alerts_changes_and_labelled_precision_from_arrays() -> None:
    from cbec.risk.versions.backtest import Tally
    from cbec.risk.versions.snapshot import tally_arrays

    tally = Tally()
    columns = {
        "buyer.value.1d": np.array([7.0, 7.0, 0.2, np.nan, 7.0]),
        "buyer.inventories.1d": np.array([1.0, 1.0, 1.0, 1.0, 1.0]),
        "doc.lines": np.array([3.0, 3.0, 3.0, 3.0, 3.0]),
        "live_order_splitting": np.array([3, 0, 1, 2, 0], dtype=np.int8),
        "live_fake_order": np.array([0, 0, 0, 1, 0], dtype=np.int8),  # a typology the candidate does not have
    }
    outcome = np.array(["confirmed", "false_positive", "valuable", None, None], dtype=object)
    tally_arrays(tally, GUARDED, columns, 5, outcome)
    # candidate bands: reject, reject, review, none, reject
    assert (tally.decisions, tally.changed) == (5, 3)  # worst live 3,0,1,2,0 against 3,3,1,0,3: rows 2, 4, 5
    assert dict(tally.live) == {"order_splitting": 3, "fake_order": 1}
    assert dict(tally.candidate) == {"order_splitting": 4}
    assert dict(tally.labelled) == {"order_splitting": 3} and dict(tally.confirmed) == {"order_splitting": 2}
    assert dict(tally.changes) == {
        ("order_splitting", "none", "reject"): 2,
        ("order_splitting", "hold", "none"): 1,
        ("fake_order", "review", "none"): 1,
    }
