"""The bounded ML term (机器学习辅助项, optional): an isolation forest over non-personal numbers of a decision.

Optional: scikit-learn is the extra ``cbec[ml]``; without it ``available()`` says why and ``train`` returns an
``MlOff`` with that reason (the term is off, nothing else changes). The features are numbers a decision's trace
already holds (``FEATURES``: the inventory's value and lines, counters over buyer, phone, address and payer keys —
never personal data); an input the trace lacks counts 0 (nothing seen).

**Bounded.** Points = ``floor(cap × clamp((a − 0.5) / 0.5, 0, 1))`` where ``a`` ∈ (0, 1] is the forest's anomaly
score (Liu et al.; 0.5 and below is ordinary) and ``cap = floor(cap_share × the lowest review threshold)`` with
``cap_share`` in (0, 1) (six-systems ``risk.ml_cap``): the term alone never reaches the review band, so it never
outweighs the rules (``RSK-ML-CAP`` refuses a share outside (0, 1)).

**Explained.** Each term carries the features that drove it: the three largest robust deviations
``(x − median) / max(MAD, 5 % of |median|, 1)`` against the training rows.

**Replayable.** The forest is fitted with a fixed seed on rows in a fixed order; its digest (SHA-256 of the fitted
forest's pickle, with the features, seed and ruleset version) names the model, and scoring a stored trace's
inputs again with the same model gives the same points (the score is rounded to 6 places before banding).

The consumer's side (storing the model by digest with the ruleset version, scoring decisions, replay) is in
``cbec.risk.ml_store``.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cbec.risk.errors import invalid
from cbec.risk.rules import Ruleset, median

FEATURES = (
    "doc.value_cny",
    "doc.lines",
    "buyer.value.1d",
    "buyer.inventories.1d",
    "buyer.near_limit.30d",
    "buyer.value.365d",
    "buyer.payers.30d",
    "phone.buyers.30d",
    "address.buyers.30d",
    "payer.buyers.30d",
)
OFF_REASON = (
    "scikit-learn 未安装，机器学习项关闭 / scikit-learn is not installed: the ML term is off (pip install 'cbec[ml]')"
)


@dataclass(frozen=True, slots=True)
class MlPolicy:
    """How the term is trained and bounded."""

    cap_share: Decimal = Decimal("0.5")  # of the lowest review threshold; strictly below 1
    seed: int = 0
    trees: int = 100
    sample: int = 256


@dataclass(frozen=True, slots=True)
class MlOff:
    """The term is off, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class MlModel:
    """A fitted forest with what explains and bounds its term."""

    forest: Any
    digest: str
    ruleset_version: str
    cap: int
    centres: tuple[float, ...]
    spreads: tuple[float, ...]
    policy: MlPolicy


@dataclass(frozen=True, slots=True)
class MlTerm:
    """The term of one decision: points (≤ cap), the anomaly score, the deviations that drove it, the model."""

    points: int
    anomaly: Decimal
    deviations: tuple[tuple[str, Decimal, Decimal], ...]  # feature, value, robust deviation
    digest: str


def available() -> tuple[bool, str]:
    """Tell whether scikit-learn can be imported (and if not, the reason the term is off)."""
    try:
        importlib.import_module("sklearn.ensemble")
    except ImportError:
        return False, OFF_REASON
    return True, ""


def cap_of(ruleset: Ruleset, policy: MlPolicy) -> int:
    """Return the most points the term may give: a share (below 1) of the lowest review threshold."""
    if not Decimal(0) < policy.cap_share < Decimal(1):
        raise invalid(
            "RSK-ML-CAP",
            "cap_share",
            f"机器学习项上限比例须在 0 与 1 之间（不含）：{policy.cap_share}",
            f"the ML cap share must lie strictly between 0 and 1, got {policy.cap_share}",
            "Keep the term below the review threshold, e.g. 0.5.",
        )
    review = min(t.review for t in ruleset.typologies.values())
    return math.floor(policy.cap_share * review)


def vector(inputs: Mapping[str, Any]) -> list[float]:
    """Return a decision's feature vector from its inputs (decimal strings or Decimals; missing → 0)."""
    return [float(Decimal(str(inputs[name]))) if inputs.get(name) is not None else 0.0 for name in FEATURES]


def train(rows: Sequence[Mapping[str, Any]], ruleset: Ruleset, policy: MlPolicy | None = None) -> MlModel | MlOff:
    """Fit the forest on the inputs of stored decisions (in the given order) or say why the term is off."""
    policy = policy or MlPolicy()
    cap = cap_of(ruleset, policy)
    ok, reason = available()
    if not ok:
        return MlOff(reason)
    if not rows:
        return MlOff("没有可训练的决定 / no decisions to train on: the ML term is off")
    ensemble = importlib.import_module("sklearn.ensemble")
    matrix = [vector(row) for row in rows]
    forest = ensemble.IsolationForest(
        n_estimators=policy.trees, max_samples=min(policy.sample, len(matrix)), random_state=policy.seed
    ).fit(matrix)
    columns = list(zip(*matrix, strict=True))
    centres = tuple(float(median([Decimal(repr(v)) for v in col])) for col in columns)
    spreads = tuple(
        max(float(median([abs(Decimal(repr(v)) - Decimal(repr(c))) for v in col])), 0.05 * abs(c), 1.0)
        for col, c in zip(columns, centres, strict=True)
    )
    body = pickle.dumps(forest, protocol=5)
    head = f"{ruleset.version}|{policy.seed}|{','.join(FEATURES)}|".encode()
    digest = hashlib.sha256(head + body).hexdigest()
    return MlModel(forest, digest, ruleset.version, cap, centres, spreads, policy)


def points_of(anomaly: Decimal, cap: int) -> int:
    """Return the points an anomaly score (rounded to 6 places) gives under a cap: ``floor(cap × clamp((a − 0.5) /
    0.5, 0, 1))``."""
    share = min(Decimal(1), max(Decimal(0), (anomaly - Decimal("0.5")) / Decimal("0.5")))
    return min(math.floor(share * cap), cap)


def cap_within(cap: int, ruleset: Ruleset) -> int:
    """Return a model's cap as it applies under another ruleset version (shadow, backtest): the model's own, lowered
    to the default share of that version's lowest review threshold when that is less, so that the term alone stays
    below its review band too."""
    return min(cap, cap_of(ruleset, MlPolicy()))


def term(model: MlModel, inputs: Mapping[str, Any]) -> MlTerm:
    """Return the bounded, explained term of one decision's inputs (a stored trace's give the same term)."""
    x = vector(inputs)
    raw = -float(model.forest.score_samples([x])[0])  # the paper's anomaly score, in (0, 1]
    anomaly = Decimal(repr(raw)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    points = points_of(anomaly, model.cap)
    deviations = sorted(
        (
            (name, Decimal(repr(v)), Decimal(repr((v - c) / s)).quantize(Decimal("0.01"), ROUND_HALF_UP))
            for name, v, c, s in zip(FEATURES, x, model.centres, model.spreads, strict=True)
        ),
        key=lambda d: (-abs(d[2]), d[0]),
    )
    return MlTerm(points, anomaly, tuple(deviations[:3]), model.digest)
