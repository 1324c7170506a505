"""Benchmark of the development index (发展指数): 165 zones × 40 indicators × 10 years, 1,000-run uncertainty.

    .venv/bin/python -m bench.index [--zones 165] [--indicators 40] [--years 10] [--runs 1000] [--seed 1]

Synthetic observations (log-normal values, a few gaps and outliers), 8 pillars, fixed goalposts from the first
year. Prints the wall time of the whole computation and checks that a second run gives the same digest.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from cbec.statistics.index import compute_index, parse_method, parse_observations


def synthetic(
    zones: int, indicators: int, years: int, runs: int, seed: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rng = np.random.default_rng(seed)
    level = rng.lognormal(3, 1, size=(zones, indicators))
    growth = rng.normal(0.08, 0.05, size=(zones, indicators))
    rows = []
    for y in range(years):
        values = level * (1 + growth) ** y
        for z in range(zones):
            for j in range(indicators):
                if rng.random() < 0.03:
                    continue  # a gap
                rows.append(
                    {
                        "zone": f"Z{z:03d}",
                        "period": str(2016 + y),
                        "indicator": f"I{j:02d}",
                        "value": float(values[z, j]),
                    }
                )
    method = {
        "version": "bench-1",
        "base_period": "2016",
        "indicators": [
            {
                "code": f"I{j:02d}",
                "pillar": f"P{j % 8}",
                "polarity": -1 if j % 7 == 0 else 1,
                "goalposts": [0.0, float(np.percentile(level[:, j], 95) * 2)],
            }
            for j in range(indicators)
        ],
        "uncertainty": {"runs": runs},
    }
    return method, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--zones", type=int, default=165)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raw_method, rows = synthetic(args.zones, args.indicators, args.years, args.runs, args.seed)
    method = parse_method(raw_method)
    observations = parse_observations(rows, method)
    start = time.perf_counter()
    result = compute_index(observations, method, seed=args.seed)
    elapsed = time.perf_counter() - start
    again = compute_index(observations, method, seed=args.seed)
    print(
        f"index: {args.zones} zones × {args.indicators} indicators × {args.years} years, {args.runs} runs: "
        f"{elapsed:.2f} s; reproducible: {again['digest'] == result['digest']}; digest {result['digest'][:16]}"
    )


if __name__ == "__main__":
    main()
