"""One computation of the development index with its uncertainty analysis (发展指数计算与不确定性分析).

``compute_index(observations, method, seed)`` returns every zone's index, pillar scores, rank and fixed-base index
per period, the weights and what the data treatment did, plus — for the latest period — a Monte-Carlo uncertainty
analysis (normalisation goalposts vs z-score, weights ±spread, aggregation geometric vs arithmetic, imputation
median vs mean) with each zone's median rank and 5–95 % interval, and Sobol first- and total-order indices of the
rank variance per factor (Saltelli 2010 / Jansen estimators). Given (observations, method, seed) and the same
numpy, the result is the same bit for bit; ``digest`` fingerprints it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cbec.statistics.index.compute import (
    Array,
    Prepared,
    aggregate,
    ahp_weights,
    combine,
    cube_of,
    entropy_weights,
    fixed_base,
    normalise,
    pillar_matrix,
    prepare,
    ranks,
)
from cbec.statistics.index.method import Method, Observation

FACTORS = ("normalisation", "aggregation", "imputation", "weights")


@dataclass(frozen=True, slots=True)
class Variant:
    """The latest period's normalised data under one normalisation and imputation, for the analysis."""

    z: Array  # covered zones × kept indicators


def _variants(cube: Any, method: Method, t: int) -> tuple[dict[tuple[str, str], Array], Array]:
    found: dict[tuple[str, str], Array] = {}
    units = None
    for imputation in ("median", "mean"):
        prepared = prepare(cube, method, imputation=imputation)
        units = prepared.units[t]
        for how in ("goalposts", "zscore"):
            found[(how, imputation)] = normalise(prepared, method, how=how)[t][units][:, prepared.kept]
    assert units is not None
    return found, units


def _evaluate(
    rows: Array, variants: dict[tuple[str, str], Array], base: Array, membership: Array, spread: float
) -> Array:
    """Return the zones' ranks for each row of factor values in [0, 1): (norm, agg, imputation, u_1..u_J)."""
    n, zones = rows.shape[0], next(iter(variants.values())).shape[0]
    out = np.empty((n, zones))
    perturbed = base * (1.0 - spread + 2.0 * spread * rows[:, 3:])
    perturbed /= perturbed.sum(axis=1, keepdims=True)
    for how_i, how in enumerate(("goalposts", "zscore")):
        for imp_i, imputation in enumerate(("median", "mean")):
            for geo in (True, False):
                pick = ((rows[:, 0] >= 0.5) == bool(how_i)) & ((rows[:, 2] >= 0.5) == bool(imp_i))
                pick &= (rows[:, 1] < 0.5) == geo
                if not pick.any():
                    continue
                z = variants[(how, imputation)]
                index, _ = aggregate(z[None, :, :], perturbed[pick][:, None, :], membership, geometric=geo)
                out[pick] = ranks(index)
    return out


def uncertainty(
    cube: Any, method: Method, weights: Array, membership: Array, t: int, seed: int
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Return per-zone rank bands (p05, p50, p95) and per-factor Sobol indices (first, total) for period t."""
    variants, units = _variants(cube, method, t)
    zones = [z for z, keep in zip(cube.zones, units, strict=True) if keep]
    rng = np.random.default_rng(seed)
    d = 3 + weights.size
    n = max(method.runs, 2)
    a, b = rng.random((n, d)), rng.random((n, d))
    f_a = _evaluate(a, variants, weights, membership, method.weight_spread)
    f_b = _evaluate(b, variants, weights, membership, method.weight_spread)
    bands = {
        zone: {
            "rank_p05": float(np.percentile(f_a[:, i], 5)),
            "rank_p50": float(np.percentile(f_a[:, i], 50)),
            "rank_p95": float(np.percentile(f_a[:, i], 95)),
        }
        for i, zone in enumerate(zones)
    }
    variance = np.var(np.vstack([f_a, f_b]), axis=0)
    moving = variance > 0
    groups = [[0], [1], [2], list(range(3, d))]
    sobol: dict[str, dict[str, float]] = {}
    for name, columns in zip(FACTORS, groups, strict=True):
        mixed = a.copy()
        mixed[:, columns] = b[:, columns]
        f_ab = _evaluate(mixed, variants, weights, membership, method.weight_spread)
        if not moving.any():
            sobol[name] = {"first": 0.0, "total": 0.0}
            continue
        first = np.mean(f_b * (f_ab - f_a), axis=0)[moving] / variance[moving]
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=0)[moving] / variance[moving]
        sobol[name] = {"first": float(np.mean(first)), "total": float(np.mean(total))}
    return bands, sobol


def compute_index(observations: Sequence[Observation], method: Method, *, seed: int = 20261206) -> dict[str, Any]:
    """Compute the index for every zone and period from the observations alone; return a JSON-ready result."""
    cube = cube_of(observations, method)
    prepared: Prepared = prepare(cube, method)
    z_all = normalise(prepared, method)
    w_ahp, cr = ahp_weights(method, prepared.kept)
    w_ent = entropy_weights(z_all, prepared, method.entropy_shift)
    weights = combine(w_ahp, w_ent)
    membership, pillars = pillar_matrix(method, prepared.kept)
    index, scores = aggregate(z_all[:, :, prepared.kept], weights, membership)
    index = np.where(prepared.units, index, np.nan)
    rank = ranks(index)
    based = fixed_base(prepared, method, weights)
    kept_codes = [c for c, keep in zip(cube.codes, prepared.kept, strict=True) if keep]
    t = len(cube.periods) - 1
    bands, sobol = uncertainty(cube, method, weights, membership, t, seed) if method.runs else ({}, {})
    values = []
    for ti, period in enumerate(cube.periods):
        for zi, zone in enumerate(cube.zones):
            if not prepared.units[ti, zi]:
                values.append({"zone": zone, "period": period, "covered": False})
                continue
            row: dict[str, Any] = {
                "zone": zone,
                "period": period,
                "covered": True,
                "index": _num(index[ti, zi]),
                "rank": int(rank[ti, zi]),
                "fixed_base": _num(based[ti, zi]),
                "pillars": {p: _num(scores[ti, zi, k]) for k, p in enumerate(pillars)},
            }
            if ti == t and zone in bands:
                row.update(bands[zone])
            values.append(row)
    result: dict[str, Any] = {
        "method_version": method.version,
        "seed": seed,
        "numpy": np.__version__,
        "indicators": kept_codes,
        "dropped_indicators": prepared.dropped_indicators,
        "winsorised": prepared.winsorised,
        "weights": {
            code: {"ahp": _num(w_ahp[j]), "entropy": _num(w_ent[j]), "combined": _num(weights[j])}
            for j, code in enumerate(kept_codes)
        },
        "ahp_consistency_ratio": None if cr is None else _num(cr),
        "uncertainty": {"period": cube.periods[t], "runs": method.runs, "sobol": sobol},
        "values": values,
    }
    result["digest"] = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    return result


def _num(value: float) -> float | None:
    number = float(value)
    return None if not np.isfinite(number) else float(f"{number:.12g}")
