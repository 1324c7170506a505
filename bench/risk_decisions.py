"""Benchmark of typology decisions (风险研判) per second per core, counters in memory, and in-process latency.

    .venv/bin/python -m bench.risk_decisions [--decisions 200000] [--warmup 50000] [--buyers 200000] [--seed 18]
        [--no-record]

One process (one core). Each decision does what the risk consumer does for an inventory, with the counters held in
a dict instead of the database: observe the inventory (subjects: buyer, payer, phone, address, enterprise,
platform; total value; near the 5,000 limit), add it to the day buckets (counts, fen) and to the distinct-partner
links (a pair met again on a later day moves from the old day's bucket, as ``risk_link`` does), read every counter
the ruleset needs as exact window sums of day buckets (1/7/30/365 d), compute the document fields (robust z-score
and value ratio of each line against its HS6 band) and evaluate:

* ``compiled``: the compiled ruleset (closures, floats) → typology scores and bands;
* ``interpreted``: the decimal interpreter with the full stored trace (``evaluate`` + ``trace_of``), what the
  consumer stores today.

Synthetic traffic: buyers share phones and addresses (some many), a twentieth pay for someone else, 500 HS6 codes
with bands, 90 business days in order. Targets (issue 18): ≥ 3,000 decisions/s per core, p99 ≤ 10 ms in-process.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from bench.env import fmt, percentile, print_header, record
from cbec.risk.rules import WINDOWS, CounterRef, Ruleset, evaluate, shipped_ruleset
from cbec.risk.service import trace_of
from cbec.risk.versions.compile import Compiled, compile_ruleset

PAIRS = (
    ("buyer", "payer", "payers"),
    ("buyer", "phone", "phones"),
    ("buyer", "address", "addresses"),
    ("payer", "buyer", "buyers"),
    ("phone", "buyer", "buyers"),
    ("address", "buyer", "buyers"),
)


@dataclass(slots=True)
class MemoryCounters:
    """Day buckets and distinct links in dicts: (kind, key, feature) → {day: value}; (pair) → last day."""

    buckets: dict[tuple[str, str, str], dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    links: dict[tuple[str, str, str, str], int] = field(default_factory=dict)

    def add(self, kind: str, key: str, feature: str, day: int, amount: int) -> None:
        """Add to a day bucket."""
        bucket = self.buckets[(kind, key, feature)]
        bucket[day] = bucket.get(day, 0) + amount

    def see_pair(self, kind: str, key: str, other_kind: str, other_key: str, feature: str, day: int) -> None:
        """Count a partner once, in the bucket of the last day the two met."""
        link = (kind, key, other_kind, other_key)
        last = self.links.get(link)
        if last is None:
            self.links[link] = day
            self.add(kind, key, feature, day, 1)
        elif last < day:
            self.add(kind, key, feature, last, -1)
            self.add(kind, key, feature, day, 1)
            self.links[link] = day

    def windows(self, refs: tuple[CounterRef, ...], keys: dict[str, str], day: int) -> dict[str, float | None]:
        """Return every counter as the exact sum of its window's day buckets (money in yuan); None: no subject."""
        out: dict[str, float | None] = {}
        for ref in refs:
            key = keys.get(ref.subject.value)
            if key is None:
                out[ref.name] = None
                continue
            first = day - ref.window + 1
            bucket = self.buckets.get((ref.subject.value, key, ref.feature), {})
            total = sum(v for d, v in bucket.items() if d >= first)
            out[ref.name] = total / 100 if ref.feature == "value" else float(total)
        return out


def traffic(
    n: int, buyers: int, rng: random.Random
) -> list[tuple[int, dict[str, str], list[tuple[str, float, float]]]]:
    """Return n inventories (day, subject keys, lines (hs6, value, quantity)) over 90 days in order."""
    out = []
    for k in range(n):
        b = rng.randrange(buyers)
        ring = rng.random() < 0.02  # a shared phone and address among few keys
        keys = {
            "buyer": f"b{b}",
            "payer": f"b{b}" if rng.random() > 0.05 else f"b{rng.randrange(buyers)}",
            "phone": f"p{b % 40 if ring else b}",
            "address": f"a{b % 40 if ring else b * 7 % buyers}",
            "enterprise": f"E{b % 300}",
            "platform": f"P{b % 20}",
        }
        lines = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            hs6 = f"{rng.randrange(500):06d}"
            quantity = float(rng.randint(1, 4))
            unit = 100.0 + int(hs6) % 400 * rng.uniform(0.3, 1.3)
            lines.append((hs6, round(unit * quantity, 2), quantity))
        out.append((k * 90 // n, keys, lines))
    return out


def decide(
    counters: MemoryCounters,
    refs: tuple[CounterRef, ...],
    ruleset: Ruleset,
    compiled: Compiled,
    bands: dict[str, tuple[float, float]],
    day: int,
    keys: dict[str, str],
    lines: list[tuple[str, float, float]],
    *,
    full: bool,
) -> object:
    """One decision: count, read the windows, document fields, evaluate."""
    total = sum(v for _, v, _ in lines)
    near = 4500 <= total <= 5000
    fen = round(total * 100)
    for kind, key in keys.items():
        counters.add(kind, key, "inventories", day, 1)
        counters.add(kind, key, "value", day, fen)
        if near:
            counters.add(kind, key, "near_limit", day, 1)
    for hs6, value, _ in lines:
        counters.add("hs6", hs6, "lines", day, 1)
        counters.add("hs6", hs6, "value", day, round(value * 100))
    for subject, other, feature in PAIRS:
        counters.see_pair(subject, keys[subject], other, keys[other], feature, day)
    inputs = counters.windows(refs, keys, day)
    zs, ratios = [], []
    for hs6, value, quantity in lines:
        median, mad = bands[hs6]
        unit = value / quantity
        zs.append(round(0.6745 * (unit - median) / max(mad, median * 0.05), 4))
        ratios.append(round(unit / median, 4))
    inputs["doc.value_cny"] = total
    inputs["doc.lines"] = float(len(lines))
    inputs["doc.near_limit"] = float(near)
    inputs["doc.payer_differs"] = float(keys["payer"] != keys["buyer"])
    inputs["doc.robust_z_min"] = min(zs)
    inputs["doc.value_ratio_min"] = min(ratios)
    if not full:
        return compiled.decide(inputs)
    exact = {k: (Decimal(repr(v)) if v is not None else None) for k, v in inputs.items()}
    return trace_of(evaluate(ruleset, exact), ruleset)


def run(args: argparse.Namespace, *, full: bool) -> tuple[float, float, list[float]]:
    """Return decisions per wall second and per CPU second, and latencies in ms, after the warm-up."""
    rng = random.Random(args.seed)
    ruleset = shipped_ruleset()
    compiled = compile_ruleset(ruleset, float)
    refs = ruleset.counters()
    bands = {f"{h:06d}": (100.0 + h % 400 * 0.8, 10.0 + h % 37) for h in range(500)}
    counters = MemoryCounters()
    planned = traffic(args.warmup + args.decisions, args.buyers, rng)
    for day, keys, lines in planned[: args.warmup]:
        decide(counters, refs, ruleset, compiled, bands, day, keys, lines, full=full)
    latencies = []
    clock = time.perf_counter_ns
    started, cpu = time.perf_counter(), time.process_time()
    for day, keys, lines in planned[args.warmup :]:
        t0 = clock()
        decide(counters, refs, ruleset, compiled, bands, day, keys, lines, full=full)
        latencies.append((clock() - t0) / 1e6)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert max(WINDOWS) == 365
    return args.decisions / elapsed, args.decisions / cpu, latencies


def main() -> None:
    """Run both paths, print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--warmup", type=int, default=50_000)
    parser.add_argument("--buyers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("risk decisions")
    results = []
    for name, full in (("compiled", False), ("interpreted + trace", True)):
        rate, per_cpu, latencies = run(args, full=full)
        results.append(
            f"{name}: {fmt(rate)} decisions/s wall, {fmt(per_cpu)} per CPU second, one process; "
            f"latency p50 {percentile(latencies, 0.5):.3f} ms, "
            f"p99 {percentile(latencies, 0.99):.3f} ms, max {max(latencies):.3f} ms"
        )
        print(results[-1])
    data = f"{fmt(args.decisions)} decisions after {fmt(args.warmup)} warm-up, {fmt(args.buyers)} buyers, 90 days"
    record("risk decisions", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
