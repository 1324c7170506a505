"""Unit-value bands and the under-valuation fields of an inventory (估价分析), pure.

A band is the median and the median absolute deviation (MAD) of the unit values of one HS6 over the last year
(``refresh_bands`` stores them), and also of one HS6 from one origin, and of one HS6 from one origin under one filed
brand (six-systems §3.3 R4.1: "P10(HS6, origin, brand)"). A line is compared with the finest of its bands that holds
at least ``band_min_lines`` lines (``band_keys``: HS6|origin|brand, then HS6|origin, then HS6), so a brand or an
origin with a price level of its own is judged against its peers once it has enough of them, and against its HS6
until then. A line is compared with its band by Iglewicz-Hoaglin's robust z-score and by the
ratio of its unit value to the median. The revenue expected lost is ``E = P(illicit)·(median − u)·qty·tax_rate``
(six-systems §3.3 T4); ``P(illicit)`` is the posterior of a line's ratio ``r = u/median`` under two densities: the
band's own spread for honest prices (log-normal, σ from the MAD: σ = spread / (0.6745·median)) and a log-uniform
density over [``illicit_ratio_low``, ``illicit_ratio_high``] for under-declared ones, with the prior
``illicit_prior``. A ruleset without these parameters (2026.1, 2026.2) takes P = 1. The same functions serve the
live consumer (bands read from ``risk_band``) and the labelled benchmark (bands held in memory), so both score a
line the same way.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, Protocol, TypeVar

from cbec.risk.rules import Ruleset, mad, median, robust_z

FEN = Decimal("0.01")
BAND_PLACES = Decimal("0.00001")
RATIO_PLACES = Decimal("0.0001")


class BandLike(Protocol):
    """A unit-value band as stored (``RiskBand``) or held in memory (``UnitBand``)."""

    @property
    def lines(self) -> int: ...

    @property
    def median(self) -> Decimal: ...

    @property
    def mad(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class UnitBand:
    """A band held in memory: how many lines it was made of, their median unit value and its MAD."""

    lines: int
    median: Decimal
    mad: Decimal


class LineLike(Protocol):
    """What valuation reads of a goods line (``InventoryLine`` of the facts, ``ValuedLine``)."""

    @property
    def hs_code(self) -> str: ...

    @property
    def quantity(self) -> Decimal: ...

    @property
    def value_cny(self) -> Decimal | None: ...

    @property
    def origin_country(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ValuedLine:
    """What valuation needs of a goods line: its HS code, quantity and value in CNY (None: not converted), and its
    origin ("" when the finer bands are not used)."""

    hs_code: str
    quantity: Decimal
    value_cny: Decimal | None
    origin_country: str = ""


def brand_key(brand: str | None) -> str:
    """Return a filed brand as a band key part: full-width forms folded, case folded, letters and digits only."""
    if not brand:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", brand).casefold() if ch.isalnum())[:100]


def band_keys(hs_code: str, origin: str | None, brand: str | None = None) -> tuple[str, ...]:
    """Return the keys of a line's bands, finest first: ``HS6|origin|brand``, ``HS6|origin``, ``HS6``.

    Without an origin only the HS6 band; without a brand no brand band.
    """
    hs6 = hs_code[:6]
    if not origin:
        return (hs6,)
    brand_part = brand_key(brand)
    by_origin = f"{hs6}|{origin}"
    return (f"{by_origin}|{brand_part}", by_origin, hs6) if brand_part else (by_origin, hs6)


def band_for(
    line: LineLike, bands: Mapping[str, BandLike], least: Decimal | int, brand: str | None = None
) -> BandLike | None:
    """Return the finest band of a line that holds at least ``least`` lines, None when none does."""
    for key in band_keys(line.hs_code, line.origin_country, brand):
        band = bands.get(key)
        if band is not None and band.lines >= least:
            return band
    return None


def band_of(values: Sequence[Decimal]) -> UnitBand:
    """Return the band of a non-empty sequence of unit values, median and MAD to 5 places (as stored)."""
    centre = median(values)
    return UnitBand(
        len(values),
        centre.quantize(BAND_PLACES, ROUND_HALF_UP),
        mad(values, centre).quantize(BAND_PLACES, ROUND_HALF_UP),
    )


class Valuation(NamedTuple):
    """The under-valuation fields of an inventory (the rules' ``doc.robust_z_min``, ``doc.value_ratio_min`` and
    ``doc.illicit_chance``) and the tax expected lost, by which the queue ranks it."""

    z_min: Decimal | None
    ratio_min: Decimal | None
    chance: Decimal | None
    revenue: Decimal


Line = TypeVar("Line", bound=LineLike)


def value_fields(
    lines: Iterable[Line],
    bands: Mapping[str, BandLike],
    ruleset: Ruleset,
    brand_of: Callable[[Line], str | None] | None = None,
) -> Valuation:
    """Return the lowest robust z-score and value/median ratio of the lines, the highest P(illicit) and the tax
    expected lost (CNY).

    Each line is compared with its finest band holding enough lines (``band_for``; ``brand_of`` gives a line's
    filed brand). Lines with no such band are skipped (None when no line has one).
    A line is suspect when it lies under the median and far out (z < −3.5 or under half the median): its
    P(illicit) is the posterior below (1 under a ruleset without a prior), and it counts towards the revenue
    expected lost as P × (median − unit) × quantity × ``cbec_tax_rate``. ``chance`` is the highest P of the
    suspect lines, 0 when a line has a band and none is suspect.
    """
    least = ruleset.parameter("band_min_lines")
    floor = ruleset.parameter("mad_floor_ratio")
    rate = ruleset.parameter("cbec_tax_rate")
    prior = _prior(ruleset)
    zs: list[Decimal] = []
    ratios: list[Decimal] = []
    chances = [Decimal(0)]
    revenue = Decimal(0)
    for line in lines:
        band = band_for(line, bands, least, brand_of(line) if brand_of is not None else None)
        if band is None or band.median <= 0 or line.quantity <= 0 or line.value_cny is None:
            continue
        unit = line.value_cny / line.quantity
        spread = max(band.mad, band.median * floor)
        z = robust_z(unit, band.median, spread)
        ratio = (unit / band.median).quantize(RATIO_PLACES, ROUND_HALF_UP)
        zs.append(z)
        ratios.append(ratio)
        if unit < band.median and (z < Decimal("-3.5") or ratio < Decimal("0.5")):
            chance = illicit(prior, float(ratio), float(spread / band.median)) if prior is not None else Decimal(1)
            chances.append(chance)
            revenue += chance * (band.median - unit) * line.quantity * rate
    if not zs:
        return Valuation(None, None, None, revenue.quantize(FEN, ROUND_HALF_UP))
    return Valuation(min(zs), min(ratios), max(chances), revenue.quantize(FEN, ROUND_HALF_UP))


Prior = tuple[float, float, float]  # prior, lowest and highest ratio of an under-declared price


def _prior(ruleset: Ruleset) -> Prior | None:
    names = ("illicit_prior", "illicit_ratio_low", "illicit_ratio_high")
    if any(name not in ruleset.parameters for name in names):
        return None
    low, high = float(ruleset.parameters[names[1]]), float(ruleset.parameters[names[2]])
    return float(ruleset.parameters[names[0]]), low, high


def illicit(prior: Prior, ratio: float, spread: float) -> Decimal:
    """Return P(illicit | ratio), to 4 places: the posterior of an under-declared price (log-uniform over the prior's
    ratios, its density held flat under the lowest) against an honest one (log-normal around the median,
    σ = spread / 0.6745, the spread relative to the median)."""
    pi, low, high = prior
    if ratio <= 0:
        return Decimal(1)
    sigma = max(spread / 0.6745, 1e-9)
    x = math.log(ratio)
    honest = math.exp(-0.5 * (x / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi) * ratio)
    crooked = 1 / (max(ratio, low) * math.log(high / low)) if ratio <= high else 0.0  # flat under the lowest
    weight = pi * crooked
    total = weight + (1 - pi) * honest
    chance = weight / total if total > 0 else 0.0
    return Decimal(repr(round(chance, 4)))
