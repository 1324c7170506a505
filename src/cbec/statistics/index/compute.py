"""The development index (发展指数), computed from observations alone (OECD/JRC handbook, six-systems.md §4.5).

coverage (≥ 65 %) → imputation (period median) → outliers (winsorise one point at a time while |skew| > 2 and
kurtosis > 3.5, at most 5) → fixed goalposts → weights (AHP × entropy) → arithmetic within pillars, geometric
across → ranks per period → fixed-base time index. Pure numpy; the same inputs give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from cbec.common.errors import Problem
from cbec.statistics.index.method import IndexInputInvalid, Method, Observation

Array = NDArray[np.float64]
# Saaty's random consistency index by matrix order (1..15); beyond 15 the limit 1.59.
RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
CR_LIMIT = 0.10


@dataclass(frozen=True, slots=True)
class Cube:
    """Observations as an array: periods × zones × indicators (NaN where none)."""

    zones: tuple[str, ...]
    periods: tuple[str, ...]
    codes: tuple[str, ...]
    values: Array


@dataclass(slots=True)
class Prepared:
    """The data after coverage, imputation and outlier treatment, with what was done to it."""

    cube: Cube
    raw: Array  # before imputation and treatment (NaN kept), for the fixed-base index
    kept: NDArray[np.bool_]  # indicators kept by coverage
    units: NDArray[np.bool_]  # periods × zones with enough indicators
    dropped_indicators: list[str] = field(default_factory=list)
    winsorised: dict[str, int] = field(default_factory=dict)


def cube_of(observations: Sequence[Observation], method: Method) -> Cube:
    """Return the observations laid out as an array, in sorted zone and period order."""
    zones = tuple(sorted({o.zone for o in observations}))
    periods = tuple(sorted({o.period for o in observations}))
    codes = method.codes
    values = np.full((len(periods), len(zones), len(codes)), np.nan)
    z, p, c = ({v: i for i, v in enumerate(items)} for items in (zones, periods, codes))
    for o in observations:
        values[p[o.period], z[o.zone], c[o.indicator]] = o.value
    return Cube(zones, periods, codes, values)


def prepare(cube: Cube, method: Method, *, imputation: str = "median") -> Prepared:
    """Apply the coverage rule, impute the gaps of covered units and treat outliers."""
    values = cube.values.copy()
    present = ~np.isnan(values)
    kept = present.mean(axis=(0, 1)) >= method.coverage
    units = present[:, :, kept].mean(axis=2) >= method.coverage if kept.any() else np.zeros(values.shape[:2], bool)
    prepared = Prepared(cube, cube.values, kept, units)
    prepared.dropped_indicators = [code for code, keep in zip(cube.codes, kept, strict=True) if not keep]
    for t in range(values.shape[0]):
        for j in np.flatnonzero(kept):
            column = values[t, :, j]
            known = column[units[t] & ~np.isnan(column)]
            fill = (np.median(known) if imputation == "median" else known.mean()) if known.size else np.nan
            column[units[t] & np.isnan(column)] = fill
    for j in np.flatnonzero(kept):
        count = _winsorise(values[:, :, j], units, method)
        if count:
            prepared.winsorised[cube.codes[j]] = count
    prepared.cube = Cube(cube.zones, cube.periods, cube.codes, values)
    return prepared


def _moments(x: Array) -> tuple[float, float]:
    """Return the sample skewness and excess kurtosis (population moments, as COINr and scipy's default)."""
    centred = x - x.mean()
    m2 = float(np.mean(centred**2))
    if m2 == 0:
        return 0.0, 0.0
    return float(np.mean(centred**3) / m2**1.5), float(np.mean(centred**4) / m2**2 - 3)


def _winsorise(column: Array, units: NDArray[np.bool_], method: Method) -> int:
    """Pull the most extreme value in to its neighbour while the outlier rule holds; return how many."""
    count = 0
    while count < method.winsorise_max:
        values = column[units]
        if values.size < 4:
            return count
        skew, kurtosis = _moments(values)
        if not (abs(skew) > method.winsorise_skew and kurtosis > method.winsorise_kurtosis):
            return count
        order = np.sort(values)
        if skew > 0:
            extreme, neighbour = order[-1], order[-2]
        else:
            extreme, neighbour = order[0], order[1]
        target = units & (column == extreme)
        first = tuple(np.argwhere(target)[0])
        column[first] = neighbour
        count += 1
    return count


def normalise(prepared: Prepared, method: Method, *, how: str = "goalposts") -> Array:
    """Return the values normalised to [0, 1] (1 best): fixed goalposts, or z-scores rescaled to [0, 1]."""
    values = prepared.cube.values
    out = np.full(values.shape, np.nan)
    for j, spec in enumerate(method.indicators):
        if not prepared.kept[j]:
            continue
        x = values[:, :, j]
        if how == "goalposts":
            z = np.clip((x - spec.low) / (spec.high - spec.low), 0.0, 1.0)
        else:
            pooled = x[prepared.units]
            std = pooled.std()
            scores = (x - pooled.mean()) / std if std > 0 else np.zeros_like(x)
            low, high = scores[prepared.units].min(), scores[prepared.units].max()
            z = (scores - low) / (high - low) if high > low else np.full_like(x, 0.5)
        out[:, :, j] = z if spec.polarity > 0 else 1.0 - z
    return out


def ahp_weights(method: Method, kept: NDArray[np.bool_]) -> tuple[Array, float | None]:
    """Return AHP weights of the kept indicators (principal eigenvector) and the consistency ratio.

    Equal weights without a matrix. A matrix with CR ≥ 0.10 is refused (IDX-AHP-CR).
    """
    n = int(kept.sum())
    if method.ahp is None:
        return np.full(n, 1.0 / n), None
    matrix = np.array(method.ahp, dtype=float)[np.ix_(kept, kept)]
    eigenvalues, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(eigenvalues.real))
    lam = float(eigenvalues.real[k])
    vector = np.abs(vectors[:, k].real)
    weights = vector / vector.sum()
    if n <= 2:
        return weights, 0.0
    ri = RANDOM_INDEX[n] if n < len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ((lam - n) / (n - 1)) / ri
    if cr >= CR_LIMIT:
        raise IndexInputInvalid(
            "inconsistent AHP matrix",
            problems=[
                Problem(
                    "IDX-AHP-CR",
                    "ahp",
                    f"判断矩阵一致性比率 CR={cr:.3f} ≥ 0.10 / the AHP matrix is inconsistent: CR={cr:.3f} ≥ 0.10",
                    "Revise the pairwise comparisons until CR < 0.10.",
                )
            ],
        )
    return weights, float(cr)


def entropy_weights(normalised: Array, prepared: Prepared, shift: float) -> Array:
    """Return entropy weights of the kept indicators over every covered unit (shifted z' = (1-s) z + s)."""
    data = normalised[prepared.units][:, prepared.kept]
    shifted = (1.0 - shift) * data + shift
    m = shifted.shape[0]
    if m < 2:
        return np.full(shifted.shape[1], 1.0 / shifted.shape[1])
    p = shifted / shifted.sum(axis=0)
    entropy = -(p * np.log(p)).sum(axis=0) / np.log(m)
    divergence = 1.0 - entropy
    total = divergence.sum()
    return divergence / total if total > 0 else np.full(shifted.shape[1], 1.0 / shifted.shape[1])


def combine(ahp: Array, entropy: Array) -> Array:
    """w_j = w_AHP,j · w_ent,j / Σ_k w_AHP,k · w_ent,k."""
    product = ahp * entropy
    return product / product.sum()


def pillar_matrix(method: Method, kept: NDArray[np.bool_]) -> tuple[Array, tuple[str, ...]]:
    """Return the kept indicators × pillars membership matrix and the pillars."""
    specs = [s for s, keep in zip(method.indicators, kept, strict=True) if keep]
    pillars = tuple(dict.fromkeys(s.pillar for s in specs))
    matrix = np.zeros((len(specs), len(pillars)))
    for j, spec in enumerate(specs):
        matrix[j, pillars.index(spec.pillar)] = 1.0
    return matrix, pillars


def aggregate(z: Array, weights: Array, membership: Array, *, geometric: bool = True) -> tuple[Array, Array]:
    """Return (index, pillar scores) of units × kept indicators: arithmetic within pillars, geometric across.

    ``weights`` may be one vector or one per unit (draws); index = 100·Π_p P_p^{W_p} (or 100·Σ_p W_p P_p).
    """
    pillar_weight = weights @ membership  # W_p
    scores = ((z * weights) @ membership) / pillar_weight
    shares = pillar_weight / pillar_weight.sum(axis=-1, keepdims=True)
    if geometric:
        with np.errstate(divide="ignore"):
            index = 100.0 * np.exp((shares * np.log(np.clip(scores, 1e-300, None))).sum(axis=-1))
        index = np.where((scores <= 0).any(axis=-1), 0.0, index)
    else:
        index = 100.0 * (shares * scores).sum(axis=-1)
    return index, scores


def ranks(index: Array) -> Array:
    """Return competition ranks (1 best; ties share the best rank) along the last axis; NaN stays unranked."""
    out = np.full(index.shape, np.nan)
    for position in np.ndindex(index.shape[:-1]):
        row = index[position]
        valid = ~np.isnan(row)
        values = row[valid]
        out[position][valid] = 1.0 + (values[None, :] > values[:, None]).sum(axis=1)
    return out


def fixed_base(prepared: Prepared, method: Method, weights: Array) -> Array:
    """Return the fixed-base index I_t = 100·Σ_j w_j·(x_jt / x_j0) per period × zone (inverted for polarity −1)."""
    periods = prepared.cube.periods
    out = np.full(prepared.units.shape, np.nan)
    if method.base_period not in periods:
        return out
    raw = prepared.cube.values[:, :, prepared.kept]
    base = raw[periods.index(method.base_period)]
    polarity = np.array([s.polarity for s, keep in zip(method.indicators, prepared.kept, strict=True) if keep])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(polarity > 0, raw / base, base / raw)
    total = 100.0 * (ratio * weights).sum(axis=2)
    return np.where(np.isfinite(total) & prepared.units, total, np.nan)
