"""The development index's method and observations (发展指数方法与观测值), read from plain data with typed errors.

A method is data (docs/index.md): its version, the indicators (pillar, polarity, fixed goalposts), an optional AHP
pairwise matrix, the base period, the entropy shift, the coverage threshold, the outlier rule and the settings of
the uncertainty analysis. Observations are (zone, period, indicator, value) rows. Nothing here computes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from cbec.common.errors import InvalidInput, Problem


class IndexInputInvalid(InvalidInput):
    """The method or the observations cannot be used (every problem is listed)."""


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator of the framework."""

    code: str
    pillar: str
    polarity: int  # +1: more is better; -1: less is better
    low: float  # fixed goalposts (L, U): z = clip((x - L) / (U - L), 0, 1), inverted for polarity -1
    high: float


@dataclass(frozen=True, slots=True)
class Method:
    """A versioned method of the index."""

    version: str
    indicators: tuple[IndicatorSpec, ...]
    base_period: str
    ahp: tuple[tuple[float, ...], ...] | None = None  # pairwise comparisons over the indicators, in their order
    entropy_shift: float = 0.01  # z' = (1 - shift) * z + shift before entropy weights
    coverage: float = 0.65
    winsorise_skew: float = 2.0
    winsorise_kurtosis: float = 3.5
    winsorise_max: int = 5
    runs: int = 1000
    weight_spread: float = 0.25
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the indicator codes in framework order."""
        return tuple(spec.code for spec in self.indicators)

    @property
    def pillars(self) -> tuple[str, ...]:
        """Return the pillars in the order they first appear."""
        return tuple(dict.fromkeys(spec.pillar for spec in self.indicators))


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one indicator for one zone in one period."""

    zone: str
    period: str
    indicator: str
    value: float


def _problem(rule: str, field_name: str, zh: str, en: str, hint: str) -> Problem:
    return Problem(rule, field_name, f"{zh} / {en}", hint)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_method(data: Mapping[str, Any]) -> Method:
    """Return the method of a JSON document; IndexInputInvalid listing every problem."""
    problems: list[Problem] = []
    specs: list[IndicatorSpec] = []
    raw = data.get("indicators")
    if not isinstance(raw, list) or not raw:
        problems.append(
            _problem("IDX-METHOD", "indicators", "缺少指标", "the method has no indicators", "List the indicators.")
        )
        raw = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"indicators[{number}]"
        if not isinstance(item, Mapping):
            problems.append(_problem("IDX-METHOD", where, "指标格式错误", "not an object", "Give code, pillar …"))
            continue
        code, pillar = str(item.get("code") or ""), str(item.get("pillar") or "")
        polarity = item.get("polarity", 1)
        goalposts = item.get("goalposts")
        low = high = None
        if isinstance(goalposts, list | tuple) and len(goalposts) == 2:
            low, high = _number(goalposts[0]), _number(goalposts[1])
        if not code or code in seen:
            problems.append(
                _problem(
                    "IDX-METHOD", f"{where}.code", "指标代码为空或重复", "empty or repeated code", "Give each a code."
                )
            )
        if not pillar:
            problems.append(_problem("IDX-METHOD", f"{where}.pillar", "缺少支柱", "no pillar", "Name its pillar."))
        if polarity not in (1, -1):
            problems.append(
                _problem("IDX-METHOD", f"{where}.polarity", "极性须为 1 或 -1", "polarity is 1 or -1", "Use 1 or -1.")
            )
        if low is None or high is None or not high > low:
            problems.append(
                _problem(
                    "IDX-GOALPOSTS",
                    f"{where}.goalposts",
                    "缺少固定阈值或上限不大于下限",
                    "fixed goalposts [L, U] with U > L are required (published values never re-base)",
                    "Give goalposts from the base window, e.g. [0, 100].",
                )
            )
        seen.add(code)
        if not problems:
            specs.append(IndicatorSpec(code, pillar, int(polarity), float(low or 0), float(high or 0)))
    ahp = _ahp_matrix(data.get("ahp"), len(raw), problems)
    version, base = str(data.get("version") or ""), str(data.get("base_period") or "")
    if not version:
        problems.append(_problem("IDX-METHOD", "version", "缺少方法版本", "no method version", "Give a version."))
    if not base:
        problems.append(_problem("IDX-METHOD", "base_period", "缺少基期", "no base period", "Give e.g. 2020."))
    ua = data.get("uncertainty") or {}
    runs = int(ua.get("runs", 1000)) if isinstance(ua, Mapping) else 1000
    if problems:
        raise IndexInputInvalid("the index method cannot be used", problems=problems)
    return Method(
        version=version,
        indicators=tuple(specs),
        base_period=base,
        ahp=ahp,
        entropy_shift=float(data.get("entropy_shift", 0.01)),
        coverage=float(data.get("coverage", 0.65)),
        runs=runs,
        weight_spread=float(ua.get("weight_spread", 0.25)) if isinstance(ua, Mapping) else 0.25,
    )


def _ahp_matrix(raw: Any, size: int, problems: list[Problem]) -> tuple[tuple[float, ...], ...] | None:
    if raw is None:
        return None
    rows = raw if isinstance(raw, list) else []
    matrix = [[_number(v) for v in row] for row in rows if isinstance(row, list)]
    square = len(matrix) == size and all(len(row) == size for row in matrix)
    if not square or any(v is None or v <= 0 for row in matrix for v in row):
        problems.append(
            _problem(
                "IDX-AHP",
                "ahp",
                "层次分析判断矩阵须为正数方阵，阶数等于指标数",
                "the AHP matrix must be a square matrix of positive numbers, one row per indicator",
                "Give a_ij > 0 with a_ji = 1/a_ij and a_ii = 1, in the indicators' order.",
            )
        )
        return None
    cells = [[float(v or 0) for v in row] for row in matrix]
    for i in range(size):
        for j in range(size):
            if abs(cells[i][j] * cells[j][i] - 1) > 1e-6:
                problems.append(
                    _problem(
                        "IDX-AHP",
                        f"ahp[{i + 1}][{j + 1}]",
                        "判断矩阵须互为倒数",
                        "the AHP matrix must be reciprocal",
                        "Set a_ji = 1 / a_ij.",
                    )
                )
                return None
    return tuple(tuple(row) for row in cells)


def parse_observations(rows: Iterable[Mapping[str, Any]], method: Method) -> list[Observation]:
    """Return the observations of rows (zone, period, indicator, value); IndexInputInvalid listing every problem."""
    known = set(method.codes)
    found: list[Observation] = []
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for number, row in enumerate(rows, start=1):
        zone, period, code = str(row.get("zone") or ""), str(row.get("period") or ""), str(row.get("indicator") or "")
        value = _number(row.get("value"))
        where = f"observations[{number}]"
        if not zone or not period:
            problems.append(_problem("IDX-OBS", where, "缺少地区或期别", "zone or period missing", "Fill both."))
        elif code not in known:
            problems.append(
                _problem(
                    "IDX-OBS",
                    f"{where}.indicator",
                    f"未知指标 {code}",
                    f"unknown indicator {code}",
                    "Use a code of the method.",
                )
            )
        elif (zone, period, code) in seen:
            problems.append(_problem("IDX-OBS", where, "重复观测", "repeated observation", "Keep one value."))
        elif value is None:
            problems.append(
                _problem("IDX-OBS", f"{where}.value", "数值无效", "the value is not a finite number", "Give a number.")
            )
        else:
            seen.add((zone, period, code))
            found.append(Observation(zone, period, code, value))
    if problems:
        raise IndexInputInvalid("the observations cannot be used", problems=problems)
    return found


SHIPPED_METHOD = "zone-2026.1.json"


def shipped_method() -> dict[str, Any]:
    """Return the default method shipped with the package (data/zone-2026.1.json, its provenance inside)."""
    text = resources.files("cbec.statistics.index").joinpath("data", SHIPPED_METHOD).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def method_codes(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the indicator codes a method document names (before it is checked), to pick observations by."""
    raw = data.get("indicators")
    return tuple(str(i.get("code")) for i in raw if isinstance(i, Mapping)) if isinstance(raw, list) else ()
