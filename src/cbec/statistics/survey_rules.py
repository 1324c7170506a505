"""Sample surveys (抽样调查): a reproducible stratified sample and the estimate of a total with its standard error.

Design (a common one for business surveys): the frame is the enterprises of a tenant subtree with released trade
in a reference period, sized by that trade. Units at or above ``take_all_at`` form the **take-all** stratum (all
asked, weight 1, no sampling error); from the rest, ``n`` are drawn by **permanent random numbers**: each unit's
number is ``SHA-256(seed, code)`` read as a fraction, and the ``n`` smallest are taken (simple random sampling
without replacement, reproducible from the seed alone and stable when the frame grows).

Estimate of the total (expansion, non-response treated as missing at random within the stratum):
``T̂ = Σ_h N_h · ȳ_h`` over the respondents of stratum h, ``V̂ = Σ_h N_h² · (1 − r_h/N_h) · s_h² / r_h``,
SE = √V̂, CV = SE / T̂. Survey figures carry caliber ``survey`` and are never added to platform figures.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TAKE_ALL, SAMPLED = "take_all", "sampled"
CALIBER = "survey"


@dataclass(frozen=True, slots=True)
class FrameUnit:
    """One enterprise of the frame with its size (released trade in the reference period, CNY)."""

    code: str
    size: Decimal


@dataclass(frozen=True, slots=True)
class SampleUnit:
    """A unit of the frame with its stratum, permanent random number and whether it is asked."""

    code: str
    size: Decimal
    stratum: str
    prn: float
    selected: bool


@dataclass(frozen=True, slots=True)
class StratumEstimate:
    """One stratum's part of the estimate."""

    stratum: str
    population: int  # N_h
    sampled: int  # n_h
    responded: int  # r_h
    mean: Decimal | None
    total: Decimal | None
    variance: Decimal | None


@dataclass(frozen=True, slots=True)
class Estimate:
    """The estimated total with its standard error and coefficient of variation."""

    total: Decimal | None
    standard_error: Decimal | None
    cv: Decimal | None
    response_rate: Decimal | None
    strata: tuple[StratumEstimate, ...]
    caliber: str = CALIBER


def prn(seed: int, code: str) -> float:
    """Return the unit's permanent random number in [0, 1) for a seed."""
    digest = hashlib.sha256(f"{seed}:{code}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def draw(frame: Sequence[FrameUnit], *, sample_size: int, take_all_at: Decimal | None, seed: int) -> list[SampleUnit]:
    """Return the frame with strata and the selection (the take-all stratum, and the n smallest numbers)."""
    units = []
    for unit in sorted(frame, key=lambda u: u.code):
        stratum = TAKE_ALL if take_all_at is not None and unit.size >= take_all_at else SAMPLED
        units.append((unit, stratum, prn(seed, unit.code)))
    chosen = {u.code for u, s, p in sorted((x for x in units if x[1] == SAMPLED), key=lambda x: x[2])[:sample_size]}
    return [SampleUnit(u.code, u.size, s, p, s == TAKE_ALL or u.code in chosen) for u, s, p in units]


def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def estimate(units: Sequence[SampleUnit], responses: Mapping[str, Decimal]) -> Estimate:
    """Estimate the total of the surveyed value from the responses of the selected units."""
    strata = []
    total = Decimal(0)
    variance = Decimal(0)
    asked = answered = 0
    defined = True
    for name in (TAKE_ALL, SAMPLED):
        members = [u for u in units if u.stratum == name]
        if not members:
            continue
        population = len(members)
        selected = [u for u in members if u.selected]
        values = [responses[u.code] for u in selected if u.code in responses]
        asked, answered = asked + len(selected), answered + len(values)
        if not values:
            strata.append(StratumEstimate(name, population, len(selected), 0, None, None, None))
            defined = False
            continue
        r = len(values)
        mean = sum(values, Decimal(0)) / r
        part = mean * population
        if r > 1 and r < population:
            s2 = sum(((v - mean) ** 2 for v in values), Decimal(0)) / (r - 1)
            var = Decimal(population) ** 2 * (1 - Decimal(r) / population) * s2 / r
        else:
            var = Decimal(0)  # a census of the stratum (or one response: no spread to measure)
        strata.append(StratumEstimate(name, population, len(selected), r, _fen(mean), _fen(part), var))
        total += part
        variance += var
    if not defined or not strata:
        return Estimate(None, None, None, _rate(answered, asked), tuple(strata))
    se = Decimal(math.sqrt(variance)) if variance > 0 else Decimal(0)
    cv = (se / total).quantize(Decimal("0.0001")) if total else None
    return Estimate(_fen(total), _fen(se), cv, _rate(answered, asked), tuple(strata))


def _rate(answered: int, asked: int) -> Decimal | None:
    return (Decimal(answered) / asked).quantize(Decimal("0.0001")) if asked else None
