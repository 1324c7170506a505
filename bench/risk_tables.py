"""Differential check of the compiled decision tables against the reference engine (GoRules zen-engine).

    python -m bench.risk_tables [--cases 100000] [--seed 2026]

Each shipped typology exports as two JDM tables (``<typology>.rules``, hit policy collect; ``<typology>.bands``,
hit policy first). For random inputs dense around the rules' constants (``sample_inputs``, 10 % unknown), the
compiled Python table, the decimal interpreter (``cbec.risk.rules.evaluate``) and zen-engine must give the same
rows (rule, weight) and the same band. Prints mismatches per table and the time each side took.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from decimal import Decimal
from typing import Any

from cbec.risk.rules import Ruleset, evaluate, shipped_ruleset
from cbec.risk.versions.compile import sample_inputs
from cbec.risk.versions.jdm import compile_table, export_bundle, field_of


def _json_number(value: Decimal | None) -> Any:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def differential(ruleset: Ruleset, cases: int, rng: random.Random) -> dict[str, dict[str, Any]]:
    """Return per table: cases, mismatches, rows matched, seconds in Python and in zen-engine."""
    import zen  # the reference engine (dev extra)

    engine = zen.ZenEngine()
    bundle = export_bundle(ruleset)
    out: dict[str, dict[str, Any]] = {}
    for name, graph in bundle["tables"].items():
        typology, _, kind = name.partition(".")
        reference = engine.create_decision(json.dumps(graph))
        compiled = compile_table(graph)
        mismatches = matched = 0
        py_seconds = zen_seconds = 0.0
        for _ in range(cases):
            if kind == "bands":
                score = rng.randint(-5, 220)
                started = time.perf_counter()
                ours = compiled({"score": Decimal(score)})["band"]
                py_seconds += time.perf_counter() - started
                started = time.perf_counter()
                theirs = reference.evaluate({"score": score})["result"]["band"]
                zen_seconds += time.perf_counter() - started
                expected = ruleset.typologies[next(t for t in ruleset.typologies if t.value == typology)].band(score)
                mismatches += not (ours == theirs == expected.value)
                matched += 1
                continue
            inputs = sample_inputs(ruleset, rng)
            flat = {field_of(k): v for k, v in inputs.items()}
            started = time.perf_counter()
            ours_rows = sorted((r["rule"], r["weight"]) for r in compiled(flat))
            py_seconds += time.perf_counter() - started
            started = time.perf_counter()
            result = reference.evaluate({k: _json_number(v) for k, v in flat.items()})["result"]
            zen_seconds += time.perf_counter() - started
            theirs_rows = sorted((r["rule"], r["weight"]) for r in result)
            interpreted = sorted(
                (t.rule, t.weight)
                for t in evaluate(ruleset, inputs).rules
                if t.typology.value == typology and t.status == "fired"
            )
            mismatches += not (ours_rows == theirs_rows == interpreted)
            matched += len(ours_rows)
        out[name] = {
            "cases": cases,
            "mismatches": mismatches,
            "matched_rows": matched,
            "python_us": round(py_seconds / cases * 1e6, 2),
            "zen_us": round(zen_seconds / cases * 1e6, 2),
        }
    return out


def main() -> None:
    """Run the differential check and print one line per table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    results = differential(shipped_ruleset(), args.cases, random.Random(args.seed))
    for name, r in results.items():
        print(
            f"{name:28} cases {r['cases']:>7}  mismatches {r['mismatches']}  rows matched {r['matched_rows']:>7}  "
            f"python {r['python_us']:>6} µs  zen-engine {r['zen_us']:>6} µs"
        )
    total = sum(r["mismatches"] for r in results.values())
    print(f"total mismatches {total} over {len(results)} tables in {time.perf_counter() - started:.1f} s")
    raise SystemExit(1 if total else 0)


if __name__ == "__main__":
    main()
