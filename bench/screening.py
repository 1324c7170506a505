"""Benchmark of negative-list screening (名单筛查): queries/s, memory, recall and precision over a synthetic list.

    .venv/bin/python -m bench.screening [--entries 1000000] [--pairs 5000] [--negatives 5000] [--seed 17]

The list is ``cbec.credit.variants.entries`` (synthetic names: region, a two- or three-word trade name,
industry, legal form); the queries are the seeded variant set built from its first entries (true pairs of five
kinds, hard negatives), screened one after another on one core. Prints the index build time, the peak resident
memory, queries/s, recall and precision at the shipped threshold, the share of alerts in the top band, and the
same figures at a few other thresholds.
"""

from __future__ import annotations

import argparse
import resource
import time

from cbec.credit.screening import THRESHOLD, TOP_BAND, Entry, ScreeningIndex
from cbec.credit.variants import entries, measure, variant_set


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--negatives", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--thresholds", default="0.70,0.74,0.76")
    args = parser.parse_args()

    started = time.perf_counter()
    names = entries(args.entries, seed=args.seed)
    made = time.perf_counter()
    before = _rss_mib()
    index = ScreeningIndex(Entry(i, p.name) for i, p in enumerate(names))
    built = time.perf_counter()
    print(f"list: {len(index):,} entries generated in {made - started:.1f} s, indexed in {built - made:.1f} s")
    print(f"peak RSS: {_rss_mib():,.0f} MiB (before the index: {before:,.0f} MiB)")
    cases = variant_set(names, args.pairs, args.negatives, seed=args.seed + 1)

    t0 = time.perf_counter()
    result = measure(index, cases, THRESHOLD)
    elapsed = time.perf_counter() - t0
    print(f"queries: {len(cases):,} in {elapsed:.1f} s = {len(cases) / elapsed:,.0f} queries/s (one core)")
    print(
        f"threshold {THRESHOLD}: recall {result.recall:.4f}, precision {result.precision:.4f}, "
        f"alerts {result.alerts:,}, top band (≥ {TOP_BAND}) {result.top_band:,} = {result.top_share:.2%}; "
        f"missed {result.missed}"
    )
    for value in (float(t) for t in args.thresholds.split(",") if t):
        other = measure(index, cases, value)
        print(f"threshold {value}: recall {other.recall:.4f}, precision {other.precision:.4f}, alerts {other.alerts:,}")


if __name__ == "__main__":
    main()
