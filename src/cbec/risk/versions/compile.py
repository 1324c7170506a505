"""Compile a ruleset to plain Python closures (编译规则): one closure per rule, no per-rule interpretation.

``evaluate`` in ``cbec.risk.rules`` interprets a ruleset and keeps a full trace (what the live consumer stores).
Where only the scores matter — a backtest over millions of stored traces, a shadow run, the benchmark — the
compiled form gives the same typology scores and bands faster: each rule becomes a closure over its constants
(the input name, the guards' operators and values, the bands as ``lower ≤ v < upper`` with open ends as ±∞), and
a typology is the sum of its closures. The numbers may be ``Decimal`` (exact) or ``float``: the inputs a trace
stores carry at most 4 decimal places and 15 significant digits, where correctly rounded binary floats keep the
order of the decimals, so comparisons give the same answers (checked against ``evaluate`` on random inputs in
tests/unit/risk/versions/test_compile.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cbec.risk.rules import Band, Rule, Ruleset, Thresholds, Typology

Number = Any  # Decimal or float
RuleFn = Callable[[Mapping[str, Any]], int]
INF = float("inf")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
BANDS = (Band.NONE, Band.REVIEW, Band.HOLD, Band.REJECT)


def _rule(rule: Rule, number: Callable[[Decimal], Number]) -> RuleFn:
    key = rule.input
    bands = tuple(
        (
            number(b.lower) if b.lower is not None else -INF,
            number(b.upper) if b.upper is not None else INF,
            b.weight,
        )
        for b in rule.bands
    )
    guards = tuple((g.input, _OPS[g.op], number(g.value)) for g in rule.guards)
    if len(bands) == 1 and not guards:
        (lower, upper, weight) = bands[0]

        def single(inputs: Mapping[str, Any]) -> int:
            v = inputs.get(key)
            return weight if v is not None and lower <= v < upper else 0

        return single

    def general(inputs: Mapping[str, Any]) -> int:
        v = inputs.get(key)
        if v is None:
            return 0
        for name, op, value in guards:
            g = inputs.get(name)
            if g is None or not op(g, value):
                return 0
        for lower, upper, weight in bands:
            if lower <= v < upper:
                return weight
        return 0

    return general


def _band(thresholds: Thresholds) -> Callable[[int], int]:
    review, hold, reject = thresholds.review, thresholds.hold, thresholds.reject

    def band(score: int) -> int:
        if score >= reject:
            return 3
        if score >= hold:
            return 2
        return 1 if score >= review else 0

    return band


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled ruleset: ``scores(inputs)`` → one score per typology (in ``typologies`` order)."""

    version: str
    sha256: str
    typologies: tuple[Typology, ...]
    scores: Callable[[Mapping[str, Any]], tuple[int, ...]]
    bands: tuple[Callable[[int], int], ...]  # score -> band index (0 none, 1 review, 2 hold, 3 reject)
    inputs: tuple[str, ...]  # every input some rule reads

    def decide(self, inputs: Mapping[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Return the typology scores and their band indexes."""
        scores = self.scores(inputs)
        return scores, tuple(band(s) for band, s in zip(self.bands, scores, strict=True))

    def score_band(self, inputs: Mapping[str, Any]) -> tuple[int, Band]:
        """Return the decision's score (the highest typology's) and band (the most severe)."""
        scores, bands = self.decide(inputs)
        return max(scores, default=0), BANDS[max(bands, default=0)]


def compile_ruleset(ruleset: Ruleset, number: Callable[[Decimal], Number] = Decimal) -> Compiled:
    """Compile a ruleset; ``number`` converts its constants (``Decimal`` to keep them exact, ``float`` for speed)."""
    typologies = tuple(ruleset.typologies)
    index = {t: k for k, t in enumerate(typologies)}
    flat = tuple((index[r.typology], _rule(r, number)) for r in ruleset.rules)
    empty = [0] * len(typologies)

    def scores(inputs: Mapping[str, Any]) -> tuple[int, ...]:
        out = empty.copy()
        for k, fn in flat:
            weight = fn(inputs)
            if weight:
                out[k] += weight
        return tuple(out)

    names = tuple(sorted({name for rule in ruleset.rules for name in rule.inputs}))
    bands = tuple(_band(ruleset.typologies[t]) for t in typologies)
    return Compiled(ruleset.version, ruleset.sha256, typologies, scores, bands, names)


def parse_inputs(stored: Mapping[str, str | None], names: tuple[str, ...], number: Callable[[str], Any]) -> dict:
    """Return a stored trace's inputs (decimal strings) as numbers, None where unknown or absent."""
    out: dict[str, Any] = {}
    for name in names:
        text = stored.get(name)
        out[name] = number(text) if text is not None else None
    return out


def sample_inputs(ruleset: Ruleset, rng: Any, unknown: float = 0.1) -> dict[str, Decimal | None]:
    """Return random inputs for a ruleset, dense around its constants (band edges, guard values) — the oracle
    inputs of the differential checks (compiled against interpreted, Python against the reference engine)."""
    edges = sorted(
        {b for r in ruleset.rules for band in r.bands for b in (band.lower, band.upper) if b is not None}
        | {g.value for r in ruleset.rules for g in r.guards}
    )
    steps = (Decimal(0), Decimal("0.01"), Decimal("-0.01"), Decimal("0.0001"), Decimal(1), Decimal(-1))
    out: dict[str, Decimal | None] = {}
    for name in sorted({n for r in ruleset.rules for n in r.inputs}):
        pick = rng.random()
        if pick < unknown:
            out[name] = None
        elif pick < 0.55:
            out[name] = rng.choice(edges) + rng.choice(steps)
        elif pick < 0.8:
            out[name] = Decimal(rng.randint(0, 15))
        elif pick < 0.9:
            out[name] = Decimal(rng.randint(-1_000, 3_000_000)) / 100
        else:
            out[name] = Decimal(rng.randint(-50_000, 20_000)) / 10_000
    return out
