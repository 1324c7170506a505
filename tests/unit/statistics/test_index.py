"""The development index (发展指数) from observations alone: each step by hand, then the whole run reproducible."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.statistics.index import IndexInputInvalid, compute_index, parse_method, parse_observations
from cbec.statistics.index.compute import (
    aggregate,
    ahp_weights,
    cube_of,
    entropy_weights,
    normalise,
    pillar_matrix,
    prepare,
    ranks,
)

METHOD = {
    "version": "test-1",
    "base_period": "2020",
    "indicators": [
        {"code": "value", "pillar": "scale", "polarity": 1, "goalposts": [0, 100]},
        {"code": "firms", "pillar": "scale", "polarity": 1, "goalposts": [0, 50]},
        {"code": "release_hours", "pillar": "facilitation", "polarity": -1, "goalposts": [0, 48]},
    ],
    "uncertainty": {"runs": 200, "weight_spread": 0.25},
}
DATA = {
    ("A", "2021"): (80, 40, 12),
    ("B", "2021"): (50, 25, 24),
    ("C", "2021"): (20, 10, 36),
    ("A", "2020"): (40, 20, 24),
    ("B", "2020"): (25, 10, 36),
    ("C", "2020"): (10, 5, 48),
}


def rows(data: dict[tuple[str, str], tuple[float, ...]] = DATA) -> list[dict[str, object]]:
    codes = ("value", "firms", "release_hours")
    return [
        {"zone": zone, "period": period, "indicator": code, "value": value}
        for (zone, period), values in data.items()
        for code, value in zip(codes, values, strict=True)
        if value is not None
    ]


def prepared(data: dict[tuple[str, str], tuple[float, ...]] = DATA):  # type: ignore[no-untyped-def]
    method = parse_method(METHOD)
    return method, prepare(cube_of(parse_observations(rows(data), method), method), method)


def test_fixed_goalposts_normalise_and_invert_negative_indicators() -> None:
    method, data = prepared()
    z = normalise(data, method)
    # periods sorted (2020, 2021), zones sorted (A, B, C)
    assert z[1].tolist() == [[0.8, 0.8, 0.75], [0.5, 0.5, 0.5], [0.2, 0.2, 0.25]]
    assert z[0].tolist() == [[0.4, 0.4, 0.5], [0.25, 0.2, 0.25], [0.1, 0.1, 0.0]]


def test_a_consistent_ahp_matrix_gives_its_eigenvector_and_an_inconsistent_one_is_refused() -> None:
    method = parse_method({**METHOD, "ahp": [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]})
    weights, cr = ahp_weights(method, np.array([True, True, True]))
    assert np.allclose(weights, [4 / 7, 2 / 7, 1 / 7]) and cr is not None and abs(cr) < 1e-9
    bad = parse_method({**METHOD, "ahp": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]})
    with pytest.raises(IndexInputInvalid) as refused:
        ahp_weights(bad, np.array([True, True, True]))
    assert [p.rule_id for p in refused.value.problems] == ["IDX-AHP-CR"]


def test_entropy_weights_follow_the_formula() -> None:
    method, data = prepared()
    z = normalise(data, method)
    weights = entropy_weights(z, data, 0.01)
    units = [z[t, i] for t in range(2) for i in range(3)]
    expected = []
    for j in range(3):
        shifted = [0.99 * u[j] + 0.01 for u in units]
        total = sum(shifted)
        entropy = -sum((v / total) * math.log(v / total) for v in shifted) / math.log(len(units))
        expected.append(1 - entropy)
    assert np.allclose(weights, [e / sum(expected) for e in expected])


def test_arithmetic_within_pillars_and_geometric_across() -> None:
    method, data = prepared()
    z = normalise(data, method)[1]
    membership, pillars = pillar_matrix(method, data.kept)
    index, scores = aggregate(z, np.array([0.25, 0.25, 0.5]), membership)
    assert pillars == ("scale", "facilitation")
    assert np.allclose(scores[0], [0.8, 0.75])
    assert np.allclose(index, [100 * math.sqrt(0.8 * 0.75), 100 * 0.5, 100 * math.sqrt(0.2 * 0.25)])
    arithmetic, _ = aggregate(z, np.array([0.25, 0.25, 0.5]), membership, geometric=False)
    assert np.allclose(arithmetic, [77.5, 50.0, 22.5])
    assert ranks(np.array([[3.0, 5.0, 5.0, np.nan]])).tolist()[0][:3] == [3.0, 1.0, 1.0]


def test_coverage_drops_thin_indicators_and_leaves_thin_units_unranked() -> None:
    data = dict(DATA)
    data[("C", "2021")] = (20, None, None)  # type: ignore[assignment]
    result = compute_index(parse_observations(rows(data), parse_method(METHOD)), parse_method(METHOD), seed=1)
    c_2021 = next(v for v in result["values"] if v["zone"] == "C" and v["period"] == "2021")
    assert c_2021 == {"zone": "C", "period": "2021", "covered": False}
    assert result["dropped_indicators"] == []  # each indicator is still present in 5 of 6 units (≥ 65 %)


def test_a_lone_outlier_is_winsorised_one_point_at_a_time() -> None:
    method = parse_method({**METHOD, "uncertainty": {"runs": 0}})
    data = {(f"Z{i:02d}", "2021"): (10.0 + i, 20.0, 24.0) for i in range(20)}
    data[("Z99", "2021")] = (10_000.0, 20.0, 24.0)
    _, treated = method, prepare(cube_of(parse_observations(rows(data), method), method), method)
    assert treated.winsorised == {"value": 1}
    assert float(np.nanmax(treated.cube.values[:, :, 0])) == 29.0


def test_the_whole_run_is_reproducible_and_fingerprinted() -> None:
    method = parse_method(METHOD)
    observations = parse_observations(rows(), method)
    first, again = compute_index(observations, method, seed=7), compute_index(observations, method, seed=7)
    assert first == again and first["digest"] == again["digest"]
    assert compute_index(observations, method, seed=8)["digest"] != first["digest"]
    a_2021 = next(v for v in first["values"] if v["zone"] == "A" and v["period"] == "2021")
    assert (a_2021["rank"], a_2021["rank_p05"], a_2021["rank_p50"], a_2021["rank_p95"]) == (1, 1.0, 1.0, 1.0)
    assert sorted(first["uncertainty"]["sobol"]) == ["aggregation", "imputation", "normalisation", "weights"]
    weights = first["weights"]
    assert math.isclose(sum(w["combined"] for w in weights.values()), 1.0, rel_tol=1e-9)
    expected_base = 100 * sum(
        weights[code]["combined"] * ratio
        for code, ratio in (("value", 80 / 40), ("firms", 40 / 20), ("release_hours", 24 / 12))
    )
    assert math.isclose(a_2021["fixed_base"], expected_base, rel_tol=1e-9)


def test_methods_without_fixed_goalposts_and_unknown_indicators_are_refused_with_every_problem() -> None:
    broken = {**METHOD, "indicators": [{"code": "value", "pillar": "scale", "polarity": 2}]}
    with pytest.raises(IndexInputInvalid) as refused:
        parse_method(broken)
    assert [(p.rule_id, p.field) for p in refused.value.problems] == [
        ("IDX-METHOD", "indicators[1].polarity"),
        ("IDX-GOALPOSTS", "indicators[1].goalposts"),
    ]
    with pytest.raises(IndexInputInvalid) as unknown:
        parse_observations([{"zone": "A", "period": "2021", "indicator": "gdp", "value": 1}], parse_method(METHOD))
    assert [(p.rule_id, p.field) for p in unknown.value.problems] == [("IDX-OBS", "observations[1].indicator")]


def test_cli_computes_from_files_and_exits_2_on_a_bad_method(tmp_path: Path) -> None:
    method, observations = tmp_path / "method.json", tmp_path / "obs.csv"
    method.write_text(json.dumps(METHOD), encoding="utf-8")
    observations.write_text(
        "zone,period,indicator,value\n"
        + "".join(f"{r['zone']},{r['period']},{r['indicator']},{r['value']}\n" for r in rows()),
        encoding="utf-8",
    )
    runner = CliRunner()
    done = runner.invoke(
        app, ["index", "compute", "--observations", str(observations), "--method", str(method), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["method_version"] == "test-1"
    method.write_text(json.dumps({**METHOD, "indicators": [{"code": "value", "pillar": "scale"}]}), encoding="utf-8")
    refused = runner.invoke(app, ["index", "compute", "--observations", str(observations), "--method", str(method)])
    assert refused.exit_code == 2 and "IDX-GOALPOSTS" in refused.output
