"""A ruleset compiled to numpy (向量化评分): every rule scored over whole columns of inputs at once.

The backtest over a columnar snapshot (``cbec.risk.versions.snapshot``) scores millions of stored input sets; the
closures of ``cbec.risk.versions.compile`` take one set at a time. Here each input is a ``float64`` column with
``NaN`` where the stored trace held ``None`` (unknown, "insufficient") — exactly what the scalar path treats as
``None``: a rule whose own input or any guard's input is NaN gives no points (``!=`` is tested explicitly, as NaN
compares unequal to everything); else its guards are masks, its bands an ``np.select`` of ``lower ≤ v < upper``
(the first band that admits the value, as ``evaluate`` does); a typology's score is the sum of its rules' weights
(``int32``), banded by its thresholds (0 none, 1 review, 2 hold, 3 reject). The constants are floats, as in the
float compiled path (the same answers for inputs of at most 15 significant digits: tests/unit/risk/versions/
test_vector.py checks both paths and ``evaluate`` on random inputs of every shipped version).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from cbec.risk.rules import Rule, Ruleset, Typology

_OPS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}
Columns = Mapping[str, Any]  # input name -> float64 array (NaN: unknown)


def _rule_points(rule: Rule, columns: Columns, n: int) -> np.ndarray:
    value = _column(columns, rule.input, n)
    known = ~np.isnan(value)
    for guard in rule.guards:
        g = _column(columns, guard.input, n)
        known &= ~np.isnan(g)
        known &= _OPS[guard.op](g, float(guard.value))
    conditions = []
    for band in rule.bands:
        inside = known.copy()
        if band.lower is not None:
            inside &= value >= float(band.lower)
        if band.upper is not None:
            inside &= value < float(band.upper)
        conditions.append(inside)
    weights = [np.int32(b.weight) for b in rule.bands]
    return np.select(conditions, weights, default=np.int32(0)).astype(np.int32, copy=False)


def _column(columns: Columns, name: str, n: int) -> np.ndarray:
    column = columns.get(name)
    if column is None:  # an input the columns do not hold at all: unknown everywhere
        return np.full(n, np.nan)
    return np.asarray(column, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Vectorised:
    """A ruleset over columns: ``decide(columns, n)`` → scores and bands, one row per typology."""

    version: str
    sha256: str
    typologies: tuple[Typology, ...]
    inputs: tuple[str, ...]  # every input some rule reads
    ruleset: Ruleset

    def scores(self, columns: Columns, n: int) -> np.ndarray:
        """Return the typology scores, shape (typologies, n), int32."""
        index = {t: k for k, t in enumerate(self.typologies)}
        out = np.zeros((len(self.typologies), n), dtype=np.int32)
        for rule in self.ruleset.rules:
            out[index[rule.typology]] += _rule_points(rule, columns, n)
        return out

    def decide(self, columns: Columns, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the typology scores and bands (0 none … 3 reject), each of shape (typologies, n)."""
        scores = self.scores(columns, n)
        bands = np.zeros(scores.shape, dtype=np.int8)
        for k, typology in enumerate(self.typologies):
            t = self.ruleset.typologies[typology]
            row = scores[k]
            bands[k] = (row >= t.review).astype(np.int8) + (row >= t.hold) + (row >= t.reject)
        return scores, bands


def vectorise(ruleset: Ruleset) -> Vectorised:
    """Compile a ruleset to numpy (the thresholds are ordered review ≤ hold ≤ reject, so the band is a count)."""
    names = tuple(sorted({name for rule in ruleset.rules for name in rule.inputs}))
    return Vectorised(ruleset.version, ruleset.sha256, tuple(ruleset.typologies), names, ruleset)


def columns_of(rows: list[Mapping[str, Decimal | float | None]], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Return input sets (name → number or None) as float64 columns with NaN for None."""
    return {
        name: np.array([float(v) if (v := row.get(name)) is not None else np.nan for row in rows], dtype=np.float64)
        for name in names
    }
